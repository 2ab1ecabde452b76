from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from readings.models import Reading

from ..models import Assignment
from ..sections import dress_assignments

NEXT_MEETINGS = 5


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The landing page for visitors; a signed-in person's groups and meetings."""
    if not request.user.is_authenticated:
        return render(request, "groups/landing.html")
    memberships = list(request.user.memberships.select_related("group").order_by("group__name"))
    assignments = list(
        Assignment.objects.filter(
            group__memberships__user=request.user, reading__status=Reading.Status.PUBLISHED
        ).select_related("group", "reading")
    )
    dress_assignments(request.user, assignments)
    today = timezone.localdate()
    upcoming = sorted(
        (a for a in assignments if a.meeting_date and a.meeting_date >= today),
        key=lambda a: a.meeting_date,
    )
    return render(
        request,
        "groups/dashboard.html",
        {
            "memberships": memberships,
            "next_meetings": upcoming[:NEXT_MEETINGS],
            "assignments": assignments,
        },
    )
