from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from groups.access import get_group_for_member
from groups.models import Membership

from ..models import Annotation, Reply

LOG_LENGTH = 100


@login_required
@require_safe
def moderation(request: HttpRequest, slug: str) -> HttpResponse:
    """What members reported, what is hidden, and who did what about it."""
    group = get_group_for_member(request, slug, role=Membership.Role.FACILITATOR)
    flags = list(
        group.flags.filter(resolved=None).select_related(
            "reporter",
            "annotation__author",
            "annotation__reading",
            "reply__author",
            "reply__annotation__reading",
        )
    )
    hidden = list(
        Annotation.objects.filter(group=group, hidden__isnull=False).select_related(
            "author", "reading"
        )
    ) + list(
        Reply.objects.filter(annotation__group=group, hidden__isnull=False).select_related(
            "author", "annotation__reading"
        )
    )
    # The thread each item belongs to, for its links.
    for item in flags:
        item.thread = item.annotation or item.reply.annotation
    for post in hidden:
        post.thread = post if isinstance(post, Annotation) else post.annotation
    events = group.moderation_events.select_related("actor", "annotation__author", "reply__author")[
        :LOG_LENGTH
    ]
    context = {"group": group, "flags": flags, "hidden": hidden, "events": events}
    return render(request, "discussions/moderation.html", context)
