"""The live poll: a conditional GET that answers 304 from one query when
nothing changed, and otherwise the passages and open threads that did."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from discussions.services import delete_post, moderate, post_reply
from groups.models import Membership
from tests.conftest import add_member, make_annotation, make_questions, make_user, signed_in


def live_url(client, group, reading):
    page = client.get(
        reverse("discussions:reading", args=[group.slug, reading.slug])
    ).content.decode()
    match = re.search(r'data-live-url="([^"]+)" data-live-version="(\d+)"', page)
    return match.group(1).replace("&amp;", "&"), f'"{match.group(2)}"'


@pytest.mark.django_db
def test_nothing_new_is_a_304_from_one_query(
    client, group, member, assigned_reading, django_assert_num_queries
):
    make_annotation(group, assigned_reading, member, body="Before")
    signed_in(client, member)
    url, etag = live_url(client, group, assigned_reading)
    with django_assert_num_queries(1):
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    # The ETag: the version, then the viewer's unread count (notifications' stamp).
    assert response.status_code == 304 and response["ETag"] == etag[:-1] + '.0"'


@pytest.mark.django_db
def test_a_new_reply_comes_with_its_passage_and_open_thread(
    client, group, member, organizer, assigned_reading
):
    question = make_annotation(group, assigned_reading, member, body="Before", words="worth")
    quiet = assigned_reading.passages.get(position=3)
    signed_in(client, member)
    url, etag = live_url(client, group, assigned_reading)
    post_reply(annotation=question, parent=None, body="Fresh reply", author=organizer)

    response = client.get(url + f"&open={question.pk}", HTTP_IF_NONE_MATCH=etag)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["ETag"] == f'"{int(etag.strip(chr(34))) + 1}.0"'
    anchor = question.passage.anchor
    assert f'<template data-live="text-{anchor}">' in html
    assert f'<template data-live="margin-{anchor}">' in html and "1 reply" in html
    assert f'<template data-live="thread-{question.pk}">' in html and "Fresh reply" in html
    assert f"text-{quiet.anchor}" not in html  # unchanged passages are not sent
    # Asked again with the new version: nothing more.
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


@pytest.mark.django_db
def test_new_annotations_respect_privacy(client, group, member, organizer, assigned_reading):
    signed_in(client, member)
    url, etag = live_url(client, group, assigned_reading)
    make_annotation(
        group, assigned_reading, organizer, kind="note", body="Organizer's private note"
    )
    html = client.get(url, HTTP_IF_NONE_MATCH=etag).content.decode()
    assert "private note" not in html


@pytest.mark.django_db
def test_the_ticket_stops_working_after_sign_out_or_removal(
    client, group, member, organizer, assigned_reading
):
    signed_in(client, member)
    url, etag = live_url(client, group, assigned_reading)
    Membership.objects.filter(user=member).delete()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404

    signed_in(client, organizer)
    url, etag = live_url(client, group, assigned_reading)
    client.post(reverse("account_logout"))
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404


@pytest.mark.django_db
def test_a_ticket_is_bound_to_its_session_and_reading(
    client, group, member, organizer, assigned_reading
):
    signed_in(client, member)
    url, etag = live_url(client, group, assigned_reading)
    other = signed_in(type(client)(), organizer)  # another session entirely
    assert other.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404
    wrong_reading = url.replace(f"/r/{assigned_reading.slug}/", "/r/another-reading/")
    assert client.get(wrong_reading, HTTP_IF_NONE_MATCH=etag).status_code == 404
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert client.get(tampered, HTTP_IF_NONE_MATCH=etag).status_code == 404


@pytest.mark.django_db
def test_a_reading_taken_back_to_draft_stops_answering(client, group, member, assigned_reading):
    signed_in(client, member)
    url, etag = live_url(client, group, assigned_reading)
    make_annotation(group, assigned_reading, member, body="Still there?")
    assigned_reading.status = assigned_reading.Status.DRAFT
    assigned_reading.save()
    # Neither "nothing new" nor the news: the reading is no longer the group's to read.
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404
    assert client.get(url, HTTP_IF_NONE_MATCH='"0"').status_code == 404


@pytest.mark.django_db
def test_staff_lose_the_ticket_with_their_membership(client, group, staff, assigned_reading):
    membership = add_member(group, staff)
    signed_in(client, staff)
    url, etag = live_url(client, group, assigned_reading)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    membership.delete()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404


def question_count(html: str) -> str | None:
    found = re.search(
        r'<template data-live="question-count"><span id="question-count">([^<]*)<', html
    )
    return found and found.group(1)


@pytest.mark.django_db
def test_the_questions_count_comes_with_a_change_to_the_questions(
    client, group, member, organizer, assigned_reading
):
    first = make_annotation(group, assigned_reading, organizer, body="First?")
    signed_in(client, member)
    page = client.get(reverse("discussions:reading", args=[group.slug, assigned_reading.slug]))
    assert '<span id="question-count">(1)</span>' in page.content.decode()
    url, etag = live_url(client, group, assigned_reading)

    make_annotation(group, assigned_reading, organizer, body="Second?")
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert question_count(response.content.decode()) == "(2)"

    # A comment leaves the count as it was.
    make_annotation(group, assigned_reading, organizer, kind="comment", body="Nice.")
    response = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert response.status_code == 200 and question_count(response.content.decode()) == "(2)"
    post_reply(annotation=first, parent=None, body="Yes.", author=organizer)

    # Through the page's filters: only the member's own questions, of which one.
    make_annotation(group, assigned_reading, member, body="Mine?")
    response = client.get(url + "&mine=on", HTTP_IF_NONE_MATCH=response["ETag"])
    assert question_count(response.content.decode()) == "(1)"

    # A deleted question (kept as a placeholder for its reply) no longer counts.
    delete_post(post=first)
    response = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert question_count(response.content.decode()) == "(2)"


@pytest.mark.django_db
@pytest.mark.parametrize("questions", [30, 300])
def test_the_questions_count_is_counted_not_listed(
    client, group, member, organizer, assigned_reading, django_assert_num_queries, questions
):
    make_questions(group, assigned_reading, [member, organizer], questions)
    signed_in(client, member)
    url, etag = live_url(client, group, assigned_reading)
    person = make_user("other@example.org")
    add_member(group, person)
    other = signed_in(Client(), person)
    other_url, other_etag = live_url(other, group, assigned_reading)
    make_annotation(group, assigned_reading, organizer, kind="note", body="Private")
    hidden = make_annotation(group, assigned_reading, organizer, body="Rude?")
    moderate(post=hidden, group=group, actor=organizer, action="hidden")
    # The same queries for 30 questions or 300: a count (besides the ticket, the
    # session and user, the changes, the people, the changed passage's margin
    # drawn through the filters: its passage, heat, counts, threads ranked then
    # fetched, marks; and the meeting banner).
    with django_assert_num_queries(13):
        response = client.get(url + "&unanswered=on", HTTP_IF_NONE_MATCH=etag)
    # The hidden question counts, as the list shows it ("hidden by a moderator");
    # the organizer's private note does not.
    expected = f"({questions - questions // 3 + 1})"
    assert question_count(response.content.decode()) == expected
    # Another member polling at the same version through the same filters is
    # given the count the first one made: no count query (the margin is drawn
    # again, through the filters).
    with django_assert_num_queries(12):
        response = other.get(other_url + "&unanswered=on", HTTP_IF_NONE_MATCH=other_etag)
    assert question_count(response.content.decode()) == expected
