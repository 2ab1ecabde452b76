from collections import namedtuple

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from groups.models import Membership
from groups.sections import render_sections
from readings.parts import parts_of

from .. import live, sections
from ..forms import DiscussionFilterForm
from ..models import Annotation
from ..pieces import (
    Discussion,
    draw_once,
    members_of,
    people_of,
    query_digest,
    reading_facts,
    scope_of,
)
from .reading import part_link
from .threads import thread_html

Outline = namedtuple("Outline", ["id", "anchor"])
# A poll that missed more than this sends no pieces but "reload this part".
LIVE_PASSAGES = 20
LIVE_THREADS = 200
# How long a poll's shared answer is kept: its key names the versions it goes
# from and to, so it is asked for only in the seconds after a change.
SHARED_SECONDS = 60


@require_safe
def poll(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    """Conditional GET every few seconds from an open reading page: 304 from one
    query when nothing changed, else the passages and open threads that did.
    What changed is the same for every member who sees the discussion the
    common way, so the first of them to ask draws it and the rest of them
    asking from the same version are given it from the cache."""
    etag, assignment, answer = live.unchanged(
        request,
        slug,
        reading_slug=reading_slug,
        stamps=[stamp for stamp, _ in sections.LIVE_STAMPS],
    )
    if answer:
        return answer
    people = people_of(assignment)

    def draw():
        filters = DiscussionFilterForm(request.GET, members=members_of(people))
        return _changes(request, Discussion(request, assignment, people, filters))

    key = _shared_key(request, assignment, people)
    if key:
        html, changed = draw_once([key], lambda _: {key: draw()}, SHARED_SECONDS)[key]
    else:
        html, changed = draw()
    # The viewer's open threads that changed, drawn for them alone.
    reopen = changed & {int(i) for i in request.GET.get("open", "").split(",") if i.isdigit()}
    threads = ""
    if reopen:
        drawn = []
        for annotation in Annotation.objects.filter(pk__in=reopen).select_related(
            "passage", "author"
        ):
            annotation.group, annotation.reading = assignment.group, assignment.reading
            drawn.append((annotation.pk, thread_html(request, annotation)))
        threads = render_to_string("discussions/_live_threads.html", {"threads": drawn})
    stamps = "".join(
        piece(value)
        for (_, piece), value in zip(sections.LIVE_STAMPS, assignment.stamps, strict=True)
    )
    return live.with_etag(HttpResponse(html + threads + stamps), etag)


def _shared_key(request: HttpRequest, assignment, people) -> str | None:
    """The cache key of the poll's answer for every member who sees the
    discussion the common way, as the viewer does: not a moderator (they see
    hidden posts), with no private notes or hidden posts on the reading, and
    not filtering for their own posts. None for any other viewer. The key
    names what the pieces' keys name (the discussion's scope), the versions
    the answer goes from and to, and all of the query string that shapes it
    (the page's filters and parts, and following the meeting)."""
    if assignment.group.viewer_role != Membership.Role.MEMBER or "mine" in request.GET:
        return None
    if assignment.viewer_id in reading_facts(assignment).own_view:
        return None
    query = query_digest(request.GET, "t", "open")
    scope = scope_of(assignment, people)
    return f"live:{scope}:{live.since(request)}:{assignment.discussion_version}:{query}"


def _changes(request: HttpRequest, discussion: Discussion) -> tuple[str, set[int]]:
    """The answer for what changed on the page's loaded parts since its
    version, but the viewer's open threads and their own news; and the ids of
    the threads that changed there."""
    assignment = discussion.assignment
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
    context = {
        "question_count": discussion.question_count(),
        "pieces": discussion.passages(passages, "discussions/_live_passage.html"),
        "reload_url": reload_url,
        "live_sections": render_sections(sections.LIVE, request, assignment),
    }
    return render_to_string("discussions/_live.html", context), set(changed)
