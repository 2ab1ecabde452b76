"""The discussions' side of a revised text: every group's annotations handed to
the revision (readings.attached) and put where it says their words now stand.
Registered from DiscussionsConfig.ready()."""

from django.db.models import Q

from readings.attached import Attached, Placed, Provider
from readings.models import Reading

from .anchoring import CONTEXT
from .models import Annotation
from .services import next_version

MOVED_FIELDS = ["passage", "start", "end", "exact", "prefix", "suffix", "orphaned", "version"]


def key(pk: int) -> str:
    return f"annotation:{pk}"


def label(kind: str, pk: int) -> str:
    """What staff reviewing a revision may know of a post: they are outsiders to
    the groups, so neither its words nor its author; nor, for a private note,
    even which one."""
    if kind == Annotation.Kind.NOTE:
        return Annotation.Kind.NOTE.label
    return f"{Annotation.Kind(kind).label} {pk}"


def collect(reading: Reading) -> list[Attached]:
    """Every group's annotations on words or a passage of `reading`, deleted
    ones too (their threads survive). One already orphaned is handed over as on
    its whole passage: only its passage moves, its old quote stays its own."""
    rows = (
        Annotation.objects.filter(reading=reading, whole_reading=False)
        .order_by("passage__position", "start", "pk")
        .values_list(
            "pk", "group__name", "kind", "passage_id", "start", "end", "exact", "prefix", "suffix",
            "orphaned",
        )
    )  # fmt: skip
    attached = []
    for pk, group, kind, passage_id, start, end, exact, prefix, suffix, orphaned in rows:
        words = {} if orphaned else {"exact": exact, "prefix": prefix, "suffix": suffix}
        attached.append(Attached(key(pk), group, label(kind, pk), passage_id, start, end, **words))
    return attached


def move(reading: Reading, placed: dict[str, Placed]) -> None:
    """Put each annotation where the revision placed it, in one bulk update, and
    bump its version so cached pages and live polls show it there. Threads on
    the whole reading go to the new version's first passage: by now the
    publishing service has given the new version's passages the lowest positions."""
    ids = {
        int(k.removeprefix("annotation:")): p
        for k, p in placed.items()
        if k.startswith("annotation:")
    }
    first = reading.passages.order_by("position").values_list("pk", flat=True).first()
    annotations = list(
        Annotation.objects.filter(reading=reading)
        .filter(Q(pk__in=ids) | Q(whole_reading=True))
        .only("group_id", *MOVED_FIELDS)
    )
    versions = {
        group_id: next_version(group_id, reading)
        for group_id in sorted({a.group_id for a in annotations})
    }
    for annotation in annotations:
        annotation.version = versions[annotation.group_id]
        if annotation.whole_reading:
            annotation.passage_id = first
            continue
        where = ids[annotation.pk]
        annotation.passage_id = where.passage_id
        if annotation.orphaned:
            continue  # orphaned by an earlier revision: it keeps its old quote
        orphan = where.outcome == "orphaned"
        annotation.orphaned = reading.revision if orphan else None
        annotation.start = None if orphan else where.start
        annotation.end = None if orphan else where.end
        annotation.exact = where.exact
        annotation.prefix = where.prefix[-CONTEXT:]
        annotation.suffix = where.suffix[:CONTEXT]
    Annotation.objects.bulk_update(annotations, MOVED_FIELDS)


PROVIDER = Provider(collect=collect, move=move)
