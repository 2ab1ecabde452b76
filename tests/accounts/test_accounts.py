"""Accounts through allauth: sign up with a display name, sign in by email,
sign out by POST, reset a forgotten password by email."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.tokens import create_token
from tests.conftest import PASSWORD, browsing_as, form_with, signed_in


def sign_up(django_app, email: str, **fields):
    form = form_with(django_app.get(reverse("account_signup")), "Sign up")
    form["email"] = email
    form["display_name"] = fields.get("display_name", "Nia New")
    form["password1"] = form["password2"] = "correct-horse-battery"
    return form.submit().maybe_follow()


def follow_confirmation_link(django_app, message):
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body).group(1)
    return form_with(django_app.get(link), "Confirm").submit().maybe_follow()


@pytest.mark.django_db
def test_sign_up_then_confirm_the_address_by_email(django_app, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = sign_up(django_app, "new@example.org", display_name="  Nia   New ")
    assert "We have sent an email to you for verification" in page.text
    user = get_user_model().objects.get(email="new@example.org")
    assert user.display_name == "Nia New"
    assert str(user) == "Nia New"
    assert "Nia New" not in django_app.get("/").text  # not signed in until confirmed

    assert mail.outbox[-1].to == ["new@example.org"]
    follow_confirmation_link(django_app, mail.outbox[-1])
    assert user.has_verified_email()
    assert "Nia New" in django_app.get("/").text


@pytest.mark.django_db
def test_sign_up_does_not_tell_whether_an_address_is_registered(django_app, member, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    taken = sign_up(django_app, member.email)
    free = sign_up(django_app, "nobody-yet@example.org")
    assert taken.request.path == free.request.path
    assert taken.text.replace(member.email, "") == free.text.replace("nobody-yet@example.org", "")
    assert get_user_model().objects.filter(email=member.email).count() == 1
    assert [m.to for m in mail.outbox] == [[member.email], ["nobody-yet@example.org"]]
    # Only the owner's mailbox hears that the address already has an account.
    assert "already" in mail.outbox[0].body and "already" not in mail.outbox[1].body


@pytest.mark.django_db
def test_sign_up_needs_a_display_name(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "x@example.org",
            "password1": "correct-horse-battery",
            "password2": "correct-horse-battery",
        },
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_sign_in_page_has_labels_and_a_sign_in_button(client):
    page = client.get(reverse("account_login")).content.decode()
    assert re.search(r"<label for=\"id_login\">Email</label>", page)
    assert re.search(r"<label for=\"id_password\">Password</label>", page)
    assert '<button type="submit" class="button">Sign in</button>' in page
    assert '<link rel="stylesheet" href="/static/css/site.css">' in page


@pytest.mark.django_db
def test_sign_in_with_email_then_sign_out(client, member):
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "Maya Member" in client.get("/").content.decode()
    assert client.get(reverse("account_logout")).status_code == 200  # a page, not a sign-out
    assert client.get("/").context["user"].is_authenticated
    client.post(reverse("account_logout"))
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_wrong_password_is_refused(client, member):
    response = client.post(reverse("account_login"), {"login": member.email, "password": "nope"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_by_email(client, member, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post(reverse("account_reset_password"), {"email": member.email})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.email]
    link = re.search(
        r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body
    ).group(1)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": "a-brand-new-password", "password2": "a-brand-new-password"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a-brand-new-password")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["account_signup", "account_reset_password", "account_logout"])
def test_account_pages_use_the_site_layout(client, member, name):
    if name == "account_logout":
        client.force_login(member)
    page = client.get(reverse(name)).content.decode()
    assert 'class="site-header"' in page and "account-page" in page


def live_poll(page) -> dict:
    """The live poll's address and "nothing new since" header, as a reading page gives them."""
    found = re.search(r'data-live-url="([^"]+)" data-live-version="(\d+)"', page)
    return {"path": found.group(1).replace("&amp;", "&"), "HTTP_IF_NONE_MATCH": f'"{found[2]}"'}


@pytest.mark.django_db
def test_a_password_change_ends_the_other_sessions_their_tickets_and_tokens(
    django_app, client, group, member, assigned_reading
):
    token = create_token(user=member, name="Old script")
    api = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations"
    reading = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    other = signed_in(client, member)  # another browser, signed in before the change
    live = live_poll(other.get(reading).content.decode())
    assert other.get(**live).status_code == 304

    browsing_as(django_app, member)
    form = form_with(django_app.get(reverse("account_change_password")), "Change Password")
    form["oldpassword"] = PASSWORD
    form["password1"] = form["password2"] = "a-brand-new-password"
    form.submit().follow()

    assert other.get(**live).status_code == 404
    assert other.get(reading).status_code == 302  # to sign in
    assert Client().get(api, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    # The browser that changed it carries on, live updates too.
    mine = live_poll(django_app.get(reading).text)
    django_app.get(mine["path"], headers={"If-None-Match": mine["HTTP_IF_NONE_MATCH"]}, status=304)


@pytest.mark.django_db
def test_a_password_reset_revokes_api_tokens(django_app, member, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    token = create_token(user=member, name="Made by whoever knew the old password")
    api = "/api/annotations/1"
    assert Client().get(api, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404  # works
    form = form_with(django_app.get(reverse("account_reset_password")), "Reset My Password")
    form["email"] = member.email
    form.submit()
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    form = form_with(django_app.get(link.group(1)).maybe_follow(), "Change Password")
    form["password1"] = form["password2"] = "a-brand-new-password"
    form.submit()
    assert Client().get(api, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert not member.api_tokens.exists()


@pytest.mark.django_db
def test_a_person_changes_their_display_name_from_the_settings(django_app, group, member):
    browsing_as(django_app, member)
    form = form_with(django_app.get(reverse("accounts:settings")), "Save name")
    assert form["display_name"].value == "Maya Member"
    form["display_name"] = "  Maya   M. "
    page = form.submit().follow()
    assert "Your groups now see you as Maya M." in page
    assert "Maya M." in django_app.get(group.get_absolute_url())
    member.refresh_from_db()
    assert member.display_name == "Maya M."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "says"),
    [("   ", "This field is required."), ("n" * 81, "at most 80 characters")],
)
def test_a_blank_or_oversize_display_name_changes_nothing(django_app, member, typed, says):
    browsing_as(django_app, member)
    form = form_with(django_app.get(reverse("accounts:settings")), "Save name")
    form["display_name"] = typed
    assert says in form.submit(status=400)
    member.refresh_from_db()
    assert member.display_name == "Maya Member"


@pytest.mark.django_db
def test_the_settings_page_leads_to_the_password_change_that_ends_other_sessions(
    django_app, member
):
    browsing_as(django_app, member)
    page = django_app.get(reverse("accounts:settings")).click("Change your password")
    assert page.request.path == reverse("account_change_password")
    assert form_with(page, "Change Password")
