"""Rate limits: sign-in guesses (the admin's too) per account and per client
behind the proxy, and the app's own costly or noisy writes. Past a limit the
answer is a 429 that says so, and nothing changes."""

import json

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tokens import create_token
from discussions.models import Annotation, Flag
from groups.models import Group, MembershipEvent
from readings.models import Reading
from tests.conftest import PASSWORD, browsing_as, form_with, make_annotation
from tests.interop.test_api import document
from tests.test_settings import django_in_subprocess

PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # every request arrives from the proxy


def sign_in(django_app, email, password, client_ip="203.0.113.7", start="/accounts/login/"):
    form = form_with(django_app.get(start).maybe_follow(), "Sign in")
    form["login"], form["password"] = email, password
    return form.submit(extra_environ=PROXY, headers={"X-Forwarded-For": client_ip})


def signed_in_as(django_app, user) -> bool:
    return user.display_name in django_app.get("/").text


def with_limit(settings, action: str, rate: str) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, action: rate}


@pytest.mark.django_db
def test_the_admins_sign_in_guesses_count_like_everyone_elses(django_app, staff):
    page = django_app.get("/admin/login/").maybe_follow()
    assert page.request.path == "/accounts/login/"
    for _ in range(5):
        sign_in(django_app, staff.email, "a wrong guess", start="/admin/login/")
    refused = sign_in(django_app, staff.email, PASSWORD, start="/admin/login/")
    assert "Too many failed login attempts" in refused.text
    assert django_app.get("/admin/").status_code == 302  # still not signed in


@pytest.mark.django_db
def test_guesses_at_one_account_lock_that_account_from_any_client(django_app, member, outsider):
    for n in range(5):
        sign_in(django_app, member.email, "a wrong guess", client_ip=f"198.51.100.{n}")
    refused = sign_in(django_app, member.email, PASSWORD, client_ip="192.0.2.1")
    assert "Too many failed login attempts" in refused.text
    assert not signed_in_as(django_app, member)
    sign_in(django_app, outsider.email, PASSWORD, client_ip="192.0.2.1").follow()
    assert signed_in_as(django_app, outsider)


def test_behind_the_proxy_the_client_address_is_read_from_x_forwarded_for():
    code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    assert django_in_subprocess(code, BEHIND_PROXY="1").stdout.strip() == "1"
    assert django_in_subprocess(code, BEHIND_PROXY="0").stdout.strip() == "0"


@pytest.mark.django_db
def test_guesses_from_one_client_lock_that_client_out_not_the_others(django_app, member, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # what BEHIND_PROXY=1 sets
    for n in range(10):
        sign_in(django_app, f"guess{n}@example.org", "a wrong guess", client_ip="203.0.113.7")
    refused = sign_in(django_app, member.email, PASSWORD, client_ip="203.0.113.7")
    assert refused.status_code == 429 or "Too many" in refused.text
    assert not signed_in_as(django_app, member)
    sign_in(django_app, member.email, PASSWORD, client_ip="198.51.100.9").follow()
    assert signed_in_as(django_app, member)


@pytest.mark.django_db
def test_invitations_are_capped_per_organizer_per_hour(django_app, group, organizer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    browsing_as(django_app, organizer)
    members_page = reverse("groups:members", args=[group.slug])
    answers = []
    for batch in range(3):  # 150 addresses, as fast as the form goes
        form = form_with(django_app.get(members_page), "Send invitations")
        form["emails"] = ", ".join(f"p{batch}-{n}@example.org" for n in range(50))
        answers.append(form.submit(expect_errors=True))
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "You can invite 100 people an hour" in answers[2].text
    assert len(mail.outbox) == 100
    assert MembershipEvent.objects.filter(action=MembershipEvent.Action.INVITED).count() == 100


@pytest.mark.django_db
def test_group_creation_is_limited(django_app, outsider, settings):
    with_limit(settings, "create_group", "2/h/user")
    browsing_as(django_app, outsider)
    answers = []
    for n in range(3):
        form = form_with(django_app.get(reverse("groups:group_create")), "Create group")
        form["name"] = f"Group {n}"
        answers.append(form.submit(expect_errors=True))
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "You have started many groups" in answers[2].text
    assert Group.objects.count() == 2


@pytest.mark.django_db
def test_flags_are_limited(django_app, group, member, organizer, assigned_reading, settings):
    with_limit(settings, "flag", "2/h/user")
    posts = [
        make_annotation(group, assigned_reading, organizer, body=f"Post {n}") for n in range(3)
    ]
    browsing_as(django_app, member)
    answers = []
    for post in posts:
        form = form_with(django_app.get(post.get_absolute_url()), "Report to the moderators")
        form["reason"] = "Off topic"
        answers.append(form.submit(expect_errors=True))
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "You have reported many posts" in answers[2].text
    assert Flag.objects.count() == 2


@pytest.mark.django_db
def test_api_writes_are_limited_and_reads_are_not(
    client, group, member, assigned_reading, settings
):
    with_limit(settings, "api_write", "2/m/user")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=member, name='script')}"}
    body = json.dumps(document(group, assigned_reading))
    answers = [
        client.post("/api/annotations", body, content_type="application/json", **auth)
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert "error" in answers[2].json() and "too many" in answers[2].json()["error"].lower()
    assert Annotation.objects.count() == 2
    thread = Annotation.objects.first()
    patch = client.patch(
        f"/api/annotations/{thread.pk}", '{"bodyValue": "x"}', "application/json", **auth
    )
    assert (
        patch.status_code == 429
        and client.delete(f"/api/annotations/{thread.pk}", **auth).status_code == 429
    )
    assert client.get(f"/api/annotations/{thread.pk}", **auth).status_code == 200


@pytest.mark.django_db
def test_reading_uploads_are_limited(django_app, staff, settings):
    with_limit(settings, "import", "1/h/user")
    browsing_as(django_app, staff)
    answers = []
    for n in range(2):
        form = form_with(django_app.get(reverse("readings:library")), "Import")
        form["file"] = (f"text-{n}.txt", b"A title\n\nSome text to read.")
        answers.append(form.submit(expect_errors=True))
    assert [a.status_code for a in answers] == [302, 429]
    assert "You have imported many files" in answers[1].text
    assert Reading.objects.count() == 1


@pytest.mark.django_db
def test_discussion_imports_are_limited(django_app, group, organizer, settings):
    with_limit(settings, "import", "1/h/user")
    browsing_as(django_app, organizer)
    url = reverse("interop:import_group", args=[group.slug])
    answers = []
    for _ in range(2):
        form = form_with(django_app.get(url), "Import")
        form["file"] = ("export.jsonld", b"not json")
        answers.append(form.submit(expect_errors=True))
    assert [a.status_code for a in answers] == [400, 429]
    assert "You have imported many files" in answers[1].text
