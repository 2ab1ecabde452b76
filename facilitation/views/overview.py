"""A reading's overview for its facilitators: the whole discussion at a
glance, passage by passage, and the passages members find hardest, each a
press away from the agenda."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from groups.access import get_assignment_for_member
from groups.models import Membership

from ..charts import figure_rows, minimap
from ..figures import CLUSTER, RANKED, most_confused, reading_figures


@login_required
@require_safe
def overview(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    assignment = get_assignment_for_member(
        request, slug, reading_slug, role=Membership.Role.FACILITATOR
    )
    group, reading = assignment.group, assignment.reading
    figures = reading_figures(group, reading)
    active = [f for f in figures if f.active]
    totals = {
        name: sum(getattr(f, name) for f in active)
        for name in ("posts", "questions", "open_questions", "votes", "lost", "discuss")
    }
    context = {
        "group": group,
        "reading": reading,
        "assignment": assignment,
        "passage_count": len(figures),
        "map": minimap(figures),
        "active": len(active),
        "rows": figure_rows(active, assignment.get_absolute_url()),
        "totals": totals,
        "ranked": most_confused(group, reading, figures),
        "ranked_most": RANKED,
        "cluster": CLUSTER,
    }
    return render(request, "facilitation/overview.html", context)
