"""The live poll: a conditional GET that answers 304 from one query when
nothing changed, and otherwise the passages and open threads that did."""

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discussions.services import delete_post, moderate, post_reply
from discussions.views import live as live_views
from groups.models import Membership
from groups.services import assign_reading, create_group
from notifications.models import Notification
from tests.conftest import (
    add_member,
    make_annotation,
    make_questions,
    make_reading,
    make_user,
    signed_in,
)


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
def test_a_user_deleted_while_their_poll_draws_is_a_404(
    client, group, member, assigned_reading, monkeypatch
):
    """The ticket's query found the user; they are deleted in the moment
    before the poll draws what changed for them."""
    make_annotation(group, assigned_reading, member, body="Mine")
    signed_in(client, member)
    url, _ = live_url(client, group, assigned_reading)
    drawn_people = live_views.people_of

    def deleted_first(assignment):
        member.delete()
        return drawn_people(assignment)

    monkeypatch.setattr(live_views, "people_of", deleted_first)
    assert client.get(url, HTTP_IF_NONE_MATCH='"0"').status_code == 404


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
def test_an_expired_session_stops_the_ticket(client, group, member, assigned_reading):
    signed_in(client, member)
    url, etag = live_url(client, group, assigned_reading)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404


@pytest.mark.django_db
def test_polls_in_turn_each_answer_for_their_own_ticket(client, group, member, organizer):
    """The ticket's query is compiled once and run with each poll's values: two
    members of two groups polling in turn each hear of their own reading."""
    theirs = create_group(name="Day readers", description="", creator=organizer)
    outsider = make_user("day@example.com", "Dee")
    add_member(theirs, outsider)
    readings = {}
    for circle in (group, theirs):
        readings[circle] = make_reading(title=f"Read by {circle.name}")
        assign_reading(
            group=circle, reading=readings[circle], meeting_date=None, notes="", actor=organizer
        )
    ours_client, theirs_client = signed_in(client, member), signed_in(Client(), outsider)
    ours_url, ours_etag = live_url(ours_client, group, readings[group])
    theirs_url, theirs_etag = live_url(theirs_client, theirs, readings[theirs])
    make_annotation(theirs, readings[theirs], outsider, body="Only in the day group")
    for _ in range(2):
        assert ours_client.get(ours_url, HTTP_IF_NONE_MATCH=ours_etag).status_code == 304
        news = theirs_client.get(theirs_url, HTTP_IF_NONE_MATCH=theirs_etag)
        assert news.status_code == 200 and "Only in the day group" in news.content.decode()
    # Each ticket is good for its own reading only, asked by its own session.
    assert ours_client.get(theirs_url, HTTP_IF_NONE_MATCH=theirs_etag).status_code == 404
    swapped = ours_url.split("?")[0] + "?" + theirs_url.split("?")[1]
    assert theirs_client.get(swapped, HTTP_IF_NONE_MATCH=ours_etag).status_code == 404


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
    # people, who sees the discussion their own way, the user, the
    # changes, the changed passage's margin drawn through the filters: its
    # passage, heat, counts, threads ranked then fetched, marks; and the
    # meeting banner).
    with django_assert_num_queries(13):
        response = client.get(url + "&unanswered=on", HTTP_IF_NONE_MATCH=etag)
    # The hidden question counts, as the list shows it ("hidden by a moderator");
    # the organizer's private note does not.
    expected = f"({questions - questions // 3 + 1})"
    assert question_count(response.content.decode()) == expected
    # Another member polling from the same version through the same filters is
    # given the answer the first one was: only the ticket (the people are cached).
    with django_assert_num_queries(1):
        response = other.get(other_url + "&unanswered=on", HTTP_IF_NONE_MATCH=other_etag)
    assert question_count(response.content.decode()) == expected


def poll(client, url, etag, query=""):
    return client.get(url + query, HTTP_IF_NONE_MATCH=etag).content.decode()


def margin(html: str, passage) -> str:
    """The margin piece a poll's answer carries for `passage`."""
    found = re.search(rf'<template data-live="margin-{passage.anchor}">.*?</template>', html, re.S)
    return found.group(0) if found else ""


@pytest.mark.django_db
def test_members_polling_from_the_same_version_share_one_answer(
    client, group, member, facilitator, assigned_reading, django_assert_num_queries
):
    earlier = make_annotation(
        group,
        assigned_reading,
        facilitator,
        body="Earlier talk",
        passage=assigned_reading.passages.last(),
    )
    question = make_annotation(group, assigned_reading, member, body="Shared news?")
    others = [make_user(f"reader{n}@example.org", f"Reader {n}") for n in range(2)]
    pages = []
    for person in (member, *others):
        if person != member:
            add_member(group, person)
        reader = signed_in(Client(), person)
        pages.append((reader, *live_url(reader, group, assigned_reading)))
    post_reply(annotation=question, parent=None, body="Fresh reply", author=facilitator)
    first = poll(*pages[0])
    assert "1 reply" in margin(first, question.passage)
    assert not margin(first, earlier.passage)  # older news: the page has it
    for reader, url, etag in pages[1:]:
        # Only the ticket: the people (whose names the answer shows) are cached.
        with django_assert_num_queries(1):
            html = poll(reader, url, etag)
        assert html == first
    reader, url, etag = pages[1]
    # Through other filters: their own answer, though from the same version.
    comments_only = margin(poll(reader, url, etag, "&kind=comment"), question.passage)
    assert comments_only and "Shared news?" not in comments_only
    # From an older version: the news since then, the earlier thread's too.
    assert "Earlier talk" in margin(poll(reader, url, '"0"'), earlier.passage)


@pytest.mark.django_db
@pytest.mark.parametrize("author_first", [True, False])
def test_a_private_note_or_hidden_post_keeps_its_authors_answer_their_own(
    group, member, organizer, facilitator, assigned_reading, author_first
):
    """In whichever order they poll: the author of a private note (or of a
    hidden post) is never given the others' shared answer, and the others
    never the author's."""
    passage = assigned_reading.passages.first()
    noter, hider = make_user("noter@example.org"), make_user("hider@example.org")
    for person in (noter, hider):
        add_member(group, person)
    make_annotation(group, assigned_reading, noter, kind="note", body="My secret", passage=passage)
    rude = make_annotation(group, assigned_reading, hider, body="Rude words", passage=passage)
    moderate(post=rude, group=group, actor=organizer, action="hidden")
    pages = {
        person: (reader := signed_in(Client(), person), *live_url(reader, group, assigned_reading))
        for person in (noter, hider, member, organizer)
    }
    make_annotation(group, assigned_reading, facilitator, body="News here", passage=passage)
    order = [noter, hider, member, organizer] if author_first else [member, organizer, noter, hider]
    answers = {person: margin(poll(*pages[person]), passage) for person in order}
    assert all("News here" in html for html in answers.values())
    assert "My secret" in answers[noter]
    assert all("My secret" not in answers[person] for person in (hider, member, organizer))
    # The hidden post's words: to its author and the moderator, no one else.
    assert "Rude words" in answers[hider] and "Rude words" in answers[organizer]
    assert all("Rude words" not in answers[person] for person in (noter, member))


@pytest.mark.django_db
def test_mine_open_threads_and_the_unread_count_stay_each_viewers_own(
    group, member, facilitator, assigned_reading
):
    mine = make_annotation(group, assigned_reading, member, body="My question")
    other = make_user("other@example.org", "Other reader")
    add_member(group, other)
    theirs = make_annotation(group, assigned_reading, other, body="Their question")
    pages = {
        person: (reader := signed_in(Client(), person), *live_url(reader, group, assigned_reading))
        for person in (member, other)
    }
    post_reply(annotation=mine, parent=None, body="Answer to mine", author=facilitator)
    post_reply(annotation=theirs, parent=None, body="Answer to theirs", author=facilitator)
    # Told of the answer to their question: the member, and not the other.
    Notification.objects.create(
        user=member, group=group, reading=assigned_reading, kind="reply", event="reply-1"
    )
    # Each with their own question's thread open.
    member_html = poll(*pages[member], f"&open={mine.pk}")
    other_html = poll(*pages[other], f"&open={theirs.pk}")
    assert f'data-live="thread-{mine.pk}"' in member_html
    assert f'data-live="thread-{theirs.pk}"' not in member_html
    assert f'data-live="thread-{theirs.pk}"' in other_html
    assert f'data-live="thread-{mine.pk}"' not in other_html
    # The header's unread count: the member's one notification, none for the other.
    unread = re.compile(r'<template data-live="inbox-count">(.*?)</template>', re.S)
    assert unread.search(member_html).group(1) != unread.search(other_html).group(1)
    assert "1" in unread.search(member_html).group(1)
    # "Mine": each their own threads, though asked from the same version.
    member_mine = poll(*pages[member], "&mine=on")
    other_mine = poll(*pages[other], "&mine=on")
    assert "My question" in member_mine and "Their question" not in member_mine
    assert "Their question" in other_mine and "My question" not in other_mine
