"""API tokens on the settings page: made and shown once, used, revoked."""

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from tests.conftest import browsing_as, make_user, signed_in


@pytest.mark.django_db
def test_a_token_is_shown_once_works_and_can_be_revoked(client, member, group):
    signed_in(client, member)
    settings_url = reverse("accounts:settings")
    made = client.post(settings_url, {"name": "My script"}, follow=True)
    page = made.content.decode()
    assert "Copy it now" in page
    token = page.split("data-new-token>")[1].split("<")[0]
    assert token.startswith("mrg_")
    # Only a digest is stored, and the page never shows the token again.
    assert token not in ApiToken.objects.get().digest
    assert token not in client.get(settings_url).content.decode()

    api = client.__class__()
    url = f"/api/groups/{group.slug}/readings/none/annotations"
    assert api.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404  # signed in
    assert ApiToken.objects.get().last_used is not None

    revoke = reverse("accounts:revoke_token", args=[ApiToken.objects.get().pk])
    assert "no longer works" in client.post(revoke, follow=True).content.decode()
    assert api.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


@pytest.mark.django_db
def test_a_token_needs_a_name_and_others_tokens_cannot_be_revoked(client, member, organizer):
    signed_in(client, organizer)
    client.post(reverse("accounts:settings"), {"name": "Theirs"})
    signed_in(client, member)
    refused = client.post(reverse("accounts:settings"), {"name": ""})
    assert refused.status_code == 400
    assert "This field is required" in refused.content.decode()
    theirs = ApiToken.objects.get()
    assert client.post(reverse("accounts:revoke_token", args=[theirs.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_an_unconfirmed_address_makes_no_token(django_app):
    newcomer = make_user("new@example.org", verified=False)
    browsing_as(django_app, newcomer)
    page = django_app.get(reverse("accounts:settings"))
    assert "Confirm your email address first" in page.text
    assert "Make a token</button>" not in page.text
    refused = django_app.post(
        reverse("accounts:settings"),
        {"name": "Sneaky", "csrfmiddlewaretoken": page.forms[0]["csrfmiddlewaretoken"].value},
        status=403,
    )
    assert "Confirm your email address first" in refused.text
    assert not ApiToken.objects.exists()
