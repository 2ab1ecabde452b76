"""What a person may find, and finding it: PostgreSQL full-text search in
production, SQLite FTS5 on the default database (the indexes, and the column
PostgreSQL keeps them on, are in migrations/0001_initial.py)."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from discussions.models import Annotation, Reply
from groups.models import Assignment, Membership
from readings.models import Passage, Reading

LIMIT = 50  # results shown; ranked, so the rest matter less than a narrower search
CONFIG = "english"
# Around each match in the context: control characters no text is rendered
# with, so the context can be HTML-escaped whole and only these become <mark>.
START, STOP = "\x02", "\x03"

# The kinds of result; annotations come in three (Annotation.Kind).
PASSAGE, ANNOTATION, REPLY = "passage", "annotation", "reply"


def syllabus(user) -> list[Assignment]:
    """The published readings on the syllabi of the groups `user` belongs to.
    Being staff adds nothing: staff are outsiders to groups they are not in."""
    return list(
        Assignment.objects.filter(
            group__memberships__user=user, reading__status=Reading.Status.PUBLISHED
        ).select_related("group", "reading")
    )


def searchable(user, *, group=None, reading=None, kind="", author=None) -> dict[str, QuerySet]:
    """Everything `user` may see, per table, narrowed by the filters: the one
    place that decides it. Passages of readings on their groups' syllabi; of
    the threads there, annotations neither deleted nor hidden nor someone
    else's private note, and the replies neither deleted nor hidden in the
    threads they can open, unless they must answer first there."""
    groups = Membership.objects.filter(user=user).values("group")
    if group is not None:
        groups = groups.filter(group=group)
    on_syllabus = Assignment.objects.filter(
        group__in=groups, reading__status=Reading.Status.PUBLISHED
    )
    if reading is not None:
        on_syllabus = on_syllabus.filter(reading=reading)
    threads = Annotation.objects.visible_to(user).filter(
        Exists(on_syllabus.filter(group=OuterRef("group"), reading=OuterRef("reading")))
    )
    tables = {
        PASSAGE: Passage.objects.filter(reading__in=on_syllabus.values("reading")),
        ANNOTATION: threads.filter(deleted__isnull=True, hidden__isnull=True),
        REPLY: Reply.objects.filter(
            Exists(threads.replies_open_to(user).filter(pk=OuterRef("annotation"))),
            deleted__isnull=True,
            hidden__isnull=True,
        ),
    }
    if kind in Annotation.Kind.values:
        tables = {ANNOTATION: tables[ANNOTATION].filter(kind=kind)}
    elif kind:
        tables = {kind: tables[kind]}
    if author is not None:
        tables.pop(PASSAGE, None)
        tables = {name: table.filter(author=author) for name, table in tables.items()}
    return tables


# What each table's text column is, and its SQLite FTS5 table.
COLUMNS = {
    PASSAGE: ("text", "search_passage_fts"),
    ANNOTATION: ("body", "search_annotation_fts"),
    REPLY: ("body", "search_reply_fts"),
}


def ranked_postgresql(table: QuerySet, name: str, words: list[str]) -> list[tuple]:
    column, _ = COLUMNS[name]
    # The generated column under the GIN index (see the migration).
    db_table = connection.ops.quote_name(table.model._meta.db_table)
    vector = RawSQL(f"{db_table}.search_vector", [], output_field=SearchVectorField())
    query = SearchQuery(" ".join(words), config=CONFIG, search_type="plain")
    context = SearchHeadline(
        column, query, config=CONFIG, start_sel=START, stop_sel=STOP, min_words=15, max_words=35
    )
    return list(
        table.annotate(document=vector)
        .filter(document=query)
        .annotate(rank=SearchRank(vector, query), context=context)
        .order_by("-rank", "pk")
        .values_list("pk", "rank", "context")[:LIMIT]
    )


def ranked_sqlite(table: QuerySet, name: str, words: list[str]) -> list[tuple]:
    _, fts = COLUMNS[name]
    # Whether one match may be seen, asked of each match: a rare word then costs
    # little however much the searcher may see.
    visible, params = (
        table.filter(pk=RawSQL(f"{fts}.rowid", ())).order_by().values("pk").query.sql_with_params()
    )
    # Each word quoted, as FTS5 strings: nothing a person types is query syntax.
    match = " ".join(f'"{word}"' for word in words)
    with connection.cursor() as cursor:
        # The best LIMIT first, then their snippets: a snippet costs more than a rank.
        cursor.execute(
            f"SELECT rowid, -rank, snippet({fts}, 0, %s, %s, '…', 30) FROM {fts}"
            f" WHERE {fts} MATCH %s AND rowid IN (SELECT rowid FROM {fts}"
            f" WHERE {fts} MATCH %s AND EXISTS ({visible}) ORDER BY rank LIMIT %s)"
            " ORDER BY rank",
            [START, STOP, match, match, *params, LIMIT],
        )
        return cursor.fetchall()


def highlighted(context: str) -> SafeString:
    """The context HTML-escaped, with each marked match in <mark>."""
    first, *marked = context.split(START)
    parts = [escape(first.replace(STOP, ""))]
    for piece in marked:
        match, _, rest = piece.partition(STOP)
        parts.append(f"<mark>{escape(match)}</mark>{escape(rest.replace(STOP, ''))}")
    return mark_safe("".join(parts))  # every piece of text in it is escaped above


@dataclass
class Result:
    kind: str
    url: str
    assignment: Assignment  # where it is: the group, and the reading on its syllabus
    context: SafeString
    rank: float
    author: str = ""
    created: datetime | None = None


def search(user, words: list[str], assignments: list[Assignment], **filters) -> list[Result]:
    """The best matches for all of `words` that `user` may see, best first.
    `assignments` is `syllabus(user)`, which the page has fetched already."""
    ranked = ranked_postgresql if connection.vendor == "postgresql" else ranked_sqlite
    by_pair = {(a.group_id, a.reading_id): a for a in assignments}
    group = filters.get("group")
    results = []
    for name, table in searchable(user, **filters).items():
        matches = ranked(table, name, words)
        related = {PASSAGE: [], ANNOTATION: ["author"], REPLY: ["author", "annotation"]}[name]
        rows = table.model.objects.select_related(*related).in_bulk([m[0] for m in matches])
        for pk, rank, context in matches:
            row, context = rows[pk], highlighted(context)
            if name == PASSAGE:
                # Once for each of the searcher's groups with the reading on its syllabus.
                at = f"?at={row.anchor}#{row.anchor}"
                results += [
                    Result(PASSAGE, f"{a.get_absolute_url()}{at}", a, context, rank)
                    for a in assignments
                    if a.reading_id == row.reading_id and group in (None, a.group)
                ]
                continue
            thread = row if name == ANNOTATION else row.annotation
            a = by_pair[thread.group_id, thread.reading_id]
            url = reverse("discussions:thread", args=[a.group.slug, a.reading.slug, thread.pk])
            kind, url = (thread.kind, url) if name == ANNOTATION else (REPLY, f"{url}#r-{row.pk}")
            results.append(Result(kind, url, a, context, rank, str(row.author), row.created))
    results.sort(key=lambda result: -result.rank)
    return results[:LIMIT]
