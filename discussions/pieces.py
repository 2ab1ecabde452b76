"""The reading page's cached pieces: each passage rendered with its marks and
margin, the questions list and the filter form, under keys that change with
everything they show."""

import functools
import hashlib
import time
from collections import defaultdict, namedtuple
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import HttpRequest, QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from groups.access import can
from groups.models import Assignment, Group, Membership
from readings.models import Passage

from .anchoring import mark_html
from .bodies import excerpt
from .models import Annotation, Reaction
from .threads import BLANKED, DELETED, set_states

# Posts on a passage (threads and replies) from which each heat level starts.
HEAT_STEPS = (1, 3, 6, 11)
SUMMARY_LENGTH = 120
# Cached pieces are found by keys that change with what they show; this only
# frees memory from those no page asks for any more.
CACHE_SECONDS = 24 * 60 * 60
# What is keyed by the discussion's version (the people, the reading's facts,
# a part's counts, the questions list and count) is asked for only until the
# next post: kept for a quiet spell, not for a day of a busy meeting's versions.
VERSION_SECONDS = 10 * 60
# How long a request waits for pieces another is drawing (a poll's answer
# takes tens of milliseconds, a part of a reading a second at worst under
# load), how often it looks, and how long a draw that never finished keeps
# others waiting.
DRAW_WAIT = 2
DRAW_STEP = 0.02
DRAWING_SECONDS = 5
# A margin lists this many threads, the most lately active; the rest are a link away.
MARGIN_THREADS = 5
QUESTIONS_PER_PAGE = 20
# The questions list's orders, each ending on the id: pages of one order never
# share or skip a question.
QUESTION_ORDERS = {
    "votes": ("-vote_count", "created", "pk"),
    "newest": ("-created", "pk"),
    "passage": ("passage__position", Coalesce("start", 0), "created", "pk"),
}


@functools.cache
def templates_digest() -> str:
    """A digest of the project's templates as this process loaded them: in the
    pieces' keys, so servers running a new release, sharing a cache with those
    still on the old one, never take a piece the other drew."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def draw_once(keys: list[str], draw, seconds: int) -> dict:
    """The pieces under `keys`, from the cache; those missing drawn by
    `draw(missing keys)`, which gives them by key, and kept for `seconds`.
    Members ask for the same pieces at the same moments (arriving for a
    meeting, polling after a post): while one of them (on any server) draws
    those missing, the others wait for them rather than draw them too, and
    one that waits in vain draws them itself."""
    pieces = caches["pieces"]
    found = pieces.get_many(keys)
    missing = [key for key in keys if key not in found]
    if not missing:
        return found
    digest = hashlib.blake2b("\n".join(missing).encode(), digest_size=16).hexdigest()
    if not cache.add(f"drawing:{digest}", True, DRAWING_SECONDS):
        deadline = time.monotonic() + DRAW_WAIT
        while missing and time.monotonic() < deadline:
            time.sleep(DRAW_STEP)
            found |= pieces.get_many(missing)
            missing = [key for key in keys if key not in found]
    if missing:
        fresh = draw(missing)
        pieces.set_many(fresh, seconds)
        found |= fresh
    return found


def people_of(assignment: Assignment) -> list[tuple[int, str, bool]]:
    """Who can appear on a reading's page, by name: the group's members and
    anyone who started a thread there (who may have left since), as (user id,
    name shown, whether a member). Cached under the group's people version
    (see `people_changed`) and the discussion's version (a new thread's
    author)."""
    group = assignment.group
    key = (
        f"people:{group.pk}:{group.people_version}:{assignment.reading_id}:"
        f"{assignment.discussion_version}"
    )

    def fetch():
        member = Membership.objects.filter(group=group, user=OuterRef("pk"))
        authors = Annotation.objects.filter(group=group, reading=assignment.reading_id)
        rows = (
            get_user_model()
            .objects.annotate(member=Exists(member))
            .filter(Q(member=True) | Q(pk__in=authors.values("author")))
            .order_by("display_name", "pk")
            .values_list("pk", "display_name", "email", "member")
        )
        return [(pk, name or email, is_member) for pk, name, email, is_member in rows]

    return caches["pieces"].get_or_set(key, fetch, VERSION_SECONDS)


def people_changed(sender, instance, **kwargs) -> None:
    """Receives every saved or deleted membership and every saved user (see
    DiscussionsConfig.ready()): the groups whose pages may show a change of
    who is in them or of a name get a new people version, in the same
    transaction as the change."""
    if sender is Membership:
        groups = Group.objects.filter(pk=instance.group_id)
    else:
        changed = kwargs.get("update_fields")
        if kwargs.get("created") or (changed and not {"display_name", "email"} & changed):
            return
        joined = Membership.objects.filter(user=instance).values("group")
        authored = Annotation.objects.filter(author=instance).values("group")
        groups = Group.objects.filter(Q(pk__in=joined) | Q(pk__in=authored))
    groups.update(people_version=F("people_version") + 1)


def scope_of(assignment: Assignment, people: list[tuple[int, str, bool]]) -> str:
    """What every cached piece of a reading's discussion shows beyond its own
    passage's posts, as part of their keys (see `Discussion`)."""
    group, reading = assignment.group, assignment.reading
    names = "|".join(f"{pk}:{name}:{is_member}" for pk, name, is_member in people)
    scope = f"{templates_digest()}/{group.slug}/{reading.slug}/{reading.revision}/{names}"
    return f"{assignment.pk}:{hashlib.blake2b(scope.encode(), digest_size=8).hexdigest()}"


def members_of(people: list[tuple[int, str, bool]]) -> list[tuple[int, str]]:
    return [(pk, name) for pk, name, is_member in people if is_member]


def visible_annotations(request: HttpRequest, assignment: Assignment, annotations=None):
    """The reading's annotations the viewer may see (of `annotations`, a
    QuerySet, if given), each with its display state, summary and URL."""
    group, reading, user = assignment.group, assignment.reading, request.user
    if annotations is None:
        annotations = Annotation.objects.all()
    annotations = annotations.filter(group=group, reading=reading).visible_to(user)
    # Each thread's own post's reactions, counted kind by kind in the same query.
    counts = {
        f"reacted_{kind}": Count("reactions", filter=Q(reactions__kind=kind, reactions__reply=None))
        for kind in Reaction.Kind
    }
    # Ordered here: a query that counts (GROUP BY) takes no default ordering.
    annotations = annotations.select_related("author").annotate(**counts)
    annotations = list(annotations.order_by("created", "pk"))
    present(annotations, assignment, user)
    for annotation in annotations:
        annotation.reaction_counts = [
            (getattr(annotation, f"reacted_{kind}"), kind.label, Reaction.ICONS[kind])
            for kind in Reaction.Kind
            if getattr(annotation, f"reacted_{kind}")
        ]
    return annotations


def present(annotations, assignment: Assignment, user) -> None:
    """Give each of `annotations` its display state, summary and URL."""
    group, reading = assignment.group, assignment.reading
    set_states(annotations, user, can(group, Membership.Role.FACILITATOR))
    # One reverse() for the page, not two per thread: thread URLs share this prefix.
    base = reverse("discussions:reading", args=[group.slug, reading.slug])
    for annotation in annotations:
        annotation.summary = excerpt(annotation.body_html, SUMMARY_LENGTH)
        annotation.url = f"{base}t/{annotation.pk}/"


def dress(request: HttpRequest, assignment: Assignment, passages, filters=None, limit=None):
    """Put on each passage its counts and heat (from every thread there), its
    marks and its threads (those the filters let through: the `limit` most
    lately active, listed in the order they were started, or all of them),
    in a fixed number of queries however long the discussion. A thread on the
    whole reading is on none of them, nor is an orphan: its words are no
    longer in the text."""
    user = request.user
    on_words = Annotation.objects.filter(
        group=assignment.group,
        reading=assignment.reading,
        passage__in=[p.id for p in passages],
        orphaned=None,
        whole_reading=False,
    ).visible_to(user)
    shown = filters.apply(on_words, user) if filters else on_words
    by_passage = on_words.exclude(kind=Annotation.Kind.NOTE).order_by().values("passage")
    activity = dict(
        by_passage.annotate(posts=Count("pk") + Sum("reply_count")).values_list("passage", "posts")
    )
    counts = {
        row["passage"]: row
        for row in shown.order_by()
        .values("passage")
        .annotate(
            threads=Count("pk"),
            questions=Count("pk", filter=Q(kind=Annotation.Kind.QUESTION)),
            comments=Count("pk", filter=Q(kind=Annotation.Kind.COMMENT)),
        )
    }
    listed = shown
    if limit is not None:
        lately = Window(
            RowNumber(), partition_by=[F("passage")], order_by=[F("last_posted").desc(), "-pk"]
        )
        # Ranked first, on its own: as a subquery, PostgreSQL's planner (its
        # statistics behind a burst of writes) was seen ranking every passage's
        # threads again for each thread, taking 0.5 s where this takes 2 ms.
        ranked = shown.annotate(rank=lately).filter(rank__lte=limit).values_list("pk", flat=True)
        listed = Annotation.objects.filter(pk__in=list(ranked))
    threads = defaultdict(list)
    for annotation in visible_annotations(request, assignment, listed):
        threads[annotation.passage_id].append(annotation)
    # Every thread's words are marked, listed or not, but for words no one may read.
    readable = Q() if can(assignment.group, Membership.Role.FACILITATOR) else Q(author=user)
    marks = defaultdict(list)
    for passage_id, start, end, pk in shown.filter(
        Q(hidden=None) | readable, start__isnull=False, deleted=None
    ).values_list("passage", "start", "end", "pk"):
        marks[passage_id].append((start, end, str(pk)))
    for passage in passages:
        row = counts.get(passage.pk, {})
        passage.threads = threads[passage.pk]
        passage.thread_count = row.get("threads", 0)
        passage.question_count = row.get("questions", 0)
        passage.comment_count = row.get("comments", 0)
        passage.activity = activity.get(passage.pk, 0)
        passage.heat = sum(passage.activity >= step for step in HEAT_STEPS)
        # These passages are fetched only to be shown: show them with their marks.
        passage.html = mark_html(passage.html, marks[passage.pk])


def marked(html: str, threads) -> str:
    """A passage's HTML with the words each of `threads` is on marked, but for
    threads whose words no one may read (deleted, or hidden from the viewer)."""
    ranges = [
        (a.start, a.end, str(a.pk))
        for a in threads
        if a.start is not None and a.state not in (BLANKED, DELETED)
    ]
    return mark_html(html, ranges)


class Discussion:
    """The discussion of a reading as one viewer sees it, rendered passage by
    passage. A piece shows what every member sees: no private notes, and hidden
    posts as "hidden by a moderator". Passages the viewer sees their own way
    (their private notes there; hidden posts they may read, as a moderator or
    their author) are cached for them alone, under a key naming them and whether
    they moderate, and counting every annotation there. Keys change with all
    the pieces show:
    - the passage's count of shared annotations and the latest version among
      them: every write bumps the version of the annotation it touches, and a
      removal lowers the count;
    - the names of the people who appear, whether each is a member (the filter
      offers members), the reading's address in its group (names and links
      shown), the reading's revision (a revised text changes passages in
      place, under the same ids), and the assignment (a reading put back on the
      syllabus starts a new discussion of it);
    - the templates that draw them (a new release draws them anew).
    So a changed discussion never meets a stale piece, and every member shares them.
    What the keys are made of is itself cached under the discussion's version,
    which every write bumps: a request that wrote gives its Assignment the
    version it made before it draws a piece."""

    def __init__(self, request: HttpRequest, assignment: Assignment, people, filters=None):
        self.request, self.assignment, self.filters = request, assignment, filters
        self.cached = not (filters and filters.active)
        # A margin's "Show all" keeps the filters the page shows its threads through.
        self.query = "" if self.cached else filters.data.urlencode() if filters else ""
        self.moderator = can(assignment.group, Membership.Role.FACILITATOR)
        self.scope = scope_of(assignment, people)

    def _keys(self, passages, template: str) -> dict[int, str]:
        """Each passage's cache key: shared when it shows what every member sees,
        else the viewer's own."""
        user = self.request.user
        stats = self._stats(passages)
        keys = {}
        for passage in passages:
            row = stats.get(passage.id)
            key = f"{template}:{self.scope}:{passage.id}"
            if row is None:
                keys[passage.id] = f"{key}:0:0"
                continue
            count, latest, every, newest, noters, hiders = row
            if not (user.pk in noters or (hiders if self.moderator else user.pk in hiders)):
                keys[passage.id] = f"{key}:{count}:{latest}"
            else:
                # The viewer's own piece: every annotation there counts (their notes
                # among them), and so does whether they moderate (hidden posts).
                viewer = f"user{user.pk}" + (":moderator" if self.moderator else "")
                keys[passage.id] = f"{key}:{every}:{newest}:{viewer}"
        return keys

    def _stats(self, passages) -> dict[int, tuple]:
        """What the keys of `passages` are made of, for each passage holding
        annotations: the count of shared ones and their latest version, the
        same of all of them, and who wrote the private notes and the hidden
        posts there. The same for every viewer, and it changes only with the
        discussion: cached under its version."""
        ids = ",".join(str(p.id) for p in passages)
        digest = hashlib.blake2b(ids.encode(), digest_size=8).hexdigest()
        key = f"stats:{self.scope}:{self.assignment.discussion_version}:{digest}"

        def fetch():
            here = self._of_reading().filter(passage__in=[p.id for p in passages]).order_by()
            shared = ~Q(kind=Annotation.Kind.NOTE)
            counts = here.values("passage").annotate(
                count=Count("pk", filter=shared),
                latest=Max("version", filter=shared),
                every=Count("pk"),
                newest=Max("version"),
            )
            authors = defaultdict(lambda: (set(), set()))
            for passage, author, kind, hidden in here.filter(
                Q(kind=Annotation.Kind.NOTE) | Q(hidden__isnull=False)
            ).values_list("passage", "author", "kind", "hidden"):
                noters, hiders = authors[passage]
                if kind == Annotation.Kind.NOTE:
                    noters.add(author)
                if hidden is not None:
                    hiders.add(author)
            return {
                row["passage"]: (
                    row["count"],
                    row["latest"],
                    row["every"],
                    row["newest"],
                    *authors.get(row["passage"], ((), ())),
                )
                for row in counts
            }

        return caches["pieces"].get_or_set(key, fetch, VERSION_SECONDS)

    def _of_reading(self):
        return Annotation.objects.filter(
            group=self.assignment.group, reading=self.assignment.reading
        )

    def passages(self, passages, template: str, compose=None) -> str:
        """`passages` (a part of the reading at most: Passage objects, or an
        outline of them: id and anchor) rendered each with `template`, marks and
        margin. The composer's passage is rendered afresh, with the request, for
        its form."""
        compose_anchor = compose["passage"].value() if compose else None
        keys = self._keys(passages, template) if self.cached else {}
        shared = {keys[p.id]: p for p in passages if p.id in keys and p.anchor != compose_anchor}

        def draw(missing: list[str]) -> dict[str, str]:
            drawn = self._draw([shared[key] for key in missing], template)
            return dict(zip(missing, drawn, strict=True))

        found = draw_once(list(shared), draw, CACHE_SECONDS) if shared else {}
        html = {passage.id: found[key] for key, passage in shared.items()}
        own = [p for p in passages if p.id not in html]
        html |= zip((p.id for p in own), self._draw(own, template, compose), strict=True)
        return mark_safe("".join(html[passage.id] for passage in passages))

    def _draw(self, passages, template: str, compose=None) -> list[str]:
        """`passages` rendered each with `template`, in their order: the
        composer's with the request, for its form; the rest without it, as a
        piece others may be given cannot depend on who asked."""
        if not passages:
            return []
        if not isinstance(passages[0], Passage):
            # An outline of the reading was enough for what the cache had; not for the rest.
            fetched = Passage.objects.in_bulk([p.id for p in passages])
            passages = [fetched[p.id] for p in passages]
        dress(self.request, self.assignment, passages, self.filters, MARGIN_THREADS)
        context = {
            "group": self.assignment.group,
            "reading": self.assignment.reading,
            "query": self.query,
        }
        compose_anchor = compose["passage"].value() if compose else None
        return [
            render_to_string(
                template,
                {**context, "passage": p, "compose": compose, "facilitator": self.moderator},
                request=self.request,
            )
            if p.anchor == compose_anchor
            else render_to_string(template, {**context, "passage": p})
            for p in passages
        ]

    def listed_questions(self):
        """The questions the list counts: those the viewer may see, but deleted
        ones (placeholders in the margin, not questions any more), through the filters."""
        user = self.request.user
        questions = self._of_reading().filter(kind=Annotation.Kind.QUESTION, deleted=None)
        questions = questions.visible_to(user)
        return self.filters.apply(questions, user) if self.filters else questions

    def question_count(self) -> int:
        """How many questions the list counts: the same for every member (a
        question is never a private note) but through "mine", so cached for
        the discussion's version under the filters (and the viewer, for "mine")."""
        asked = "all"
        if self.filters and self.filters.is_valid():
            data = self.filters.cleaned_data
            asked = f"{data['kind']}:{data['unanswered']}:{data['member']}"
            if data["mine"]:
                asked += f":user{self.request.user.pk}"
        key = f"question-count:{self.scope}:{self.assignment.discussion_version}:{asked}"
        return caches["pieces"].get_or_set(
            key, lambda: self.listed_questions().count(), VERSION_SECONDS
        )

    def questions(self, sort: str, page: str | None) -> str:
        """One page of the questions the viewer may see and the filters let
        through, in `sort` order: a count and a page from the database,
        whatever the number of questions. `page` as the query string gives it.
        Cached for the discussion's version under the query string (the
        filters, and the other parameters its links keep), the page, the
        viewer where the list is theirs ("mine"), and how hidden questions
        show to them."""
        number = _page_number(page)
        user = self.request.user
        key = None
        if self.filters is None or self.filters.is_valid():
            asked = query_digest(self.request.GET, "qpage")
            version = self.assignment.discussion_version
            key = f"questions:{self.scope}:{version}:{sort}:{number}:{asked}:{self._hidden_view()}"
            if self.filters and self.filters.cleaned_data["mine"]:
                key += f":user{user.pk}"

        def render():
            questions = self.listed_questions().order_by(*QUESTION_ORDERS[sort])
            questions = questions.select_related("author").annotate(anchor=F("passage__anchor"))
            listed = Paginator(questions, QUESTIONS_PER_PAGE).get_page(number)
            listed.object_list = list(listed.object_list)  # dressed below, then shown
            present(listed.object_list, self.assignment, user)
            query = self.request.GET.copy()

            def link(number: int) -> str:
                query["qpage"] = number
                return f"?{query.urlencode()}#questions"

            context = {
                "questions": listed,
                "earlier": link(listed.previous_page_number()) if listed.has_previous() else "",
                "more": link(listed.next_page_number()) if listed.has_next() else "",
                "filters": self.filters,
                # Opened where the list is what the reader asked for.
                "open": (self.filters and self.filters.active) or page is not None,
                "reading_url": reverse(
                    "discussions:reading",
                    args=[self.assignment.group.slug, self.assignment.reading.slug],
                ),
            }
            return render_to_string("discussions/_questions.html", context)

        return cached(key, render, VERSION_SECONDS)

    def _hidden_view(self) -> str:
        """How hidden questions show to the viewer: to moderators, all of them
        marked hidden; to members, blanked, but their own. So moderators share
        one view, members without a hidden question of their own another."""
        if self.moderator:
            return "moderator"
        askers = reading_facts(self.assignment).hidden_askers
        return f"user{self.request.user.pk}" if self.request.user.pk in askers else "member"

    def orphans(self) -> list[Annotation]:
        """The threads whose words a revision took out of the text, as the viewer
        may see them and the filters let through."""
        # Most readings have none, which the discussion's facts tell.
        if not reading_facts(self.assignment).orphans:
            return []
        orphans = self._of_reading().filter(orphaned__isnull=False)
        if self.filters:
            orphans = self.filters.apply(orphans, self.request.user)
        return visible_annotations(self.request, self.assignment, orphans)

    def filters_html(self, reading_url: str) -> str:
        """The filter form as the query string sets it: the same for the whole group."""
        key = None
        if self.filters.is_valid():
            values = sorted(self.filters.cleaned_data.items())
            key = f"filters:{self.scope}:" + ":".join(str(value) for _, value in values)
        context = {"filters": self.filters, "reading_url": reading_url}
        return cached(key, lambda: render_to_string("discussions/_filters.html", context))


# What a reading's discussion holds that changes how it shows, or to whom.
Facts = namedtuple("Facts", ["orphans", "hidden_askers", "own_view"])


def reading_facts(assignment: Assignment) -> Facts:
    """Whether the reading has orphans; who asked its hidden questions; and
    who sees its discussion their own way, having private notes or hidden
    posts there. The same for every viewer and changing only with the
    discussion (a revision bumps its version too): cached under its version,
    from one query whatever its length."""
    key = f"facts:{assignment.pk}:{assignment.reading.revision}:{assignment.discussion_version}"

    def fetch():
        hidden = Q(hidden__isnull=False)
        rows = (
            Annotation.objects.filter(group=assignment.group, reading=assignment.reading)
            .filter(Q(orphaned__isnull=False) | Q(kind=Annotation.Kind.NOTE) | hidden)
            .order_by()
            .values("author")
            .annotate(
                orphans=Count("pk", filter=Q(orphaned__isnull=False)),
                asked=Count("pk", filter=Q(kind=Annotation.Kind.QUESTION) & hidden),
                own=Count("pk", filter=Q(kind=Annotation.Kind.NOTE) | hidden),
            )
            .values_list("author", "orphans", "asked", "own")
        )
        rows = list(rows)
        return Facts(
            orphans=any(orphans for _, orphans, _, _ in rows),
            hidden_askers=frozenset(author for author, _, asked, _ in rows if asked),
            own_view=frozenset(author for author, _, _, own in rows if own),
        )

    return caches["pieces"].get_or_set(key, fetch, VERSION_SECONDS)


def query_digest(query: QueryDict, *dropped: str) -> str:
    """A digest of a query string but for its `dropped` names, for a cache key."""
    query = query.copy()
    for name in dropped:
        query.pop(name, None)
    return hashlib.blake2b(query.urlencode().encode(), digest_size=8).hexdigest()


def _page_number(page: str | None) -> int:
    """The page asked for: the first when the number is missing, malformed or
    below 1; the paginator takes one past the end to the last."""
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def cached(key: str | None, render, seconds: int = CACHE_SECONDS) -> str:
    """A rendered piece from the cache under `key`, rendered and kept there
    for `seconds` when missing; rendered afresh when there is no key."""
    return mark_safe(caches["pieces"].get_or_set(key, render, seconds) if key else render())
