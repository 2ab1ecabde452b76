"""Who hears of what. A discussion or a meeting announces an event when its
write commits (discussions.events); the fan-out runs in the task worker, never
inside the request: it writes the in-app notifications first, then queues an
email for each member who wants one at once."""

from django.urls import reverse
from django.utils import timezone

from discussions.bodies import excerpt, mentioned
from discussions.models import Annotation, Reply
from facilitation.models import AgendaItem, Meeting
from groups.models import Group, Membership
from readings.models import Reading

from .models import EmailPreference, Follow, Kind, Notification


def follow(*, user, group: Group, reading: Reading, annotation: Annotation | None = None) -> None:
    Follow.objects.get_or_create(user=user, group=group, reading=reading, annotation=annotation)


def toggle_follow(
    *, user, group: Group, reading: Reading, annotation: Annotation | None = None
) -> bool:
    """Follow, or stop following. Returns whether the user follows it now."""
    removed, _ = Follow.objects.filter(
        user=user, group=group, reading=reading, annotation=annotation
    ).delete()
    if not removed:
        follow(user=user, group=group, reading=reading, annotation=annotation)
    return not removed


def _reading_followers(group_id: int, reading_id: int) -> set[int]:
    return set(
        Follow.objects.filter(group=group_id, reading=reading_id, annotation=None).values_list(
            "user", flat=True
        )
    )


def _thread_post(annotation: Annotation, html: str):
    """Who hears of a new post in a thread: mentioned members, the thread's
    followers (REPLY if they posted in it), and the reading's followers. One
    event concerning a member in several ways is told once, by the first."""
    kinds = dict.fromkeys(mentioned(html), Kind.MENTION)
    thread_followers = set(
        Follow.objects.filter(annotation=annotation).values_list("user", flat=True)
    )
    posted = {annotation.author_id} | set(annotation.replies.values_list("author", flat=True))
    for user_id in thread_followers:
        kinds.setdefault(user_id, Kind.REPLY if user_id in posted else Kind.FOLLOWED)
    for user_id in _reading_followers(annotation.group_id, annotation.reading_id):
        kinds.setdefault(user_id, Kind.FOLLOWED)
    return kinds


def _hidden_from_members(annotation: Annotation) -> bool:
    return annotation.kind == Annotation.Kind.NOTE or bool(annotation.hidden or annotation.deleted)


def fan_out(event: str, ids: dict) -> list[int]:
    """Write the notifications of one event; returns those to email at once."""
    handler = {
        "annotation_posted": _annotation_posted,
        "reply_posted": _reply_posted,
        "answered": _answered,
        "agenda_published": _agenda_published,
        "meeting_started": _meeting_started,
    }[event]
    found = handler(**ids)
    if not found:
        return []
    kinds, actor_id, group, reading, key, url, text = found
    return _deliver(kinds, actor_id, group, reading, key, url, text)


def _annotation_posted(annotation_id: int):
    annotation = Annotation.objects.select_related("group", "reading", "author").get(
        pk=annotation_id
    )
    follow(
        user=annotation.author,
        group=annotation.group,
        reading=annotation.reading,
        annotation=annotation,
    )
    # A note is its author's alone; an agenda's threads are told of as the agenda.
    if _hidden_from_members(annotation) or AgendaItem.objects.filter(thread=annotation).exists():
        return None
    kinds = dict.fromkeys(mentioned(annotation.body_html), Kind.MENTION)
    for user_id in _reading_followers(annotation.group_id, annotation.reading_id):
        kinds.setdefault(user_id, Kind.FOLLOWED)
    what = annotation.get_kind_display().lower()
    text = f"{annotation.author} asked" if what == "question" else f"{annotation.author} commented"
    return (
        kinds,
        annotation.author_id,
        annotation.group,
        annotation.reading,
        f"annotation-{annotation.pk}",
        annotation.get_absolute_url(),
        f"{text}: {excerpt(annotation.body_html, 200)}",
    )


def _reply_posted(reply_id: int):
    reply = Reply.objects.select_related("author", "annotation__group", "annotation__reading").get(
        pk=reply_id
    )
    annotation = reply.annotation
    follow(
        user=reply.author, group=annotation.group, reading=annotation.reading, annotation=annotation
    )
    # A deleted thread still shows its replies; a hidden one shows nothing.
    if annotation.kind == Annotation.Kind.NOTE or annotation.hidden:
        return None
    if reply.hidden or reply.deleted:
        return None
    text = f"{reply.author} replied: {excerpt(reply.body_html, 200)}"
    if annotation.answer_first and not annotation.revealed:
        # One text for every recipient, and some of them must answer first.
        text = f"A new reply to a question to answer first: {excerpt(annotation.body_html, 200)}"
    return (
        _thread_post(annotation, reply.body_html),
        reply.author_id,
        annotation.group,
        annotation.reading,
        f"reply-{reply.pk}",
        f"{annotation.get_absolute_url()}#r-{reply.pk}",
        text,
    )


def _answered(annotation_id: int, actor_id: int):
    annotation = Annotation.objects.select_related("group", "reading").get(pk=annotation_id)
    if _hidden_from_members(annotation) or not annotation.answered:
        return None
    url = annotation.get_absolute_url()
    if annotation.answer_id:
        url += f"#r-{annotation.answer_id}"
    return (
        {annotation.author_id: Kind.ANSWERED},
        actor_id,
        annotation.group,
        annotation.reading,
        f"answered-{annotation.pk}-{annotation.answered.timestamp():.0f}",
        url,
        f"Your question is marked answered: {excerpt(annotation.body_html, 200)}",
    )


def _members(group: Group) -> set[int]:
    return set(Membership.objects.filter(group=group).values_list("user", flat=True))


def _agenda_published(group_id: int, reading_id: int, actor_id: int):
    group, reading = Group.objects.get(pk=group_id), Reading.objects.get(pk=reading_id)
    published = (
        AgendaItem.objects.filter(group=group, reading=reading)
        .exclude(published=None)
        .order_by("-published")
        .values_list("published", flat=True)
        .first()
    )
    return (
        dict.fromkeys(_members(group), Kind.AGENDA),
        actor_id,
        group,
        reading,
        f"agenda-{group.pk}-{reading.pk}-{published.timestamp():.0f}",
        reverse("discussions:reading", args=[group.slug, reading.slug]),
        f"The agenda for {reading.title} is published",
    )


def _meeting_started(meeting_id: int):
    meeting = Meeting.objects.select_related("group", "reading").get(pk=meeting_id)
    return (
        dict.fromkeys(_members(meeting.group), Kind.MEETING),
        meeting.started_by_id,
        meeting.group,
        meeting.reading,
        f"meeting-{meeting.pk}",
        meeting.get_absolute_url(),
        f"A meeting on {meeting.reading.title} has started",
    )


def _deliver(kinds: dict, actor_id, group, reading, key, url, text) -> list[int]:
    """Notify the group's members among `kinds` (never the actor), once each;
    returns the notifications (new or not yet sent) to email at once."""
    recipients = (set(kinds) & _members(group)) - {actor_id}
    if not recipients:
        return []
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                actor_id=actor_id,
                group=group,
                reading=reading,
                kind=kinds[user_id],
                event=key,
                url=url,
                text=text[:300],
            )
            for user_id in recipients
        ],
        ignore_conflicts=True,
    )
    choices = EmailPreference.choices_for(recipients, group)
    at_once = [u for u in recipients if choices[(u, kinds[u])] == EmailPreference.Choice.NOW]
    unsent = Notification.objects.filter(event=key, user__in=at_once, emailed=None)
    return list(unsent.values_list("pk", flat=True))


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read=None).update(read=timezone.now())
