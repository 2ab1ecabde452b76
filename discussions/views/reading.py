"""The reading page of a group: passages with their marks and margins, the
questions list, filters, and the form to start a thread."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.announce import announce
from groups.access import can, get_assignment_for_member
from groups.models import Assignment, Membership
from groups.sections import render_sections
from readings.models import Passage

from .. import live, sections, services
from ..forms import AnnotationForm, DiscussionFilterForm
from ..models import Visit
from ..pieces import Discussion, members_of, people_of


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _page(request: HttpRequest, assignment: Assignment, compose=None, status: int = 200):
    group, reading = assignment.group, assignment.reading
    people = people_of(assignment)
    filters = DiscussionFilterForm(request.GET, members=members_of(people))
    if compose is None and request.GET.get("discuss"):
        compose = AnnotationForm(
            initial={
                "passage": request.GET["discuss"],
                "kind": request.GET.get("kind", "question"),
            },
            reading=reading,
        )
    # An outline: the cached rows need no more, and the rest is fetched only when not cached.
    outline = reading.passages.values_list("id", "anchor", "kind", "position", "text", named=True)
    passages = list(outline)
    discussion = Discussion(request, assignment, people, filters)
    rows = discussion.passages(passages, "discussions/_passage.html", compose, whole=True)
    sort = filters.cleaned_data.get("sort") if filters.is_valid() else ""
    earlier = discussion.orphans()
    facilitator = can(group, Membership.Role.FACILITATOR)
    context = {
        "group": group,
        "reading": reading,
        "assignment": assignment,
        "above_reading": render_sections(sections.ABOVE_READING, request, assignment, passages),
        "reading_tools": render_sections(sections.READING_TOOLS, request, assignment),
        "rows": rows,
        "questions": discussion.questions(sort or "votes", request.GET.get("qpage")),
        "headings": [p for p in passages if p.kind == Passage.Kind.HEADING],
        "filters": filters,
        "filters_html": discussion.filters_html(
            reverse("discussions:reading", args=[group.slug, reading.slug])
        ),
        "compose": compose,
        "facilitator": facilitator,
        "earlier": earlier,
        # Facilitators re-attach the group's orphans; everyone, their own.
        "may_reattach": any(facilitator or a.author_id == request.user.pk for a in earlier),
        # The composer goes on top when its passage is not in the reading.
        "compose_on_top": compose
        and not any(p.anchor == compose["passage"].value() for p in passages),
        "blank_compose": AnnotationForm(reading=reading),
        # What is new is marked against the visit before this one; this one counts
        # as looking for the dashboard's and the group page's counts.
        "seen": Visit.record(request.user, assignment),
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
    """One passage with its margin: what htmx swaps in after a post."""
    discussion = Discussion(request, assignment, people_of(assignment))
    return discussion.passages([passage], "discussions/_passage.html", compose)


def composer_refused(request: HttpRequest, assignment: Assignment, form) -> HttpResponse:
    """The composer again, with its errors and the text as typed: in place for
    htmx, else on the whole page."""
    passage = form.cleaned_data.get("passage")
    if is_htmx(request) and passage:
        refused = HttpResponse(render_passage(request, assignment, passage, form), status=400)
        errors = " ".join(error for errors in form.errors.values() for error in errors)
        return announce(refused, errors, f"#row-{passage.anchor} [data-compose-form] textarea")
    return _page(request, assignment, compose=form, status=400)


@login_required
@require_POST
def annotate(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    assignment = get_assignment_for_member(request, slug, reading_slug)
    form = AnnotationForm(request.POST, reading=assignment.reading)
    if not form.is_valid():
        return composer_refused(request, assignment, form)
    data = form.cleaned_data
    annotation = services.post_annotation(
        group=assignment.group,
        reading=assignment.reading,
        passage=data["passage"],
        kind=data["kind"],
        body=data["body"],
        author=request.user,
        selector=data["selector"],
    )
    message = f"{annotation.get_kind_display()} posted."
    if is_htmx(request):
        posted = HttpResponse(render_passage(request, assignment, data["passage"]))
        return announce(posted, message, f'[data-thread-link="{annotation.pk}"]')
    messages.success(request, message)
    url = reverse("discussions:reading", args=[slug, reading_slug])
    return redirect(f"{url}#{data['passage'].anchor}")
