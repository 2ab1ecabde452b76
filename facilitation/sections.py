"""What facilitation shows on the pages of the apps below it: registered in
FacilitationConfig.ready()."""

import datetime
import hashlib

from django.core.cache import caches
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from discussions.pieces import VERSION_SECONDS, cached, templates_digest
from groups.access import can
from groups.models import Assignment, Group, Membership

from .models import AgendaItem, Meeting

MEETINGS_SHOWN = 20
# How long a reading still announces a meeting that ended: members who followed
# it learn that it is over, and those who come just after find its summary.
JUST_ENDED = datetime.timedelta(hours=1)


def announced_meeting(group, reading) -> Meeting | None:
    """The meeting running on a reading, else the one that just ended there."""
    return (
        Meeting.objects.filter(group=group, reading=reading)
        .filter(Q(ended=None) | Q(ended__gte=timezone.now() - JUST_ENDED))
        .order_by(F("ended").desc(nulls_first=True))
        .select_related("current_item__passage")
        .first()
    )


def _banner(request, assignment: Assignment, template: str) -> str:
    """The meeting running on the reading, else the one that just ended there,
    drawn with `template`. The same for every member who follows the meeting
    (or does not), so cached under what changes it: a meeting's start, step
    and end each make a new discussion version, and an agenda item's new
    text a new agenda version. An ended meeting's banner carries the moment it
    goes by itself."""
    group, reading = assignment.group, assignment.reading
    # Following (the page scrolling to each passage the meeting turns to) is on
    # unless the reader turned it off: `?follow=off`, which the live poll carries too.
    following = request.GET.get("follow") != "off"
    key = (
        f"banner:{template}:{templates_digest()}:{assignment.pk}:{group.slug}:{reading.slug}:"
        f"{reading.revision}:{assignment.discussion_version}:{assignment.agenda_version}:{following}"
    )

    def drawn(meeting: Meeting | None) -> str:
        context = {
            "meeting": meeting,
            "following": following,
            "reading_url": reverse("discussions:reading", args=[group.slug, reading.slug]),
        }
        return render_to_string(template, context)

    def draw():
        meeting = announced_meeting(group, reading)
        if meeting is None:
            return drawn(None), None
        meeting.group, meeting.reading = group, reading  # for its links
        return drawn(meeting), meeting.ended and meeting.ended + JUST_ENDED

    html, until = caches["pieces"].get_or_set(key, draw, VERSION_SECONDS)
    if until and timezone.now() >= until:
        # The ended meeting goes by itself. No meeting started or ended since
        # (each makes a new discussion version): there is none to announce.
        html = drawn(None)
    return mark_safe(html)


def meeting_banner(request, assignment: Assignment, passages=None) -> str:
    """Above a reading: the meeting running on it, for members to join and
    follow; or, once it ended, its summary."""
    return _banner(request, assignment, "facilitation/_meeting_banner.html")


def live_meeting_banner(request, assignment: Assignment) -> str:
    return _banner(request, assignment, "facilitation/_live_banner.html")


def published_agenda(request, assignment: Assignment, passages) -> str:
    """Above a reading: the group's published discussion questions, in the
    facilitators' order, with the minutes each is given. The same for every
    member: cached under the agenda's version, the discussion's (a thread
    going), the reading's revision (passages moved) and the passages shown."""
    group, reading = assignment.group, assignment.reading
    shown = {p.id for p in passages}
    digest = hashlib.blake2b(",".join(map(str, sorted(shown))).encode(), digest_size=8)
    key = (
        f"agenda:{templates_digest()}:{assignment.pk}:{group.slug}:{reading.slug}:"
        f"{reading.revision}:{assignment.agenda_version}:{assignment.discussion_version}:"
        f"{digest.hexdigest()}"
    )

    def draw():
        agenda = AgendaItem.objects.filter(group=group, reading=reading).exclude(published=None)
        agenda = list(agenda.select_related("passage"))
        reading_url = reverse("discussions:reading", args=[group.slug, reading.slug])
        for item in agenda:
            anchor = item.passage.anchor if item.passage else ""
            # A passage on this page is a jump away; another part of the reading, a page away.
            item.passage_url = anchor and (
                f"#{anchor}" if item.passage_id in shown else f"{reading_url}?at={anchor}#{anchor}"
            )
        context = {"group": group, "reading": reading, "agenda": agenda}
        return render_to_string("facilitation/_reading_agenda.html", context)

    return cached(key, draw, VERSION_SECONDS)


def group_meetings(group: Group) -> str:
    """On the group's page: its meetings, newest first."""
    meetings = list(group.meetings.select_related("reading")[:MEETINGS_SHOWN])
    return render_to_string("facilitation/_group_meetings.html", {"meetings": meetings})


def facilitator_links(request, assignment: Assignment) -> str:
    """Above a reading, for its facilitators: their pages about it."""
    if not can(assignment.group, Membership.Role.FACILITATOR):
        return ""
    context = {"group": assignment.group, "reading": assignment.reading}
    return render_to_string("facilitation/_facilitator_links.html", context)
