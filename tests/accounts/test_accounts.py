"""Accounts through allauth: sign up with a display name, sign in by email,
sign out by POST, reset a forgotten password by email."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_sign_up_with_email_password_and_display_name(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "correct-horse-battery",
            "password2": "correct-horse-battery",
            "display_name": "  Nia   New ",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new@example.org")
    assert user.display_name == "Nia New"
    assert str(user) == "Nia New"
    assert client.get("/").context["user"] == user


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
