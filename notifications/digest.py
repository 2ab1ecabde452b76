"""The daily digest: per member and group, the news they chose to read in it
and, in the week before a meeting, what the group asked about its reading."""

import datetime

from django.db.models import F
from django.utils import timezone

from discussions.models import Annotation
from groups.models import Assignment, Group

from . import emails
from .models import EmailPreference, Kind, Notification

WEEK = datetime.timedelta(days=7)
ASKED_SHOWN = 10
# An email wanted at once that still failed after its retries (about 85
# minutes of them) goes in the next digest instead.
GIVEN_UP = datetime.timedelta(hours=2)


def next_meeting(group: Group, today: datetime.date) -> Assignment | None:
    return (
        Assignment.objects.filter(
            group=group, meeting_date__gte=today, meeting_date__lt=today + WEEK
        )
        .select_related("reading")
        .order_by("meeting_date")
        .first()
    )


def asked_this_week(assignment: Assignment, now) -> list[Annotation]:
    """The week's open questions on the reading: unanswered first, then by votes."""
    questions = Annotation.objects.filter(
        group=assignment.group,
        reading=assignment.reading,
        kind=Annotation.Kind.QUESTION,
        created__gte=now - WEEK,
        hidden=None,
        deleted=None,
    ).select_related("group", "reading")
    ordered = questions.order_by(F("answered").asc(nulls_first=True), "-vote_count", "created")
    found = list(ordered[:ASKED_SHOWN])
    for question in found:
        question.text = question.body[:200]
    return found


def send_group_digests(group: Group, now) -> int:
    """Send this group's digests; returns how many were sent."""
    meeting = next_meeting(group, timezone.localdate(now))
    asked = asked_this_week(meeting, now) if meeting else []
    members = list(group.memberships.select_related("user"))
    choices = EmailPreference.choices_for([m.user for m in members], group)
    unsent = (
        Notification.objects.of_members()
        .filter(group=group, emailed=None)
        .select_related("reading")
        .order_by("created")
    )
    by_user = {}
    for notification in unsent:
        choice = choices.get((notification.user_id, notification.kind))
        late = notification.created < now - GIVEN_UP
        if choice == EmailPreference.Choice.DIGEST or (
            choice == EmailPreference.Choice.NOW and late
        ):
            by_user.setdefault(notification.user_id, []).append(notification)
    sent = 0
    for membership in members:
        user = membership.user
        notifications = by_user.get(user.pk, [])
        wants_digest = any(
            choices[(user.pk, kind)] == EmailPreference.Choice.DIGEST for kind in Kind.values
        )
        if not notifications and not (asked and wants_digest):
            continue
        context = {"notifications": notifications, "asked": asked, "next_meeting": meeting}
        mail = emails.message(
            user=user,
            group=group,
            reading=None,
            template="notifications/email/digest.txt",
            context=context,
        )
        mail.send()
        # Only once sent: a failed send leaves them for tomorrow's digest.
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed=now)
        sent += 1
    return sent
