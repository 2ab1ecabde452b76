"""The page a form posted with a stale or missing CSRF token gets: the site's
own, saying what happened and the way back, with nothing changed."""

import pytest

from tests.conftest import browsing_as, form_with


@pytest.mark.django_db
def test_a_stale_form_explains_itself_and_changes_nothing(django_app, member):
    app = browsing_as(django_app, member)
    form = form_with(app.get("/"), "Sign out")
    form["csrfmiddlewaretoken"] = "a" * 64  # as after signing in again in another tab
    refused = form.submit(status=403)
    assert refused.html.h1.text == "The form could not be sent"
    assert "Nothing was changed" in refused.text and "reload the page" in refused.text
    back = refused.click("your groups")
    assert "Sign out" in back.text  # still signed in


@pytest.mark.django_db
def test_a_form_without_the_cookie_says_so(django_app):
    refused = django_app.post("/accounts/login/", {"login": "x", "password": "y"}, status=403)
    assert "did not send this site’s cookies" in refused.text
    assert "Sign in" in refused.click("your groups").text
