from collections import namedtuple

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from groups.models import Membership
from groups.sections import render_sections
from readings.parts import parts_of

from .. import live, sections
from ..forms import DiscussionFilterForm
from ..models import Annotation
from ..pieces import Discussion, members_of, people_of, query_digest, reading_facts, scope_of
from .reading import part_link
from .threads import thread_html

Outline = namedtuple("Outline", ["id", "anchor"])
# A poll that missed more than this sends no pieces but "reload this part".
LIVE_PASSAGES = 20
LIVE_THREADS = 200
# How long a poll's shared answer is kept: its key names the versions it goes
# from and to, so it is asked for only in the seconds after a change.
SHARED_SECONDS = 60
# A shared answer tells what changed since the oldest of this many versions
# before the newest, for every poll from one of them: each member polls from
# the version their last answer brought, and in a busy discussion those
# differ; so one draw serves every member keeping up. A passage they have up
# to date already is swapped for the same piece, which the page does not
# announce, having no new posts.
SHARED_SPAN = 4


@require_safe
def poll(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    """Conditional GET every few seconds from an open reading page: 304 from one
    query when nothing changed, else the passages and open threads that did.
    What changed is the same for every member who sees the discussion the
    common way, so the first of them to ask draws it and the rest of them
    asking from a version as recent (see SHARED_SPAN) are given it from the
    cache."""
    etag, assignment, answer = live.unchanged(
        request,
        slug,
        reading_slug=reading_slug,
        stamps=[stamp for stamp, _ in sections.LIVE_STAMPS],
    )
    if answer:
        return answer
    people = people_of(assignment)
    since = live.since(request)
    shared = _shared(request, assignment)
    # What changed since the oldest of the last few versions, when shared.
    start = min(since, max(0, assignment.discussion_version - SHARED_SPAN)) if shared else since

    def draw():
        filters = DiscussionFilterForm(request.GET, members=members_of(people))
        return _changes(request, Discussion(request, assignment, people, filters), start)

    if shared:
        scope = scope_of(assignment, people)
        query = query_digest(request.GET, "t", "open")
        key = f"live:{scope}:{start}:{assignment.discussion_version}:{query}"
        html, changed = cache.get_or_set(key, draw, SHARED_SECONDS)
    else:
        html, changed = draw()
    # The viewer's open threads that changed since their version, drawn for them alone.
    opened = {int(i) for i in request.GET.get("open", "").split(",") if i.isdigit()}
    reopen = {pk for pk, version in changed.items() if version > since and pk in opened}
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


def _shared(request: HttpRequest, assignment) -> bool:
    """Whether the viewer sees the discussion the common way, and so may be
    given the poll's answer another member drew: not a moderator (they see
    hidden posts), with no private notes or hidden posts on the reading, and
    not filtering for their own posts. The answer's key names what the
    pieces' keys name (the discussion's scope), the versions it goes from and
    to, and all of the query string that shapes it (the page's filters and
    parts, and following the meeting)."""
    if assignment.group.viewer_role != Membership.Role.MEMBER or "mine" in request.GET:
        return False
    return assignment.viewer_id not in reading_facts(assignment).own_view


def _changes(request: HttpRequest, discussion: Discussion, since: int) -> tuple[str, dict]:
    """The answer for what changed on the page's loaded parts since version
    `since`, but the viewer's open threads and their own news; and the ids of
    the threads that changed there, with the version each changed at."""
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
            version__gt=since,
            passage__position__range=(loaded[0].first, loaded[-1].last),
        ).visible_to(request.user)
        changed = changed.values_list("pk", "version", "passage_id", "passage__anchor")
        changed = {row[0]: row[1:] for row in changed[: LIVE_THREADS + 1]}
    # An outline of the changed passages: most margins are in the cache already.
    passages = sorted({Outline(pk, anchor) for _, pk, anchor in changed.values()})
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
    versions = {pk: version for pk, (version, _, _) in changed.items()}
    return render_to_string("discussions/_live.html", context), versions
