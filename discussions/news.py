"""What is new to a member since they last opened a reading's page: others'
posts on view to them, counted for the dashboard and the group page. The
reading page marks the same posts' threads in the browser (static/js/news.js),
since its margins are cached for every member alike."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string

from .models import Annotation, Reply, Visit


def _since(user, thread: str = ""):
    """The discussion version when `user` last opened the post's reading; 0 if never."""
    visits = Visit.objects.filter(
        user=user,
        assignment__group=OuterRef(f"{thread}group"),
        assignment__reading=OuterRef(f"{thread}reading"),
    )
    return Coalesce(Subquery(visits.values("version")[:1]), 0)


def new_counts(user, assignments) -> dict[int, tuple[int, int]]:
    """{assignment id: (new posts, new questions among them)}, in two queries:
    posts by others since the user last looked, neither hidden nor deleted, in
    threads they may see (no one else's private note, no hidden thread)."""
    if not assignments:
        return {}
    Kind = Annotation.Kind
    # Two IN lists, not one condition per assignment (SQLite limits an expression's
    # depth): threads of a reading since taken off a group's syllabus are counted
    # too, and dropped below.
    groups = {assignment.group_id for assignment in assignments}
    readings = {assignment.reading_id for assignment in assignments}
    threads = (
        Annotation.objects.filter(group__in=groups, reading__in=readings, hidden=None, deleted=None)
        .exclude(kind=Kind.NOTE)
        .exclude(author=user)
        .filter(posted__gt=_since(user))
        .values_list("group", "reading")
        .annotate(posts=Count("pk"), questions=Count("pk", filter=Q(kind=Kind.QUESTION)))
        .order_by()
    )
    replies = (
        Reply.objects.filter(
            annotation__group__in=groups,
            annotation__reading__in=readings,
            hidden=None,
            deleted=None,
            annotation__hidden=None,
        )
        .exclude(annotation__kind=Kind.NOTE)
        .exclude(author=user)
        .filter(posted__gt=_since(user, "annotation__"))
        .values_list("annotation__group", "annotation__reading")
        .annotate(posts=Count("pk"))
        .order_by()
    )
    counts = {(group, reading): [posts, questions] for group, reading, posts, questions in threads}
    for group, reading, posts in replies:
        counts.setdefault((group, reading), [0, 0])[0] += posts
    found = {}
    for assignment in assignments:
        if (key := (assignment.group_id, assignment.reading_id)) in counts:
            found[assignment.pk] = tuple(counts[key])
    return found


def beside_reading(user, assignments) -> dict[int, str]:
    """The counts as the dashboard and the group page show them."""
    return {
        pk: render_to_string(
            "discussions/_new_counts.html", {"posts": posts, "questions": questions}
        )
        for pk, (posts, questions) in new_counts(user, assignments).items()
    }
