import hashlib
from collections import defaultdict
from dataclasses import replace
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, RestrictedError
from django.utils import timezone
from django.utils.text import slugify

from . import reanchor
from .attached import PROVIDERS, Placed
from .importers import ImportProblem, parse
from .models import Passage, Reading, Revision

TITLE_MAX = Reading._meta.get_field("title").max_length
SLUG_MAX = Reading._meta.get_field("slug").max_length


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def check_size(size: int) -> None:
    limit = settings.READING_MAX_BYTES
    if size > limit:
        raise ImportProblem(
            f"The file is {size_label(size)}; the largest reading accepted is {size_label(limit)}."
        )


def passage_anchors(texts: list[str], used: set[str] | None = None) -> list[str]:
    """Short ids derived from each passage's text, so a passage keeps its anchor
    when the text around it is revised; repeats and collisions (and the anchors
    in `used`, already taken in the reading) get the next salt."""
    used = set(used or ())
    # A repeated passage's search starts after the salt its last copy took (every
    # salt below that was taken already), so a thousand copies cost a thousand tries.
    next_salt: dict[str, int] = {}
    anchors = []
    for text in texts:
        key = " ".join(text.lower().split())
        salt = next_salt.get(key, 0)
        while True:
            digest = hashlib.sha1(f"{salt}:{key}".encode()).hexdigest()[:6]
            anchor = f"p-{digest}"
            if anchor not in used:
                break
            salt += 1
        used.add(anchor)
        next_salt[key] = salt + 1
        anchors.append(anchor)
    return anchors


def unique_slug(title: str) -> str:
    base = slugify(title)[: SLUG_MAX - 6].strip("-") or "reading"
    slug, number = base, 2
    while Reading.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def title_from_filename(filename: str) -> str:
    stem = PurePath(filename).stem.replace("_", " ").replace("-", " ").strip()
    return stem[:1].upper() + stem[1:]


def import_reading(
    *,
    data: bytes,
    filename: str = "",
    fmt: str = "",
    title: str = "",
    author: str = "",
    source_url: str = "",
    uploaded_by=None,
) -> Reading:
    """Create a draft reading and its passages from an upload, or raise ImportProblem."""
    check_size(len(data))
    parsed = parse(data, filename, fmt)
    title = (title or parsed.title or title_from_filename(filename) or "Untitled reading")[
        :TITLE_MAX
    ]
    with transaction.atomic():
        reading = Reading.objects.create(
            title=title,
            slug=unique_slug(title),
            author=(author or parsed.author)[:200],
            source_url=source_url,
            standfirst="\n\n".join(parsed.standfirst),
            original_filename=PurePath(filename).name[:255] if filename else "",
            dropped=parsed.dropped,
            uploaded_by=uploaded_by,
        )
        anchors = passage_anchors([block.text for block in parsed.blocks])
        Passage.objects.bulk_create(
            Passage(
                reading=reading,
                position=position,
                anchor=anchor,
                kind=block.kind,
                speaker=block.speaker[:120],
                text=block.text,
                html=block.html,
            )
            for position, (block, anchor) in enumerate(
                zip(parsed.blocks, anchors, strict=True), start=1
            )
        )
    return reading


def publish(reading: Reading) -> None:
    reading.status = Reading.Status.PUBLISHED
    reading.published = timezone.now()
    reading.save(update_fields=["status", "published"])


DRAFT_NOT_REVISED = "A draft is not revised: delete it and import the new text."


class RevisionRefused(Exception):
    """A revision that cannot be published, with a message for a person."""


def upload_revision(*, reading: Reading, data: bytes, filename: str, uploaded_by=None) -> Revision:
    """A draft revision of a published reading from an upload, or raise ImportProblem."""
    if not reading.is_published:
        raise ImportProblem(DRAFT_NOT_REVISED)
    check_size(len(data))
    parsed = parse(data, filename)
    passages = [
        {"anchor": "", "kind": b.kind, "speaker": b.speaker[:120], "text": b.text, "html": b.html}
        for b in parsed.blocks
    ]
    current = reading.passages.order_by("position").values_list("kind", "speaker", "text")
    if [(p["kind"], p["speaker"], p["text"]) for p in passages] == list(current):
        raise ImportProblem(
            f"This text is the same as version {reading.revision}, the published one: "
            "nothing to revise."
        )
    with transaction.atomic():
        reading = Reading.objects.select_for_update().get(pk=reading.pk)
        latest = reading.revisions.aggregate(latest=Max("number"))["latest"] or 0
        return Revision.objects.create(
            reading=reading,
            number=max(latest, reading.revision) + 1,
            base=reading.revision,
            passages=passages,
            original_filename=PurePath(filename).name[:255] if filename else "",
            uploaded_by=uploaded_by,
        )


def passage_changes(plan) -> dict[str, int]:
    counts = {"added": 0, "removed": 0, "edited": 0, "same": 0}
    for change in plan.changes:
        counts[change.kind] += 1
    return counts


def snapshot(passages) -> list[dict]:
    return [
        {"anchor": p.anchor, "kind": p.kind, "speaker": p.speaker, "text": p.text, "html": p.html}
        for p in passages
    ]


def placements(reading: Reading, plan, passage_ids: list[int]) -> list[tuple]:
    """For each provider, every thing it attached to `reading` with where `plan`
    puts it: [(provider, [(attached, placement), …]), …]. `passage_ids` are the
    current passages' ids in reading order (the plan's old text)."""
    index_of = {pk: index for index, pk in enumerate(passage_ids)}
    return [
        (provider, [(a, place_attached(plan, a, index_of)) for a in provider.collect(reading)])
        for provider in PROVIDERS
    ]


def place_attached(plan, attached, index_of: dict[int, int]):
    """Where `plan` puts one attached thing, as the engine's Placement. One an
    earlier revision orphaned goes where its passage goes, and stays an orphan."""
    passage = index_of[attached.passage_id]
    if attached.orphaned:
        home = plan.place(reanchor.Selection(passage=passage))
        return replace(
            home,
            outcome="orphaned",
            start=None,
            end=None,
            exact=attached.exact,
            prefix=attached.prefix,
            suffix=attached.suffix,
        )
    return plan.place(
        reanchor.Selection(
            passage=passage,
            start=attached.start,
            end=attached.end,
            exact=attached.exact,
            prefix=attached.prefix,
            suffix=attached.suffix,
        )
    )


def publish_revision(*, revision: Revision) -> dict[str, Placed]:
    """Make a draft revision the reading's text. Passages the diff carries keep
    their row and anchor (so every link and foreign key to them holds); added
    passages get fresh anchors; every provider moves its things to where their
    words now stand; then the passages no longer in the text are deleted.
    Returns where each attached thing went, by its key."""
    with transaction.atomic():
        reading = Reading.objects.select_for_update().get(pk=revision.reading_id)
        revision = Revision.objects.select_for_update().get(pk=revision.pk)
        if not revision.is_draft:
            raise RevisionRefused(f"Version {revision.number} is already published.")
        if revision.base != reading.revision:
            raise RevisionRefused(
                f"This draft was compared with version {revision.base}, but version "
                f"{reading.revision} has been published since: upload the revised text again."
            )
        old = list(reading.passages.all())
        if not reading.revisions.filter(number=reading.revision).exists():
            Revision.objects.create(
                reading=reading,
                number=reading.revision,
                passages=snapshot(old),
                original_filename=reading.original_filename,
                uploaded_by=reading.uploaded_by,
                published=reading.published or reading.created,
            )
        new = revision.passages
        plan = reanchor.plan([p.text for p in old], [p["text"] for p in new])
        placed_by_provider = placements(reading, plan, [p.pk for p in old])

        # Positions are unique in a reading: lift every passage above the new
        # text's range first, then bring the carried ones down to their places,
        # one UPDATE for each distance moved (a revision has few: one per place
        # where passages were inserted or deleted).
        lift = len(old) + len(new) + 1
        reading.passages.update(position=F("position") + lift)
        shifts = defaultdict(list)
        at_new: list[Passage | None] = [None] * len(new)
        for passage, index in zip(old, plan.carried, strict=True):
            if index is not None:
                at_new[index] = passage
                shifts[index + 1 - passage.position].append(passage.pk)
        for shift, ids in shifts.items():
            Passage.objects.filter(pk__in=ids).update(position=F("position") - lift + shift)
        fresh = iter(
            passage_anchors(
                [p["text"] for p, kept in zip(new, at_new, strict=True) if kept is None],
                used={p.anchor for p in old},
            )
        )
        fields = ["kind", "speaker", "text", "html"]
        edited, added = [], []
        for position, (block, passage) in enumerate(zip(new, at_new, strict=True), start=1):
            if passage is None:
                passage = Passage(reading=reading, anchor=next(fresh), position=position)
                added.append(passage)
            elif any(getattr(passage, field) != block[field] for field in fields):
                edited.append(passage)
            passage.position = position
            for field in fields:
                setattr(passage, field, block[field])
            at_new[position - 1] = passage
        # Small batches: each is one UPDATE with a CASE per field over its rows.
        Passage.objects.bulk_update(edited, fields, batch_size=50)
        Passage.objects.bulk_create(added, batch_size=500)

        reading.revision = revision.number
        reading.save(update_fields=["revision"])
        moved: dict[str, Placed] = {}
        for provider, placed in placed_by_provider:
            theirs = {
                attached.key: Placed(
                    outcome=where.outcome,
                    passage_id=at_new[where.passage].pk,
                    start=where.start,
                    end=where.end,
                    exact=where.exact,
                    prefix=where.prefix,
                    suffix=where.suffix,
                )
                for attached, where in placed
            }
            provider.move(reading, theirs)
            moved |= theirs
        # Only now: an annotation's passage is a cascading key.
        removed = [p.pk for p, index in zip(old, plan.carried, strict=True) if index is None]
        try:
            Passage.objects.filter(pk__in=removed).delete()
        except RestrictedError:
            raise RevisionRefused(
                "Someone posted on a passage this revision removes while it was being "
                "published, so nothing was changed: publish it again."
            ) from None

        revision.passages = snapshot(at_new)
        revision.published = timezone.now()
        outcomes = [placed.outcome for placed in moved.values()]
        revision.summary = passage_changes(plan) | {
            outcome: outcomes.count(outcome) for outcome in ("kept", "moved", "orphaned")
        }
        revision.save(update_fields=["passages", "published", "summary"])
    return moved
