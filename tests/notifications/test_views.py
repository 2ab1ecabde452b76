"""notifications/views.py: the inbox, the header's count, follow buttons, email
settings and unsubscribe links, each used from the page that renders it."""

import re
import time
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from discussions.services import post_reply
from notifications.emails import unsubscribe_token
from notifications.models import EmailPreference, Follow, Kind, Notification
from tests.conftest import browsing_as, form_with, make_annotation, make_user, signed_in
from tests.discussions.test_live import live_url


def notify(user, group, reading, n: int, **fields):
    return Notification.objects.bulk_create(
        Notification(
            user=user,
            group=group,
            reading=reading,
            kind=Kind.REPLY,
            event=f"test-{n}-{i}",
            url=f"/somewhere/#r-{i}",
            text=f"Reply number {i}",
            **fields,
        )
        for i in range(n)
    )


def header_count(page) -> str:
    return page.html.find(id="inbox-count")["aria-label"]


def test_the_header_says_how_many_are_unread(django_app, group, member, assigned_reading):
    notify(member, group, assigned_reading, 3)
    page = browsing_as(django_app, member).get("/")
    assert header_count(page) == "Inbox, 3 unread"


def test_the_inbox_lists_newest_first_and_marks_read(django_app, group, member, assigned_reading):
    notify(member, group, assigned_reading, 3)
    page = browsing_as(django_app, member).get("/inbox/")
    texts = [a.text for a in page.html.select(".inbox-item > a")]
    assert texts == ["Reply number 2", "Reply number 1", "Reply number 0"]
    assert page.html.select_one(".inbox-item > a")["href"] == "/somewhere/#r-2"
    second = page.html.select(".inbox-item")[1].form["action"]
    page = next(f for f in page.forms.values() if f.action == second).submit().follow()
    assert header_count(page) == "Inbox, 2 unread"
    assert len(page.html.select(".inbox-item--unread")) == 2
    page = form_with(page, "Mark all read").submit().follow()
    assert header_count(page) == "Inbox, 0 unread"
    assert not page.html.select(".inbox-item--unread")


def test_another_members_notification_cannot_be_marked(
    client, group, member, organizer, assigned_reading
):
    (theirs,) = notify(organizer, group, assigned_reading, 1)
    signed_in(client, member)
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read is None


def test_follow_buttons_on_the_reading_and_the_thread(django_app, group, member, assigned_reading):
    question = make_annotation(group, assigned_reading, member)
    app = browsing_as(django_app, member)
    reading = app.get(f"/g/{group.slug}/r/{assigned_reading.slug}/")
    page = form_with(reading, "Follow this reading").submit().follow()
    assert Follow.objects.filter(user=member, annotation=None).exists()
    form_with(page, "Unfollow this reading").submit()
    assert not Follow.objects.filter(user=member).exists()
    thread = app.get(question.get_absolute_url())
    page = form_with(thread, "Follow this thread").submit().follow()
    assert Follow.objects.get(user=member).annotation == question
    assert form_with(page, "Unfollow this thread")


def test_follow_with_htmx_answers_the_button(client, group, member, assigned_reading):
    signed_in(client, member)
    url = f"/g/{group.slug}/r/{assigned_reading.slug}/follow/"
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert "Unfollow this reading" in response.content.decode()


def test_an_outsider_cannot_follow_a_thread(client, group, member, outsider, assigned_reading):
    question = make_annotation(group, assigned_reading, member)
    signed_in(client, outsider)
    assert client.post(question.get_absolute_url() + "follow/").status_code == 404
    assert not Follow.objects.filter(user=outsider).exists()


def test_someone_elses_private_note_cannot_be_followed(
    client, group, member, organizer, assigned_reading
):
    note = make_annotation(group, assigned_reading, member, kind="note")
    signed_in(client, organizer)
    assert client.post(note.get_absolute_url() + "follow/").status_code == 404


def test_email_settings_are_saved_from_the_page(django_app, group, member):
    page = browsing_as(django_app, member).get("/inbox/email/")
    form = form_with(page, "Save email settings")
    assert form[f"{group.pk}-mention"].value == "now"
    assert form[f"{group.pk}-meeting"].value == "digest"
    form[f"{group.pk}-meeting"] = "now"
    form[f"{group.pk}-mention"] = "off"
    form.submit().follow()
    choices = EmailPreference.choices_for([member], group)
    assert choices[(member.pk, Kind.MEETING)] == "now"
    assert choices[(member.pk, Kind.MENTION)] == "off"
    assert choices[(member.pk, Kind.REPLY)] == "now"


def test_a_choice_for_a_group_one_is_not_in_is_refused(client, group, member, outsider):
    signed_in(client, outsider)
    response = client.post("/inbox/email/", {f"{group.pk}-mention": "off"})
    assert response.status_code == 302
    assert not EmailPreference.objects.exists()


def test_unsubscribe_without_signing_in(django_app, group, member):
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(member, group, "reply")])
    page = django_app.get(url)
    assert "Stop these emails from Night readers" in page.text
    assert not EmailPreference.objects.exists()  # a GET (a mail scanner) changes nothing
    page = form_with(page, "Unsubscribe").submit()
    assert "Done" in page.text
    assert EmailPreference.choices_for([member], group)[(member.pk, Kind.REPLY)] == "off"
    assert EmailPreference.choices_for([member], group)[(member.pk, Kind.MENTION)] == "now"


def test_one_click_unsubscribe_by_a_mail_client(group, member):
    # RFC 8058: the client posts with no cookie and no CSRF token.
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(member, group)])
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    choices = EmailPreference.choices_for([member], group)
    assert set(choices.values()) == {"off"}


@pytest.mark.parametrize("how", ["tampered", "other user", "stale", "left", "deleted"])
def test_a_bad_unsubscribe_link_changes_nothing_and_says_so(client, how, group, member, organizer):
    token = unsubscribe_token(member, group, "reply")
    if how == "tampered":
        token = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    elif how == "other user":
        # The payload of one link with the signature of another.
        other = unsubscribe_token(organizer, group, "reply")
        token = token.split(":")[0] + ":" + ":".join(other.split(":")[1:])
    elif how == "left":
        member.memberships.all().delete()
    elif how == "deleted":
        member.delete()
    url = reverse("notifications:unsubscribe", args=[token])
    later = time.time() + 61 * 24 * 60 * 60 if how == "stale" else time.time()
    with mock.patch("django.core.signing.time.time", return_value=later):
        get, post = client.get(url), client.post(url)
    assert get.status_code == post.status_code == 400
    assert "broken or too old, so nothing was changed" in post.content.decode()
    assert not EmailPreference.objects.exists()


def test_the_live_poll_brings_the_new_count(client, group, member, organizer, assigned_reading):
    question = make_annotation(group, assigned_reading, member)
    signed_in(client, member)
    url, etag = live_url(client, group, assigned_reading)
    post_reply(annotation=question, parent=None, body="Hello", author=organizer)
    notify(member, group, assigned_reading, 1)
    html = client.get(url, HTTP_IF_NONE_MATCH=etag).content.decode()
    piece = re.search(r'<template data-live="inbox-count">(.*?)</template>', html, re.S)
    assert 'aria-label="Inbox, 1 unread"' in piece.group(1)


def test_news_from_elsewhere_reaches_an_open_reading_in_its_one_query(
    client, group, member, assigned_reading, django_assert_num_queries
):
    signed_in(client, member)
    url, etag = live_url(client, group, assigned_reading)
    with django_assert_num_queries(1):
        first = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert first.status_code == 304
    # A notification about another reading, or fanned out after the poll saw its reply.
    notify(member, group, assigned_reading, 2)
    news = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert news.status_code == 200
    assert 'aria-label="Inbox, 2 unread"' in news.content.decode()
    assert client.get(url, HTTP_IF_NONE_MATCH=news["ETag"]).status_code == 304


def test_inbox_and_count_queries_stay_fixed_as_notifications_grow(
    client, group, member, assigned_reading, django_assert_max_num_queries
):
    signed_in(client, member)
    for total in (1, 10_000):
        notify(member, group, assigned_reading, total - Notification.objects.count())
        # Session, user, header count, paginator count, the page's rows.
        with django_assert_max_num_queries(5):
            page = client.get("/inbox/")
        assert len(re.findall(r'class="inbox-item', page.content.decode())) == min(total, 50)


def test_the_header_count_is_one_query_and_none_for_the_anonymous(
    rf, member, group, assigned_reading, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser

    from notifications.context_processors import inbox

    notify(member, group, assigned_reading, 3)
    request = rf.get("/")
    request.user = member
    with django_assert_num_queries(1):
        assert inbox(request)["inbox_unread"]() == 3
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert inbox(request) == {}


def test_posting_a_reply_costs_the_same_with_50_followers(
    client, group, member, assigned_reading, django_assert_num_queries
):
    question = make_annotation(group, assigned_reading, member)
    signed_in(client, member)
    url = question.get_absolute_url() + "reply/"

    def queries_of_a_reply() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.post(url, {"body": "Again"}).status_code == 302
        return len(queries)

    alone = queries_of_a_reply()
    for n in range(50):
        follower = make_user(f"f{n}@example.org", f"Follower {n}")
        group.memberships.create(user=follower)
        Follow.objects.create(
            user=follower, group=group, reading=assigned_reading, annotation=question
        )
    # The fan-out is the worker's, after the request: the followers cost it nothing.
    assert queries_of_a_reply() == alone
