"""Who takes part in a group's discussions, and how: every member for its
facilitators, one's own figures for each member; nothing at all in a group
that turned the figures off."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from groups.access import can, get_group_for_member
from groups.models import Membership

from ..charts import participation_chart
from ..figures import member_figures, readings_count


@login_required
@require_safe
def participation(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_group_for_member(request, slug)
    if not group.participation_visible:
        raise Http404
    everyone = can(group, Membership.Role.FACILITATOR)
    members = member_figures(group, only=None if everyone else request.user)
    context = {
        "group": group,
        "everyone": everyone,
        "members": members,
        "chart": participation_chart(members),
        "readings": readings_count(group),
    }
    return render(request, "facilitation/participation.html", context)
