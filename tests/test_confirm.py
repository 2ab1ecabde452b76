"""Destructive actions ask first: each form carries a required "Yes, …" box
(accounts/confirm.py), and a post without the tick, from a browser that did
not check it or a request made by hand, does nothing and says why."""

import pytest
from django.urls import reverse

from accounts.confirm import NOT_CONFIRMED
from discussions.models import Annotation
from facilitation.services import start_meeting
from groups.models import Assignment, Membership
from readings.models import Reading
from tests.conftest import browsing_as, form_with, make_annotation, make_reading


def asks_then_does(page, button: str, confirm: str):
    """Press `button` on `page` without ticking, then with: the first changes
    nothing and says why; returns the page the second leads to."""
    form = form_with(page, button)
    box = form.html.find("input", attrs={"name": "confirm"})
    assert box.has_attr("required") and box.find_parent("label").get_text(strip=True) == confirm
    refused = form.submit().maybe_follow()
    assert NOT_CONFIRMED in refused.text
    form = form_with(page, button)
    form["confirm"].checked = True
    return form.submit().maybe_follow()


@pytest.mark.django_db
def test_deleting_a_draft_asks_first(django_app, staff):
    draft = make_reading(title="A draft", status=Reading.Status.DRAFT)
    page = browsing_as(django_app, staff).get(draft.get_absolute_url())
    form = form_with(page, "Delete this draft")
    form.submit().follow()
    assert Reading.objects.filter(pk=draft.pk).exists()
    done = asks_then_does(page, "Delete this draft", "Yes, delete this draft and its passages")
    assert "was deleted" in done.text and not Reading.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_removing_a_member_asks_first(django_app, group, organizer, member):
    page = browsing_as(django_app, organizer).get(reverse("groups:members", args=[group.slug]))
    form_with(page, "Remove Maya Member").submit().follow()
    assert group.memberships.filter(user=member).exists()
    done = asks_then_does(page, "Remove Maya Member", "Yes, remove them")
    assert "Maya Member was removed" in done.text
    assert not group.memberships.filter(user=member).exists()


@pytest.mark.django_db
def test_taking_a_reading_off_the_syllabus_asks_first(
    django_app, group, organizer, assigned_reading
):
    page = browsing_as(django_app, organizer).get(group.get_absolute_url())
    form_with(page, "Take off the syllabus").submit().follow()
    assert Assignment.objects.exists()
    done = asks_then_does(page, "Take off the syllabus", "Yes, take it off")
    assert "was taken off the syllabus" in done.text and not Assignment.objects.exists()


@pytest.mark.django_db
def test_ending_a_meeting_asks_first_and_next_does_not(
    django_app, group, facilitator, assigned_reading
):
    meeting = start_meeting(group=group, reading=assigned_reading, actor=facilitator)
    page = browsing_as(django_app, facilitator).get(meeting.get_absolute_url())
    # Moving on is not destructive: its buttons do not wait for the box.
    form_with(page, "Next").submit("action", value="next").follow()
    meeting.refresh_from_db()
    assert meeting.ended is None
    form_with(page, "End meeting").submit("action", value="end").follow()
    meeting.refresh_from_db()
    assert meeting.ended is None
    form = form_with(page, "End meeting")
    assert NOT_CONFIRMED in form.submit("action", value="end").follow().text
    form["confirm"].checked = True
    assert "The meeting has ended" in form.submit("action", value="end").follow().text
    meeting.refresh_from_db()
    assert meeting.ended is not None


@pytest.mark.django_db
def test_deleting_your_own_post_asks_first(django_app, group, member, assigned_reading):
    question = make_annotation(group, assigned_reading, member, body="Second thoughts")
    page = browsing_as(django_app, member).get(question.get_absolute_url())
    done = asks_then_does(page, "Delete", "Yes, delete it")
    assert "Deleted." in done.text
    assert Annotation.objects.get(pk=question.pk).deleted is not None


@pytest.mark.django_db
def test_a_tick_with_another_value_is_no_tick(client, group, organizer, member):
    client.force_login(organizer)
    url = reverse("groups:remove_member", args=[group.slug, member.pk])
    for data in ({}, {"confirm": ""}, {"confirm": "on"}, {"confirm": "YES" * 1000}):
        client.post(url, data)
    assert group.memberships.get(user=member).role == Membership.Role.MEMBER
