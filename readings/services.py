import hashlib
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .importers import ImportProblem, parse
from .models import Passage, Reading

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


def passage_anchors(texts: list[str]) -> list[str]:
    """Short ids derived from each passage's text, so a passage keeps its anchor
    when the text around it is revised; repeats and collisions get the next salt."""
    used: set[str] = set()
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
