"""The reading page's cached pieces: each passage rendered with its marks and
margin, the questions list and the filter form, under keys that change with
everything they show."""

import hashlib
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from groups.access import can
from groups.models import Assignment, Membership
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
QUESTIONS_PER_PAGE = 20
# The questions list's orders, each ending on the id: pages of one order never
# share or skip a question.
QUESTION_ORDERS = {
    "votes": ("-vote_count", "created", "pk"),
    "newest": ("-created", "pk"),
    "passage": ("passage__position", Coalesce("start", 0), "created", "pk"),
}


def people_of(assignment: Assignment) -> list[tuple[int, str, bool]]:
    """Who can appear on a reading's page, by name: the group's members and
    anyone who started a thread there (who may have left since), as (user id,
    name shown, whether a member)."""
    group = assignment.group
    member = Membership.objects.filter(group=group, user=OuterRef("pk"))
    authors = Annotation.objects.filter(group=group, reading=assignment.reading).values("author")
    rows = (
        get_user_model()
        .objects.annotate(member=Exists(member))
        .filter(Q(member=True) | Q(pk__in=authors))
        .order_by("display_name", "pk")
        .values_list("pk", "display_name", "email", "member")
    )
    return [(pk, name or email, is_member) for pk, name, email, is_member in rows]


def members_of(people: list[tuple[int, str, bool]]) -> list[tuple[int, str]]:
    return [(pk, name) for pk, name, is_member in people if is_member]


def visible_annotations(
    request: HttpRequest, assignment: Assignment, passages=None, orphans: bool = False
):
    """The reading's annotations the viewer may see (on `passages` only, if
    given; only orphans, if asked), each with its display state, summary and URL."""
    group, reading, user = assignment.group, assignment.reading, request.user
    annotations = Annotation.objects.filter(group=group, reading=reading).visible_to(user)
    if passages is not None:
        annotations = annotations.filter(passage__in=passages)
    if orphans:
        annotations = annotations.filter(orphaned__isnull=False)
    # Each thread's own post's reactions, counted kind by kind in the same query.
    counts = {
        f"reacted_{kind}": Count("reactions", filter=Q(reactions__kind=kind, reactions__reply=None))
        for kind in Reaction.Kind
    }
    annotations = list(annotations.select_related("author").annotate(**counts))
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


def on_words(annotation: Annotation) -> bool:
    """Whether it is on a passage of the text as it now stands, or words in it."""
    return not (annotation.whole_reading or annotation.orphaned)


def dress(passages, annotations, shown) -> None:
    """Put on each passage its marks, counts, heat (from all `annotations`) and
    threads (those `shown` through the filters). A thread on the whole reading
    is on none of them, nor is an orphan: its words are no longer in the text."""
    activity = defaultdict(int)
    for annotation in annotations:
        if annotation.kind != Annotation.Kind.NOTE and on_words(annotation):
            activity[annotation.passage_id] += 1 + annotation.reply_count
    by_passage = defaultdict(list)
    for annotation in shown:
        if on_words(annotation):
            by_passage[annotation.passage_id].append(annotation)
    for passage in passages:
        threads = by_passage[passage.pk]
        passage.threads = threads
        passage.question_count = sum(a.kind == Annotation.Kind.QUESTION for a in threads)
        passage.comment_count = sum(a.kind == Annotation.Kind.COMMENT for a in threads)
        passage.activity = activity[passage.pk]
        passage.heat = sum(passage.activity >= step for step in HEAT_STEPS)
        # These passages are fetched only to be shown: show them with their marks.
        passage.html = marked(passage.html, threads)


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
      syllabus starts a new discussion of it).
    So a changed discussion never meets a stale piece, and every member shares them."""

    def __init__(self, request: HttpRequest, assignment: Assignment, people, filters=None):
        self.request, self.assignment, self.filters = request, assignment, filters
        self.cached = not (filters and filters.active)
        group, reading = assignment.group, assignment.reading
        self.moderator = can(group, Membership.Role.FACILITATOR)
        names = "|".join(f"{pk}:{name}:{is_member}" for pk, name, is_member in people)
        scope = f"{group.slug}/{reading.slug}/{reading.revision}/{names}".encode()
        self.scope = f"{assignment.pk}:{hashlib.blake2b(scope, digest_size=8).hexdigest()}"
        self.annotations = None  # the whole reading's, fetched at most once
        self.has_orphans = False  # whether the reading has any, as the cache keys found
        self.viewer = f"user{request.user.pk}" + (":moderator" if self.moderator else "")

    def _keys(self, passages, template: str, whole: bool) -> dict[int, str]:
        """Each passage's cache key: shared when it shows what every member sees,
        else the viewer's own."""
        user = self.request.user
        shared = ~Q(kind=Annotation.Kind.NOTE)
        sees_hidden = (
            Q(hidden__isnull=False) if self.moderator else Q(hidden__isnull=False, author=user)
        )
        stats = Annotation.objects.filter(
            group=self.assignment.group, reading=self.assignment.reading
        )
        if not whole:
            stats = stats.filter(passage__in=passages)
        stats = (
            stats.order_by()
            .values("passage")
            .annotate(
                count=Count("pk", filter=shared),
                latest=Max("version", filter=shared),
                every=Count("pk"),
                newest=Max("version"),
                notes=Count("pk", filter=Q(kind=Annotation.Kind.NOTE, author=user)),
                hidden=Count("pk", filter=sees_hidden),
                orphans=Count("pk", filter=Q(orphaned__isnull=False)),
            )
        )
        stats = {row["passage"]: row for row in stats}
        self.has_orphans = any(row["orphans"] for row in stats.values())
        keys = {}
        for passage in passages:
            row = stats.get(passage.id)
            key = f"{template}:{self.scope}:{passage.id}"
            if row is None:
                keys[passage.id] = f"{key}:0:0"
            elif not (row["notes"] or row["hidden"]):
                keys[passage.id] = f"{key}:{row['count']}:{row['latest']}"
            else:
                # The viewer's own piece: every annotation there counts (their notes
                # among them), and so does whether they moderate (hidden posts).
                keys[passage.id] = f"{key}:{row['every']}:{row['newest']}:{self.viewer}"
        return keys

    def _all_annotations(self):
        if self.annotations is None:
            self.annotations = visible_annotations(self.request, self.assignment)
        return self.annotations

    def _shown(self, annotations):
        if not (self.filters and self.filters.active):
            return annotations
        kept = self.filters.apply(self._of_reading(), self.request.user)
        kept = set(kept.values_list("pk", flat=True))
        return [a for a in annotations if a.pk in kept]

    def _of_reading(self):
        return Annotation.objects.filter(
            group=self.assignment.group, reading=self.assignment.reading
        )

    def passages(self, passages, template: str, compose=None, whole=False) -> str:
        """`passages` (Passage objects, or an outline of them: id and anchor)
        rendered each with `template`, marks and margin; `whole` when they are
        all of the reading's. The composer's passage is rendered afresh, with
        the request, for its form."""
        keys = self._keys(passages, template, whole) if self.cached else {}
        found = cache.get_many(keys.values())
        html = {pk: found[key] for pk, key in keys.items() if key in found}
        compose_anchor = compose["passage"].value() if compose else None
        missing = [p for p in passages if p.id not in html or p.anchor == compose_anchor]
        if missing and not isinstance(missing[0], Passage):
            # An outline of the reading was enough for what the cache had; not for the rest.
            missing = list(Passage.objects.filter(pk__in=[p.id for p in missing]))
        if missing:
            annotations = (
                self._all_annotations()
                if whole
                else visible_annotations(self.request, self.assignment, missing)
            )
            dress(missing, annotations, self._shown(annotations))
        context = {"group": self.assignment.group, "reading": self.assignment.reading}
        fresh = {}
        for passage in missing:
            if passage.anchor == compose_anchor:
                html[passage.id] = render_to_string(
                    template,
                    {
                        **context,
                        "passage": passage,
                        "compose": compose,
                        "facilitator": self.moderator,
                    },
                    request=self.request,
                )
            else:
                # Without the request: a piece others may be given cannot depend on who asked.
                html[passage.id] = render_to_string(template, {**context, "passage": passage})
                if passage.id in keys:
                    fresh[keys[passage.id]] = html[passage.id]
        cache.set_many(fresh, CACHE_SECONDS)
        return mark_safe("".join(html[passage.id] for passage in passages))

    def listed_questions(self):
        """The questions the list counts: those the viewer may see, but deleted
        ones (placeholders in the margin, not questions any more), through the filters."""
        user = self.request.user
        questions = self._of_reading().filter(kind=Annotation.Kind.QUESTION, deleted=None)
        questions = questions.visible_to(user)
        return self.filters.apply(questions, user) if self.filters else questions

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
            query = self.request.GET.copy()
            query.pop("qpage", None)
            asked = hashlib.blake2b(query.urlencode().encode(), digest_size=8).hexdigest()
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

        return _cached(key, render)

    def _hidden_view(self) -> str:
        """How hidden questions show to the viewer: to moderators, all of them
        marked hidden; to members, blanked, but their own. So moderators share
        one view, members without a hidden question of their own another."""
        if self.moderator:
            return "moderator"
        # By the author alone, which the author's index finds at once: with the
        # reading as well, SQLite scans the reading's annotations instead.
        own_hidden = Annotation.objects.filter(
            author=self.request.user, kind=Annotation.Kind.QUESTION, hidden__isnull=False
        ).values_list("group", "reading")
        here = (self.assignment.group.pk, self.assignment.reading.pk)
        return f"user{self.request.user.pk}" if here in set(own_hidden) else "member"

    def orphans(self) -> list[Annotation]:
        """The threads whose words a revision took out of the text, as the viewer
        may see them and the filters let through; after `passages(..., whole=True)`,
        which either fetched every annotation or found whether there are any."""
        if self.annotations is None and not self.has_orphans:
            return []
        annotations = self.annotations
        if annotations is None:
            annotations = visible_annotations(self.request, self.assignment, orphans=True)
        return [a for a in self._shown(annotations) if a.orphaned]

    def filters_html(self, reading_url: str) -> str:
        """The filter form as the query string sets it: the same for the whole group."""
        key = None
        if self.filters.is_valid():
            values = sorted(self.filters.cleaned_data.items())
            key = f"filters:{self.scope}:" + ":".join(str(value) for _, value in values)
        context = {"filters": self.filters, "reading_url": reading_url}
        return _cached(key, lambda: render_to_string("discussions/_filters.html", context))


def _page_number(page: str | None) -> int:
    """The page asked for: the first when the number is missing, malformed or
    below 1; the paginator takes one past the end to the last."""
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def _cached(key: str | None, render) -> str:
    """A rendered piece from the cache under `key`, rendered and kept there
    when missing; rendered afresh when there is no key."""
    html = cache.get(key) if key else None
    if html is None:
        html = render()
        if key:
            cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)
