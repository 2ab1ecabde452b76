"""The reading page of a group: passages with their marks and margins, the
questions list, filters, and the form to start a thread."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.announce import announce
from groups.access import can, get_assignment_for_member
from groups.models import Assignment, Membership
from groups.sections import render_sections
from readings.models import Passage
from readings.parts import Part, outline, part_at, parts_of

from .. import live, sections, services
from ..forms import AnnotationForm, DiscussionFilterForm
from ..models import Annotation, Visit
from ..pieces import (
    MARGIN_THREADS,
    Discussion,
    dress,
    members_of,
    people_of,
    visible_annotations,
)

THREADS_PAGE = 50


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _part_asked(request: HttpRequest, reading, parts, compose) -> Part | None:
    """The part the page shows: `?part=N`; else the one holding the passage
    `?at=<anchor>` (a permalink) or the composer names; else the first."""
    number = request.GET.get("part", "")
    if number.isdigit() and parts:
        return parts[min(max(int(number), 1), len(parts)) - 1]
    anchor = compose["passage"].value() if compose else request.GET.get("at")
    if anchor and parts:
        found = reading.passages.filter(anchor=anchor).values_list("position", flat=True)
        if found:
            return part_at(parts, found[0])
    return parts[0] if parts else None


def part_link(request: HttpRequest, assignment: Assignment) -> str:
    """The reading page's address, keeping the filters the request names, up
    to a part's number: append it."""
    query = request.GET.copy()
    dropped = ["at", "part", "t", "open", "parts"]
    # `kind` is a filter, unless it is the kind of post `discuss` opens a composer for.
    if "discuss" in query:
        dropped += ["discuss", "kind"]
    for name in dropped:
        query.pop(name, None)
    url = reverse("discussions:reading", args=[assignment.group.slug, assignment.reading.slug])
    return f"{url}?{query.urlencode()}&part=" if query else f"{url}?part="


def _parts_with_news(request: HttpRequest, assignment: Assignment, parts, seen: int):
    """The numbers of the parts holding threads with posts by others since the
    visit before this one: where "Next new" goes once the page has none left."""
    news = Annotation.objects.filter(
        group=assignment.group,
        reading=assignment.reading,
        version__gt=seen,
        last_posted__gt=seen,
        orphaned=None,
        whole_reading=False,
    )
    news = news.exclude(last_poster=request.user).visible_to(request.user)
    positions = news.order_by().values_list("passage__position", flat=True).distinct()
    return sorted({part_at(parts, position).number for position in positions})


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
    parts = parts_of(reading)
    part = _part_asked(request, reading, parts, compose)
    # An outline: the cached rows need no more, and the rest is fetched only when not cached.
    passages = outline(reading, part) if part else []
    discussion = Discussion(request, assignment, people, filters)
    following = parts[part.number] if part and part.number < len(parts) else None
    link = part_link(request, assignment)
    context = {
        "group": group,
        "reading": reading,
        "assignment": assignment,
        "rows": discussion.passages(passages, "discussions/_passage.html", compose),
        "part": part,
        "parts": parts,
        "following": following,
        "following_url": following and f"{link}{following.number}",
    }
    if is_htmx(request) and "part" in request.GET:
        # The next part, as the reader scrolls to the end of the one before.
        return render(request, "discussions/_part.html", context)
    sort = filters.cleaned_data.get("sort") if filters.is_valid() else ""
    earlier = discussion.orphans()
    facilitator = can(group, Membership.Role.FACILITATOR)
    preceding = parts[part.number - 2] if part and part.number > 1 else None
    # The list of parts, when there is more than one.
    part_urls = [(p, f"{link}{p.number}") for p in parts] if len(parts) > 1 else []
    # What is new is marked against the visit before this one; this one counts
    # as looking for the dashboard's and the group page's counts. Going from one
    # part of the reading to another continues the visit.
    seen = None
    if "part" in request.GET:
        visit = Visit.objects.filter(user=request.user, assignment=assignment)
        seen = visit.values_list("previous", flat=True).first()
    if seen is None:
        seen = Visit.record(request.user, assignment)
    context |= {
        "above_reading": render_sections(sections.ABOVE_READING, request, assignment, passages),
        "reading_tools": render_sections(sections.READING_TOOLS, request, assignment),
        "questions": discussion.questions(sort or "votes", request.GET.get("qpage")),
        "headings": [p for p in passages if p.kind == Passage.Kind.HEADING],
        "preceding": preceding,
        "preceding_url": preceding and f"{link}{preceding.number}",
        "part_urls": part_urls,
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
        "seen": seen,
        "new_parts": _parts_with_news(request, assignment, parts, seen) if part_urls else [],
        "live_url": reverse("discussions:live", args=[group.slug, reading.slug])
        + f"?t={live.ticket(request, assignment)}",
    }
    return render(request, "discussions/reading.html", context, status=status)


@login_required
@require_safe
def reading_page(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    assignment = get_assignment_for_member(request, slug, reading_slug)
    return _page(request, assignment)


@login_required
@require_safe
def passage_threads(request: HttpRequest, slug: str, reading_slug: str, anchor: str):
    """One passage with every thread on it that the filters let through, a page
    at a time: what its margin's "Show all" opens (in place, with htmx)."""
    assignment = get_assignment_for_member(request, slug, reading_slug)
    group, reading = assignment.group, assignment.reading
    passage = get_object_or_404(reading.passages, anchor=anchor)
    filters = DiscussionFilterForm(request.GET, members=members_of(people_of(assignment)))
    dress(request, assignment, [passage], filters, MARGIN_THREADS)
    threads = Annotation.objects.filter(passage=passage, orphaned=None, whole_reading=False)
    threads = filters.apply(threads.visible_to(request.user), request.user)
    pages = Paginator(threads.order_by("created", "pk").values_list("pk", flat=True), THREADS_PAGE)
    page = pages.get_page(request.GET.get("page"))
    passage.threads = visible_annotations(
        request, assignment, Annotation.objects.filter(pk__in=list(page.object_list))
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "group": group,
        "reading": reading,
        "passage": passage,
        "page": page,
        "query": query.urlencode(),
        "reading_url": reverse("discussions:reading", args=[slug, reading_slug]),
    }
    response = render(request, "discussions/passage.html", context)
    if is_htmx(request):
        shown = f"{page.start_index()}–{page.end_index()}" if pages.num_pages > 1 else "all"
        message = f"Showing {shown} of {pages.count} threads on this passage."
        return announce(response, message, f"#threads-{anchor} [data-thread-link]")
    return response


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
        # The pieces are found under the discussion's version: the one this post made.
        assignment.discussion_version = annotation.version
        posted = HttpResponse(render_passage(request, assignment, data["passage"]))
        return announce(posted, message, f'[data-thread-link="{annotation.pk}"]')
    messages.success(request, message)
    url = reverse("discussions:reading", args=[slug, reading_slug])
    anchor = data["passage"].anchor
    return redirect(f"{url}?at={anchor}#{anchor}")
