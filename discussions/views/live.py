from collections import namedtuple

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from groups.sections import render_sections
from readings.parts import parts_of

from .. import live, sections
from ..forms import DiscussionFilterForm
from ..models import Annotation
from ..pieces import Discussion, members_of, people_of
from .reading import part_link
from .threads import thread_html

Outline = namedtuple("Outline", ["id", "anchor"])
# A poll that missed more than this sends no pieces but "reload this part".
LIVE_PASSAGES = 20
LIVE_THREADS = 200


@require_safe
def poll(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    """Conditional GET every few seconds from an open reading page: 304 from one
    query when nothing changed, else the passages and open threads that did."""
    etag, assignment, answer = live.unchanged(
        request,
        slug,
        reading_slug=reading_slug,
        stamps=[stamp for stamp, _ in sections.LIVE_STAMPS],
    )
    if answer:
        return answer
    # Only the parts the page has loaded, and only so much of them: past that,
    # the page is told to reload its part rather than sent most of it again.
    parts = parts_of(assignment.reading)
    loaded = sorted({int(n) for n in request.GET.get("parts", "1").split(",") if n.isdigit()})
    loaded = [parts[n - 1] for n in loaded if 0 < n <= len(parts)]
    changed = {}
    if loaded:
        changed = Annotation.objects.filter(
            group=assignment.group,
            reading=assignment.reading,
            version__gt=live.since(request),
            passage__position__range=(loaded[0].first, loaded[-1].last),
        ).visible_to(request.user)
        changed = changed.values_list("pk", "passage_id", "passage__anchor")
        changed = {pk: (passage, anchor) for pk, passage, anchor in changed[: LIVE_THREADS + 1]}
    # An outline of the changed passages: most margins are in the cache already.
    passages = [Outline(pk, anchor) for pk, anchor in sorted(set(changed.values()))]
    reload_url = ""
    if len(changed) > LIVE_THREADS or len(passages) > LIVE_PASSAGES:
        reload_url = f"{part_link(request, assignment)}{loaded[0].number}"
        changed, passages = {}, []
    people = people_of(assignment)
    filters = DiscussionFilterForm(request.GET, members=members_of(people))
    discussion = Discussion(request, assignment, people, filters)
    open_ids = {int(i) for i in request.GET.get("open", "").split(",") if i.isdigit()}
    threads = []
    for annotation in Annotation.objects.filter(pk__in=open_ids & set(changed)).select_related(
        "passage", "author"
    ):
        annotation.group, annotation.reading = assignment.group, assignment.reading
        threads.append((annotation.pk, thread_html(request, annotation)))
    context = {
        "question_count": discussion.question_count(),
        "pieces": discussion.passages(passages, "discussions/_live_passage.html"),
        "threads": threads,
        "reload_url": reload_url,
        "group": assignment.group,
        "reading": assignment.reading,
        "live_sections": render_sections(sections.LIVE, request, assignment)
        + mark_safe(
            "".join(
                piece(value)
                for (_, piece), value in zip(sections.LIVE_STAMPS, assignment.stamps, strict=True)
            )
        ),
    }
    return live.with_etag(render(request, "discussions/_live.html", context), etag)
