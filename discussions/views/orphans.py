"""The orphans of a reading (threads whose words a revision took out of the
text) and the forms that attach them to the text again. Leaving one as it is
takes no action: it stays readable, under "From an earlier version"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from groups.access import can, get_assignment_for_member
from groups.models import Assignment, Membership

from .. import services
from ..access import get_orphan_for_reattaching, orphans_to_reattach
from ..bodies import excerpt
from ..forms import ReattachForm
from ..models import Annotation
from ..pieces import SUMMARY_LENGTH
from ..threads import set_states

# Passages offered on each side of where an orphan's words stood. Words taken
# out are rarely far from where they were (a moved section takes its passages'
# threads with it); and every passage offered to every orphan made the page of
# a long reading megabytes long, a second per orphan to render.
NEARBY = 10


def _form(orphan: Annotation, passages: list, data=None) -> ReattachForm:
    """The orphan's form, offering the passages near its own (in `passages`, all
    of the reading's in order), its own chosen to begin with."""
    at = next(n for n, passage in enumerate(passages) if passage.pk == orphan.passage_id)
    return ReattachForm(
        data,
        prefix=f"orphan-{orphan.pk}",
        passages=passages[max(0, at - NEARBY) : at + NEARBY + 1],
        initial={"passage": passages[at].anchor},
    )


def _passages(assignment: Assignment) -> list:
    # Its reading too: the related manager sets it on each passage it gives.
    return list(assignment.reading.passages.only("reading", "anchor", "position", "text"))


def _page(request: HttpRequest, assignment: Assignment, bound: ReattachForm | None = None):
    group, reading = assignment.group, assignment.reading
    orphans = list(orphans_to_reattach(request, assignment).select_related("author"))
    set_states(orphans, request.user, can(group, Membership.Role.FACILITATOR))
    passages = _passages(assignment)
    for orphan in orphans:
        orphan.summary = excerpt(orphan.body_html, SUMMARY_LENGTH)
        orphan.form = _form(orphan, passages)
        if bound is not None and bound.prefix == orphan.form.prefix:
            orphan.form = bound
    context = {"group": group, "reading": reading, "orphans": orphans}
    return render(request, "discussions/orphans.html", context, status=400 if bound else 200)


@login_required
@require_safe
def orphans(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    return _page(request, get_assignment_for_member(request, slug, reading_slug))


@login_required
@require_POST
def reattach(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    assignment, orphan = get_orphan_for_reattaching(request, slug, reading_slug, thread_id)
    form = _form(orphan, _passages(assignment), request.POST)
    if not form.is_valid():
        return _page(request, assignment, bound=form)
    data = form.cleaned_data
    services.reattach(annotation=orphan, passage=data["passage"], selector=data["selector"])
    kind = Annotation.Kind(orphan.kind).label
    messages.success(request, f"The {kind.lower()} is attached to the text again.")
    return redirect(reverse("discussions:orphans", args=[slug, reading_slug]))
