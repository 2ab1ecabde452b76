"""The reading page of a group: passages with their marks and margins, the
questions list, filters, and the form to start a thread."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from readings.models import Passage

from .. import live, services
from ..access import can, get_assignment_for_member
from ..anchoring import mark_html
from ..bodies import excerpt
from ..forms import AnnotationForm, DiscussionFilterForm
from ..models import AgendaItem, Annotation, Assignment, Meeting, Membership
from ..threads import BLANKED, DELETED, set_states

# Posts on a passage (threads and replies) from which each heat level starts.
HEAT_STEPS = (1, 3, 6, 11)
SUMMARY_LENGTH = 120
QUESTION_SORTS = {
    "votes": lambda a: (-a.vote_count, a.created),
    "newest": lambda a: (-a.created.timestamp(), 0),
    "passage": lambda a: (a.passage.position, a.start or 0, a.created),
}


def running_meeting(group, reading) -> Meeting | None:
    return (
        Meeting.objects.filter(group=group, reading=reading, ended=None)
        .select_related("current_item__passage")
        .first()
    )


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def discussion_of(request: HttpRequest, assignment: Assignment, filters=None, passages=None):
    """The annotations the viewer may see on the reading, filtered, with the
    passages they belong to dressed for the page: marks, counts, heat, threads."""
    group, reading, user = assignment.group, assignment.reading, request.user
    moderator = can(group, Membership.Role.FACILITATOR)
    annotations = Annotation.objects.filter(group=group, reading=reading).visible_to(user)
    if passages is not None:
        annotations = annotations.filter(passage__in=passages)
    annotations = list(annotations.select_related("author"))
    set_states(annotations, user, moderator)
    # One reverse() for the page, not two per thread: thread URLs share this prefix.
    base = reverse("discussions:reading", args=[group.slug, reading.slug])
    for annotation in annotations:
        annotation.summary = excerpt(annotation.body_html, SUMMARY_LENGTH)
        annotation.url = f"{base}t/{annotation.pk}/"
    activity = defaultdict(int)
    for annotation in annotations:
        if annotation.kind != Annotation.Kind.NOTE:
            activity[annotation.passage_id] += 1 + annotation.reply_count
    shown = filters.apply(annotations, user) if filters else annotations
    by_passage = defaultdict(list)
    for annotation in shown:
        by_passage[annotation.passage_id].append(annotation)
    if passages is None:
        passages = list(reading.passages.all())
    for passage in passages:
        threads = by_passage[passage.pk]
        passage.threads = threads
        passage.question_count = sum(a.kind == Annotation.Kind.QUESTION for a in threads)
        passage.comment_count = sum(a.kind == Annotation.Kind.COMMENT for a in threads)
        passage.activity = activity[passage.pk]
        passage.heat = sum(passage.activity >= step for step in HEAT_STEPS)
        ranges = [
            (a.start, a.end, str(a.pk))
            for a in threads
            if a.start is not None and a.state not in (BLANKED, DELETED)
        ]
        # These passages are fetched only to be shown: show them with their marks.
        passage.html = mark_html(passage.html, ranges)
    return passages, shown


def _page(request: HttpRequest, assignment: Assignment, compose=None, status: int = 200):
    group, reading = assignment.group, assignment.reading
    members = list(group.memberships.select_related("user").order_by("user__display_name"))
    filters = DiscussionFilterForm(request.GET, members=members)
    passages, shown = discussion_of(request, assignment, filters)
    questions = [a for a in shown if a.kind == Annotation.Kind.QUESTION and a.state != DELETED]
    by_pk = {p.pk: p for p in passages}
    for question in questions:
        question.passage = by_pk[question.passage_id]
    sort = filters.cleaned_data.get("sort") if filters.is_valid() else ""
    questions.sort(key=QUESTION_SORTS[sort or "votes"])
    if compose is None and request.GET.get("discuss"):
        compose = AnnotationForm(
            initial={
                "passage": request.GET["discuss"],
                "kind": request.GET.get("kind", "question"),
            },
            reading=reading,
        )
    agenda = list(AgendaItem.objects.filter(group=group, reading=reading).exclude(published=None))
    agenda.sort(
        key=lambda item: (
            by_pk[item.passage_id].position if item.passage_id in by_pk else 0,
            item.start or 0,
        )
    )
    for item in agenda:
        item.passage = by_pk.get(item.passage_id)
    context = {
        "group": group,
        "reading": reading,
        "assignment": assignment,
        "agenda": agenda,
        "meeting": running_meeting(group, reading),
        "passages": passages,
        "headings": [p for p in passages if p.kind == Passage.Kind.HEADING],
        "filters": filters,
        "questions": questions,
        "compose": compose,
        "facilitator": can(group, Membership.Role.FACILITATOR),
        # The row the composer opens in; none when its passage is not in the reading.
        "compose_anchor": next(
            (p.anchor for p in passages if compose and p.anchor == compose["passage"].value()), ""
        ),
        "blank_compose": AnnotationForm(reading=reading),
        "live_url": reverse("discussions:live", args=[group.slug, reading.slug])
        + f"?t={live.ticket(request, assignment)}",
    }
    return render(request, "discussions/reading.html", context, status=status)


@login_required
@require_safe
def reading_page(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    assignment = get_assignment_for_member(request, slug, reading_slug)
    return _page(request, assignment)


def render_passage(request: HttpRequest, assignment: Assignment, passage, compose=None) -> str:
    """One passage with its margin: what htmx swaps in after a post, and what
    the live poll sends when the passage's discussion changed."""
    discussion_of(request, assignment, passages=[passage])
    context = {
        "passage": passage,
        "group": assignment.group,
        "reading": assignment.reading,
        "compose": compose,
        "compose_anchor": passage.anchor if compose else "",
    }
    return render_to_string("discussions/_passage.html", context, request=request)


@login_required
@require_POST
def annotate(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    assignment = get_assignment_for_member(request, slug, reading_slug)
    facilitator = can(assignment.group, Membership.Role.FACILITATOR)
    form = AnnotationForm(request.POST, reading=assignment.reading, facilitator=facilitator)
    if not form.is_valid():
        passage = form.cleaned_data.get("passage")
        if is_htmx(request) and passage:
            return HttpResponse(render_passage(request, assignment, passage, form), status=400)
        return _page(request, assignment, compose=form, status=400)
    data = form.cleaned_data
    if data["kind"] == AnnotationForm.AGENDA:
        item = services.add_agenda_item(
            group=assignment.group,
            reading=assignment.reading,
            text=data["body"],
            minutes=10,
            passage=data["passage"],
            selector=data["selector"],
            seen_version=assignment.agenda_version,
        )
        messages.success(request, "Added to the agenda as a draft.")
        url = reverse("discussions:agenda", args=[slug, reading_slug]) + f"#item-{item.pk}"
        return HttpResponse(headers={"HX-Redirect": url}) if is_htmx(request) else redirect(url)
    annotation = services.post_annotation(
        group=assignment.group,
        reading=assignment.reading,
        passage=data["passage"],
        kind=data["kind"],
        body=data["body"],
        author=request.user,
        selector=data["selector"],
    )
    if is_htmx(request):
        return HttpResponse(render_passage(request, assignment, data["passage"]))
    messages.success(request, f"Your {annotation.get_kind_display().lower()} is posted.")
    url = reverse("discussions:reading", args=[slug, reading_slug])
    return redirect(f"{url}#{data['passage'].anchor}")
