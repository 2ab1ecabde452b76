"""What notifications adds to the pages of discussions (registered in
NotificationsConfig.ready()): the follow buttons and the live inbox count."""

from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Follow, Notification


def _follow_button(request, url: str, following: bool, what: str) -> str:
    context = {"url": url, "following": following, "what": what}
    return render_to_string("notifications/_follow.html", context, request=request)


def follow_reading_button(request, assignment) -> str:
    group, reading = assignment.group, assignment.reading
    following = Follow.objects.filter(
        user=request.user, group=group, reading=reading, annotation=None
    ).exists()
    url = reverse("notifications:follow_reading", args=[group.slug, reading.slug])
    return _follow_button(request, url, following, "reading")


def follow_thread_button(request, annotation) -> str:
    following = Follow.objects.filter(user=request.user, annotation=annotation).exists()
    url = reverse(
        "notifications:follow_thread",
        args=[annotation.group.slug, annotation.reading.slug, annotation.pk],
    )
    return _follow_button(request, url, following, "thread")


def live_inbox_count(unread: int) -> str:
    """The header's count (`unread_stamp`'s value), carried by every live update
    that has changes."""
    return render_to_string("notifications/_live_count.html", {"inbox_unread": unread})


def unread_stamp(user_id: int):
    """The viewer's unread count, inside the live poll's one query: a new
    notification (from any reading, or fanned out after the reply the poll
    already brought) makes the next poll answer with the new count."""
    unread = (
        Notification.objects.for_inbox(user_id)
        .filter(read=None)
        .order_by()
        .values("user")
        .annotate(unread=Count("pk"))
        .values("unread")
    )
    return Coalesce(Subquery(unread[:1]), 0)
