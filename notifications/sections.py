"""What notifications adds to the pages of discussions (registered in
NotificationsConfig.ready()): the follow buttons and the live inbox count."""

from django.template.loader import render_to_string
from django.urls import reverse

from .context_processors import unread_count
from .models import Follow


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


def live_inbox_count(request) -> str:
    """The header's count, carried by every live update that has changes."""
    context = {"inbox_unread": unread_count(request.user)}
    return render_to_string("notifications/_live_count.html", context, request=request)
