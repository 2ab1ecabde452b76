"""A meeting: started by a facilitator, followed live by members, then kept
as its summary (planned against actual time, responses, new questions, who came)."""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.confirm import NOT_CONFIRMED, confirmed
from discussions import live
from discussions.models import Annotation, Reply
from discussions.threads import set_states
from discussions.views.threads import thread_html
from groups.access import can, get_assignment_for_member
from groups.models import Assignment, Membership

from .. import services
from ..access import get_meeting_for_member
from ..models import AgendaItem, Attendance, Meeting

FACILITATOR = Membership.Role.FACILITATOR


@login_required
@require_POST
def start(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    assignment = get_assignment_for_member(request, slug, reading_slug, role=FACILITATOR)
    if not AgendaItem.objects.filter(group=assignment.group, reading=assignment.reading).exclude(
        published=None
    ):
        messages.error(request, "Publish at least one agenda question before starting a meeting.")
        return redirect("facilitation:agenda", slug, reading_slug)
    meeting = services.start_meeting(
        group=assignment.group, reading=assignment.reading, actor=request.user
    )
    return redirect(meeting)


def _current(request: HttpRequest, meeting: Meeting) -> dict:
    """The current item and its responses (its thread, rendered): what members
    follow, with the item's notes for facilitators."""
    item = meeting.current_item
    context = {
        "meeting": meeting,
        "group": meeting.group,
        "reading": meeting.reading,
        "item": item,
        "facilitator": can(meeting.group, FACILITATOR),
    }
    if item and item.thread_id:
        thread = item.thread
        thread.group, thread.reading = meeting.group, meeting.reading
        context["thread_html"] = thread_html(request, thread)
    return context


# The summary's bar chart, in SVG units: bars start after their labels, and
# the longest bar (of planned or actual minutes) is BAR_SPAN long.
LABEL_SPAN, BAR_SPAN, BAR_HEIGHT, ROW = 64, 440, 16, 68


@dataclass
class Bar:
    label: str
    minutes: float
    width: float
    y: int
    x = LABEL_SPAN

    @property
    def text_x(self) -> float:
        # The figure after the bar's end.
        return LABEL_SPAN + self.width + 6


def _chart(covered: list[AgendaItem]) -> int:
    """Lay out each covered item's two bars (`item.bars`), planned and actual
    minutes to one scale; returns the chart's height."""
    longest = max((m for item in covered for m in (item.minutes, item.actual_minutes)), default=0)
    scale = BAR_SPAN / longest if longest else 0
    for n, item in enumerate(covered):
        item.y = n * ROW
        item.bars = [
            Bar(label, minutes, round(minutes * scale, 1), item.y + 20 + k * (BAR_HEIGHT + 4))
            for k, (label, minutes) in enumerate(
                (("Planned", item.minutes), ("Actual", item.actual_minutes))
            )
        ]
    return len(covered) * ROW


def _summary(meeting: Meeting, user) -> dict:
    items = list(
        AgendaItem.objects.filter(group=meeting.group, reading=meeting.reading)
        .exclude(published=None)
        .select_related("passage", "promoted_from__author")
    )
    spent = defaultdict(float)
    for step in meeting.steps.all():
        spent[step.item_id] += ((step.ended or meeting.ended) - step.started).total_seconds()
    responses = defaultdict(list)
    threads = {item.thread_id: item for item in items}
    # A question members answer first keeps its responses from those who have not.
    readable = Annotation.objects.filter(pk__in=list(threads)).replies_open_to(user)
    for reply in Reply.objects.filter(
        annotation__in=readable,
        created__gte=meeting.started,
        created__lte=meeting.ended,
        deleted=None,
    ).select_related("author"):
        responses[reply.annotation_id].append(reply)
    # A hidden response reads as it does in its thread: blanked but for its author and moderators.
    set_states(
        [reply for replies in responses.values() for reply in replies],
        user,
        can(meeting.group, FACILITATOR),
    )
    covered = []
    for item in items:
        item.actual_minutes = round(spent[item.pk] / 60, 1)
        item.responses = responses[item.thread_id]
        if spent[item.pk] or item.responses:
            covered.append(item)
    new_questions = Annotation.objects.filter(
        group=meeting.group,
        reading=meeting.reading,
        kind=Annotation.Kind.QUESTION,
        created__gte=meeting.started,
        created__lte=meeting.ended,
        deleted=None,
        hidden=None,
        agenda_items=None,
    ).select_related("author", "passage")
    return {
        "covered": covered,
        "chart_height": _chart(covered),
        "planned_total": sum(item.minutes for item in covered),
        "actual_total": round(sum(item.actual_minutes for item in covered), 1),
        "new_questions": list(new_questions),
        "attendance": list(meeting.attendance.select_related("user")),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_member(request, slug, meeting_id)
    facilitator = can(meeting.group, FACILITATOR)
    if request.method == "POST":
        return _act(request, meeting, facilitator)
    context = {
        "meeting": meeting,
        "group": meeting.group,
        "reading": meeting.reading,
        "facilitator": facilitator,
    }
    if meeting.running:
        Attendance.objects.get_or_create(meeting=meeting, user=request.user)
        assignment = Assignment.objects.get(group=meeting.group, reading=meeting.reading)
        context |= _current(request, meeting)
        context["agenda"] = AgendaItem.objects.filter(
            group=meeting.group, reading=meeting.reading
        ).exclude(published=None)
        context["live_url"] = f"{request.path}live/?t={live.ticket(request, assignment)}"
        context["version"] = assignment.discussion_version
        return render(request, "facilitation/meeting.html", context)
    context |= _summary(meeting, request.user)
    return render(request, "facilitation/summary.html", context)


def _act(request: HttpRequest, meeting: Meeting, facilitator: bool) -> HttpResponse:
    if not facilitator:
        raise PermissionDenied
    action = request.POST.get("action")
    if action == "summary":
        meeting.summary = request.POST.get("summary", "")[:20_000]
        meeting.save(update_fields=["summary"])
        messages.success(request, "Summary saved.")
    elif not meeting.running:
        messages.error(request, "This meeting has ended.")
    elif action in ("next", "previous"):
        services.step_meeting(meeting=meeting, step=1 if action == "next" else -1)
    elif action == "end" and not confirmed(request):
        messages.error(request, NOT_CONFIRMED)
    elif action == "end":
        services.end_meeting(meeting=meeting)
        messages.success(request, "The meeting has ended. Here is its summary.")
    return redirect(meeting)


def _has_meeting(meeting_id: int) -> Exists:
    """The condition "this meeting is of the assignment", for its poll's ticket."""
    return Exists(
        Meeting.objects.filter(pk=meeting_id, group=OuterRef("group"), reading=OuterRef("reading"))
    )


@require_safe
def meeting_live(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """The meeting page's poll: 304 from one query, else the current item and,
    separately, its responses."""
    etag, _, answer = live.unchanged(request, slug, also=(_has_meeting, meeting_id))
    if answer:
        return answer
    meeting = get_meeting_for_member(request, slug, meeting_id)
    return live.with_etag(
        render(request, "facilitation/_meeting_live.html", _current(request, meeting)), etag
    )


@login_required
@require_safe
def summary_markdown(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_member(request, slug, meeting_id)
    if meeting.running:
        raise Http404
    context = {"meeting": meeting, "group": meeting.group, "reading": meeting.reading} | _summary(
        meeting, request.user
    )
    response = render(
        request, "facilitation/summary.md", context, content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="meeting-{meeting.started:%Y-%m-%d}.md"'
    )
    return response
