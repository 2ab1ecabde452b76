"""Meetings: started by a facilitator, followed by members, summarised after."""

import datetime
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discussions.models import ModerationEvent
from discussions.services import moderate, next_version, post_reply
from facilitation.models import AgendaItem, Attendance, Meeting, MeetingStep
from facilitation.sections import JUST_ENDED
from facilitation.services import add_agenda_item, publish_agenda, start_meeting
from groups.models import Assignment
from groups.services import assign_reading
from tests.conftest import (
    add_member,
    browsing_as,
    make_annotation,
    make_reading,
    make_user,
    signed_in,
)
from tests.discussions.test_live import live_url


@pytest.fixture
def agenda(group, facilitator, assigned_reading):
    passage = assigned_reading.passages.get(position=2)
    add_agenda_item(
        group=group,
        reading=assigned_reading,
        text="First question",
        minutes=10,
        passage=passage,
        seen_version=0,
    )
    add_agenda_item(
        group=group, reading=assigned_reading, text="Second question", minutes=5, seen_version=1
    )
    publish_agenda(group=group, reading=assigned_reading, actor=facilitator, seen_version=2)
    return list(AgendaItem.objects.all())


def start(client, group, reading):
    return client.post(reverse("facilitation:start_meeting", args=[group.slug, reading.slug]))


@pytest.mark.django_db
def test_start_needs_a_published_question(client, group, facilitator, assigned_reading):
    response = signed_in(client, facilitator).post(
        reverse("facilitation:start_meeting", args=[group.slug, assigned_reading.slug]), follow=True
    )
    assert "Publish at least one agenda question" in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_run_a_meeting(client, group, facilitator, member, organizer, assigned_reading, agenda):
    first, second = agenda
    response = start(signed_in(client, facilitator), group, assigned_reading)
    meeting = Meeting.objects.get()
    assert response.url == f"/g/{group.slug}/m/{meeting.pk}/"
    assert meeting.current_item == first and meeting.running
    assert start(client, group, assigned_reading).url == response.url  # one at a time

    page = signed_in(client, member).get(response.url).content.decode()
    assert "First question" in page and 'data-minutes="10"' in page
    assert first.passage.text in page
    assert "Next</button>" not in page  # members follow; facilitators drive
    assert Attendance.objects.filter(meeting=meeting, user=member).exists()

    # A response is a reply in the item's thread.
    thread_url = reverse(
        "discussions:thread", args=[group.slug, assigned_reading.slug, first.thread_id]
    )
    client.post(thread_url + "reply/", {"body": "My response"})
    assert "My response" in client.get(response.url).content.decode()

    signed_in(client, facilitator).post(response.url, {"action": "next"})
    meeting.refresh_from_db()
    assert meeting.current_item == second
    client.post(response.url, {"action": "previous"})
    meeting.refresh_from_db()
    assert meeting.current_item == first
    assert signed_in(client, member).post(response.url, {"action": "next"}).status_code == 403


@pytest.mark.django_db
def test_members_on_the_reading_see_the_running_meeting(
    client, group, facilitator, member, assigned_reading, agenda
):
    start(signed_in(client, facilitator), group, assigned_reading)
    page = (
        signed_in(client, member)
        .get(reverse("discussions:reading", args=[group.slug, assigned_reading.slug]))
        .content.decode()
    )
    assert "A meeting is running: <strong>First question</strong>" in page
    assert f'data-follow-anchor="{agenda[0].passage.anchor}"' in page


@pytest.mark.django_db
def test_next_reaches_members_through_the_poll(
    client, group, facilitator, member, assigned_reading, agenda, django_assert_num_queries
):
    start(signed_in(client, facilitator), group, assigned_reading)
    meeting = Meeting.objects.get()
    page = signed_in(client, member).get(meeting.get_absolute_url()).content.decode()
    url, version = re.search(r'data-live-url="([^"]+)" data-live-version="(\d+)"', page).groups()
    url = url.replace("&amp;", "&")
    with django_assert_num_queries(1):
        assert client.get(url, HTTP_IF_NONE_MATCH=f'"{version}"').status_code == 304
    signed_in(type(client)(), facilitator).post(meeting.get_absolute_url(), {"action": "next"})
    response = client.get(url, HTTP_IF_NONE_MATCH=f'"{version}"')
    html = response.content.decode()
    assert response.status_code == 200
    assert '<template data-live="meeting-item">' in html and "Second question" in html
    assert '<template data-live="meeting-responses">' in html


@pytest.mark.django_db
def test_the_running_question_reworded_or_removed_reaches_the_following_pages(
    client, django_app, group, facilitator, member, assigned_reading, agenda
):
    start(signed_in(client, facilitator), group, assigned_reading)
    reading_url = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    url, etag = live_url(signed_in(client, member), group, assigned_reading)
    page = client.get(reading_url).content.decode()
    assert "A meeting is running: <strong>First question</strong>" in page
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    agenda_url = reverse("facilitation:agenda", args=[group.slug, assigned_reading.slug])
    item = agenda[0]

    def item_form():
        page = browsing_as(django_app, facilitator).get(agenda_url)
        return next(f for f in page.forms.values() if f.action.endswith(f"/{item.pk}/"))

    form = item_form()
    form[f"item-{item.pk}-text"] = "First question, reworded"
    form.submit("action", value="save").follow()
    polled = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert polled.status_code == 200
    reworded = "A meeting is running: <strong>First question, reworded</strong>"
    assert reworded in polled.content.decode()
    assert reworded in client.get(reading_url).content.decode()

    item_form().submit("action", value="delete").follow()
    polled = client.get(url, HTTP_IF_NONE_MATCH=polled["ETag"])
    assert polled.status_code == 200
    assert "A meeting is running.\n" in polled.content.decode()
    assert "reworded" not in client.get(reading_url).content.decode()


@pytest.mark.django_db
def test_a_meeting_poll_answers_only_for_a_meeting_of_its_tickets_reading(
    client, group, facilitator, member, organizer, assigned_reading, agenda
):
    other = make_reading(title="Another reading")
    assign_reading(group=group, reading=other, meeting_date=None, notes="", actor=organizer)
    start(signed_in(client, facilitator), group, assigned_reading)
    start_meeting(group=group, reading=other, actor=facilitator)
    ours, theirs = Meeting.objects.get(reading=assigned_reading), Meeting.objects.get(reading=other)
    page = signed_in(client, member).get(ours.get_absolute_url()).content.decode()
    url = re.search(r'data-live-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert client.get(url, HTTP_IF_NONE_MATCH='"0"').status_code == 200
    # The ticket is for the first reading: the other reading's meeting is not its to follow.
    elsewhere = url.replace(f"/m/{ours.pk}/", f"/m/{theirs.pk}/")
    assert elsewhere != url
    assert client.get(elsewhere, HTTP_IF_NONE_MATCH='"0"').status_code == 404
    assert client.get(url, HTTP_IF_NONE_MATCH='"0"').status_code == 200


@pytest.mark.django_db
def test_summary_after_the_meeting(
    client, group, facilitator, member, organizer, assigned_reading, agenda
):
    first, second = agenda
    start(signed_in(client, facilitator), group, assigned_reading)
    meeting = Meeting.objects.get()
    client.get(meeting.get_absolute_url())
    signed_in(client, member).get(meeting.get_absolute_url())
    post_reply(annotation=first.thread, parent=None, body="A response on the first", author=member)
    make_annotation(group, assigned_reading, organizer, body="A new question from the floor")
    signed_in(client, facilitator).post(meeting.get_absolute_url(), {"action": "next"})
    # Planned against actual: make the first step last 12 minutes.
    step = MeetingStep.objects.get(item=first)
    MeetingStep.objects.filter(pk=step.pk).update(
        started=step.ended - datetime.timedelta(minutes=12)
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        started=timezone.now() - datetime.timedelta(minutes=13)
    )
    response = client.post(
        meeting.get_absolute_url(), {"action": "end", "confirm": "yes"}, follow=True
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert "First question 10 min 12.0 min" in text
    assert "Second question 5 min" in text
    assert "Maya Member : A response on the first" in text
    assert "A new question from the floor" in text
    assert "Attendance (2) Femi Facilitator Maya Member" in text

    client.post(
        meeting.get_absolute_url(), {"action": "summary", "summary": "We agreed to read part two."}
    )
    markdown = client.get(
        reverse("facilitation:summary_markdown", args=[group.slug, meeting.pk])
    ).content.decode()
    assert "We agreed to read part two." in markdown
    assert "### First question (planned 10 min, actual 12.0 min)" in markdown
    assert "- Maya Member: A response on the first" in markdown
    assert "- Olga Organizer: A new question from the floor" in markdown
    group_page = client.get(reverse("groups:group", args=[group.slug])).content.decode()
    assert meeting.get_absolute_url() in group_page
    assert Assignment.objects.get(group=group).discussion_version > 0


@pytest.mark.django_db
def test_meeting_page_queries_stay_flat_as_responses_grow(
    client,
    group,
    facilitator,
    member,
    organizer,
    assigned_reading,
    agenda,
    django_assert_num_queries,
):
    start(signed_in(client, facilitator), group, assigned_reading)
    meeting = Meeting.objects.get()
    signed_in(client, member).get(meeting.get_absolute_url())  # attendance recorded once
    thread = agenda[0].thread
    for total in (3, 40):
        while thread.replies.count() < total:
            post_reply(annotation=thread, parent=None, body="A response", author=organizer)
        # session, user, group+role, meeting with item, attendance (get), assignment,
        # replies with authors, their reactions with who reacted, my vote, agenda, the
        # header's inbox count
        with django_assert_num_queries(11):
            page = client.get(meeting.get_absolute_url()).content.decode()
        assert page.count("A response") == total


@pytest.mark.django_db
def test_summary_shows_a_hidden_response_as_the_thread_does(
    django_app, client, group, facilitator, member, organizer, assigned_reading, agenda
):
    """A response a moderator hid keeps its text from members in the summary
    page and its Markdown; its author and moderators still see it, marked."""
    other = make_user("nell@example.org", "Nell Member")
    add_member(group, other)
    start(signed_in(client, facilitator), group, assigned_reading)
    meeting = Meeting.objects.get()
    thread = agenda[0].thread
    rude = post_reply(annotation=thread, parent=None, body="A rude remark", author=member)
    post_reply(annotation=thread, parent=None, body="A kind remark", author=organizer)
    moderate(post=rude, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    client.post(meeting.get_absolute_url(), {"action": "end", "confirm": "yes"})

    def summary(user):
        page = browsing_as(django_app, user).get(meeting.get_absolute_url())
        markdown = page.click("Markdown").text
        text = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
        return text, markdown

    text, markdown = summary(other)
    assert "rude remark" not in text and "rude remark" not in markdown
    assert "Maya Member : This was hidden by a moderator." in text
    assert "- Maya Member: *This was hidden by a moderator.*" in markdown
    assert "Olga Organizer : A kind remark" in text
    assert "- Olga Organizer: A kind remark" in markdown
    for user in (member, facilitator):
        text, markdown = summary(user)
        assert "Maya Member : Hidden by a moderator A rude remark" in text
        assert "- Maya Member (hidden by a moderator): A rude remark" in markdown


@pytest.mark.django_db
def test_the_reading_announces_a_meeting_that_just_ended(
    client, group, facilitator, member, assigned_reading, agenda
):
    start(signed_in(client, facilitator), group, assigned_reading)
    meeting = Meeting.objects.get()
    client.post(meeting.get_absolute_url(), {"action": "end", "confirm": "yes"})
    meeting.refresh_from_db()
    reading_url = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    page = signed_in(client, member).get(reading_url).content.decode()
    assert "The meeting has ended." in page and "A meeting is running" not in page
    assert f'<a href="{meeting.get_absolute_url()}">Read the summary</a>' in page
    # The banner is cached, but only until it would go by itself: the meeting
    # that ended almost an hour ago is announced for a moment more, then not.
    almost = timezone.now() - JUST_ENDED + datetime.timedelta(seconds=1.5)
    Meeting.objects.update(ended=almost)
    make_annotation(group, assigned_reading, member, body="Afterwards")  # a new version
    page = client.get(reading_url).content.decode()
    assert "The meeting has ended." in page
    time.sleep(2)
    page = client.get(reading_url).content.decode()
    assert "The meeting has ended." not in page
    assert 'id="meeting-banner"' in page  # where the next meeting will show, live


@pytest.mark.django_db
def test_facilitators_see_their_notes_in_the_meeting_members_never(
    django_app, client, group, facilitator, organizer, member, assigned_reading, agenda
):
    first, second = agenda
    AgendaItem.objects.filter(pk=first.pk).update(notes="Ask Ana first")
    AgendaItem.objects.filter(pk=second.pk).update(notes="Save time for this one")
    start(signed_in(client, facilitator), group, assigned_reading)
    meeting = Meeting.objects.get()

    def live_fragment(app):
        page = app.get(meeting.get_absolute_url())
        url = page.html.select_one("[data-live-url]")["data-live-url"]
        # A page that missed the last change: the poll sends the current item.
        return app.get(url, headers={"If-None-Match": '"0"'}).text

    for user in (facilitator, organizer):
        app = browsing_as(django_app, user)
        page = app.get(meeting.get_absolute_url())
        current = page.html.select_one("#meeting-item .facilitator-notes")
        assert "Ask Ana first" in current.text
        upcoming = page.html.select_one("[aria-labelledby=agenda-heading]").text
        assert "Ask Ana first" in upcoming and "Save time for this one" in upcoming
        # The poll keeps them on the facilitator's page.
        assert "Ask Ana first" in live_fragment(app)

    app = browsing_as(django_app, member)
    for trick in ("", "?facilitator=1", "?role=facilitator"):
        page = app.get(meeting.get_absolute_url() + trick)
        assert "First question" in page.text
        assert "Ask Ana" not in page.text and "Save time" not in page.text
    fragment = live_fragment(app)
    assert "First question" in fragment and "Ask Ana" not in fragment
    # Nor on the member's reading page, where the meeting is announced.
    reading_url = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    assert "Ask Ana" not in app.get(reading_url).text


@pytest.mark.django_db
def test_members_stop_and_resume_following_without_javascript(
    django_app, client, group, facilitator, member, assigned_reading, agenda
):
    start(signed_in(client, facilitator), group, assigned_reading)
    anchor = agenda[0].passage.anchor
    app = browsing_as(django_app, member)
    page = app.get(reverse("discussions:reading", args=[group.slug, assigned_reading.slug]))
    assert page.html.select_one("#meeting-banner")["data-follow-anchor"] == anchor

    stopped = page.click(description="Stop following")
    banner = stopped.html.select_one("#meeting-banner")
    assert banner["data-follow-anchor"] == ""
    assert "Follow the meeting" in banner.text and "Stop following" not in banner.text
    # The page's poll keeps it off: live.js sends the page's query string along.
    live_url = stopped.html.select_one("[data-live-url]")["data-live-url"]
    poll = app.get(f"{live_url}&follow=off", headers={"If-None-Match": '"0"'})
    assert 'data-follow-anchor=""' in poll.text and "Follow the meeting" in poll.text

    resumed = stopped.click(description="Follow the meeting")
    assert resumed.html.select_one("#meeting-banner")["data-follow-anchor"] == anchor
    assert "Stop following" in resumed.html.select_one("#meeting-banner").text


@pytest.mark.django_db
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    notes=st.text(alphabet="abcdefghij0123456789", min_size=4, max_size=12),
    on_second=st.booleans(),
    role=st.sampled_from(["member", "facilitator", "organizer"]),
    follow=st.sampled_from(["", "off", "on", "OFF", "no"]),
)
def test_notes_and_following_for_every_viewer(
    client,
    group,
    facilitator,
    member,
    organizer,
    assigned_reading,
    agenda,
    notes,
    on_second,
    role,
    follow,
):
    """Whoever views, wherever the meeting is, however the page is asked for:
    the notes show on the meeting page and its poll exactly for facilitators,
    never on the reading page; the reading follows the passage now discussed
    unless its address says follow=off."""
    first, second = agenda  # the first has a passage, the second none
    marker = f"NOTE{notes}"
    AgendaItem.objects.update(notes=marker)
    meeting = start_meeting(group=group, reading=assigned_reading, actor=facilitator)
    Meeting.objects.filter(pk=meeting.pk).update(current_item=second if on_second else first)
    next_version(group, assigned_reading)  # as a step does
    viewer = {"member": member, "facilitator": facilitator, "organizer": organizer}[role]
    signed_in(client, viewer)
    query = f"?follow={follow}" if follow else ""

    page = client.get(meeting.get_absolute_url() + query).content.decode()
    url = re.search(r'data-live-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    poll = client.get(url + query.replace("?", "&"), HTTP_IF_NONE_MATCH='"0"').content.decode()
    assert (marker in page) == (marker in poll) == (role != "member")

    reading_url = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    reading = client.get(reading_url + query).content.decode()
    assert marker not in reading
    following = first.passage.anchor if follow != "off" and not on_second else ""
    assert f'data-follow-anchor="{following}"' in reading
