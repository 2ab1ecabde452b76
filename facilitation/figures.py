"""The figures facilitators read a discussion by: passage by passage through a
reading (its overview), and member by member through a group (participation).
Each is counted by the database in a fixed number of queries, whatever the
size. What counts is what every member can read: private notes never count,
not even as numbers, nor do deleted or hidden posts, nor what hangs on them."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, Substr

from discussions.bodies import excerpt
from discussions.models import Annotation, Reaction, Reply, Visit, Vote
from discussions.pieces import HEAT_STEPS
from groups.models import Assignment, Group, Membership
from readings.models import Reading

from .models import AgendaItem

QUESTION, COMMENT = Annotation.Kind.QUESTION, Annotation.Kind.COMMENT
# A passage is marked where this many questions, "I'm lost" or "Let's discuss" gather.
CLUSTER = 3
RANKED = 20


def _shared(prefix: str = "") -> Q:
    """Threads on view to every member (`prefix` reaches them from a related row)."""
    return Q(**{f"{prefix}deleted": None, f"{prefix}hidden": None}) & ~Q(
        **{f"{prefix}kind": Annotation.Kind.NOTE}
    )


def _on_view_reactions() -> Q:
    """A reaction to a thread on view, on its own post or on a reply on view."""
    return _shared("annotation__") & (Q(reply=None) | Q(reply__deleted=None, reply__hidden=None))


@dataclass
class PassageFigures:
    id: int
    anchor: str
    position: int
    text: str  # its opening words
    questions: int = 0
    comments: int = 0
    replies: int = 0
    open_questions: int = 0
    votes: int = 0  # "I have this question too", on its open questions
    lost: int = 0
    discuss: int = 0
    question: Annotation | None = None  # its top open question, for the ranked ones

    @property
    def posts(self) -> int:
        return self.questions + self.comments + self.replies

    @property
    def heat(self) -> int:
        """The reading page's heat scale, from the posts on the passage."""
        return sum(self.posts >= step for step in HEAT_STEPS)

    @property
    def confusion(self) -> int:
        """Each open question, each member with the same question, and each "I'm
        lost" counts one: how many times someone said they do not follow."""
        return self.open_questions + self.votes + self.lost

    @property
    def active(self) -> bool:
        return bool(self.posts or self.lost or self.discuss)


def reading_figures(group: Group, reading: Reading) -> list[PassageFigures]:
    """Every passage of the reading, in order, with what was said on it. Threads
    on the whole reading, and orphans (their words left the text), are on none."""
    on_passages = Q(group=group, reading=reading, whole_reading=False, orphaned=None)
    via_thread = Q(
        annotation__group=group,
        annotation__reading=reading,
        annotation__whole_reading=False,
        annotation__orphaned=None,
    )
    figures = {
        pk: PassageFigures(pk, anchor, position, text)
        for pk, anchor, position, text in reading.passages.values_list(
            "id", "anchor", "position", Substr("text", 1, 90)
        )
    }
    open_question = Q(kind=QUESTION, answered=None)
    threads = (
        Annotation.objects.filter(on_passages & _shared())
        .order_by()
        .values("passage")
        .annotate(
            questions=Count("pk", filter=Q(kind=QUESTION)),
            comments=Count("pk", filter=Q(kind=COMMENT)),
            open_questions=Count("pk", filter=open_question),
            votes=Coalesce(Sum("vote_count", filter=open_question), 0),
        )
    )
    for row in threads:
        passage = figures[row.pop("passage")]
        for name, value in row.items():
            setattr(passage, name, value)
    replies = (
        Reply.objects.filter(via_thread & _shared("annotation__"), deleted=None, hidden=None)
        .order_by()
        .values_list("annotation__passage")
        .annotate(n=Count("pk"))
    )
    for passage, count in replies:
        figures[passage].replies = count
    reactions = (
        Reaction.objects.filter(via_thread & _on_view_reactions())
        .order_by()
        .values_list("annotation__passage")
        .annotate(
            lost=Count("pk", filter=Q(kind=Reaction.Kind.LOST)),
            discuss=Count("pk", filter=Q(kind=Reaction.Kind.DISCUSS)),
        )
    )
    for passage, lost, discuss in reactions:
        figures[passage].lost, figures[passage].discuss = lost, discuss
    return list(figures.values())


def most_confused(
    group: Group, reading: Reading, figures: list[PassageFigures]
) -> list[PassageFigures]:
    """The RANKED passages most confused, most first (earlier first on a tie),
    each with its top open question (most votes, then asked first), marked
    `on_agenda` when the agenda has it already."""
    ranked = sorted((f for f in figures if f.confusion), key=lambda f: (-f.confusion, f.position))
    ranked = ranked[:RANKED]
    by_pk = {f.id: f for f in ranked}
    questions = (
        Annotation.objects.filter(
            _shared(),
            group=group,
            reading=reading,
            passage__in=list(by_pk),
            kind=QUESTION,
            answered=None,
            whole_reading=False,
            orphaned=None,
        )
        .select_related("author")
        .annotate(on_agenda=Exists(AgendaItem.objects.filter(thread=OuterRef("pk"))))
        .order_by("-vote_count", "created", "pk")
    )
    for question in questions:
        passage = by_pk[question.passage_id]
        if passage.question is None:
            question.words = excerpt(question.body_html, 200)
            passage.question = question
    return ranked


def _per_person(rows, who: str, only) -> dict[int, int]:
    """How many of `rows` each person (`who` names them) made, in one GROUP BY."""
    if only is not None:
        rows = rows.filter(**{who: only})
    return dict(rows.order_by().values_list(who).annotate(n=Count("pk")))


def member_figures(group: Group, only=None) -> list[Membership]:
    """The group's members (or only the user `only`), each with what they did
    across the group's readings: one query for the members and one per figure,
    each a single pass over the group's rows, whatever the number of members."""
    members = Membership.objects.filter(group=group).select_related("user")
    if only is not None:
        members = members.filter(user=only)
    threads = Annotation.objects.filter(_shared(), group=group)
    figures = {
        "questions": _per_person(threads.filter(kind=QUESTION), "author", only),
        "comments": _per_person(threads.filter(kind=COMMENT), "author", only),
        "replies": _per_person(
            Reply.objects.filter(
                _shared("annotation__"), annotation__group=group, deleted=None, hidden=None
            ),
            "author",
            only,
        ),
        "votes": _per_person(
            Vote.objects.filter(_shared("annotation__"), annotation__group=group), "user", only
        ),
        "reactions": _per_person(
            Reaction.objects.filter(_on_view_reactions(), annotation__group=group), "user", only
        ),
        "opened": _per_person(
            Visit.objects.filter(
                assignment__group=group, assignment__reading__status=Reading.Status.PUBLISHED
            ),
            "user",
            only,
        ),
    }
    members = list(members)
    for member in members:
        for name, counts in figures.items():
            setattr(member, name, counts.get(member.user_id, 0))
        member.posts = member.questions + member.comments + member.replies
    return sorted(members, key=lambda m: str(m.user).lower())


def readings_count(group: Group) -> int:
    return Assignment.objects.filter(group=group, reading__status=Reading.Status.PUBLISHED).count()
