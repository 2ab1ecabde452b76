"""A long reading arrives in parts: a page shows one part's passages, and the
next part loads as the reader nears the end of it. A part begins at a heading
once the part before holds enough passages to read on its own, and never holds
more than PART_SIZE passages, so a page's cost does not grow with the book."""

from bisect import bisect_right
from dataclasses import dataclass

from django.core.cache import caches
from django.db.models import Case, Value, When
from django.db.models.functions import Left

from .models import Passage, Reading

PART_SIZE = 100
# A heading starts a new part once the current one holds this many passages:
# short chapters share a part rather than making a page each.
PART_MIN = 30
CACHE_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Part:
    number: int  # from 1
    first: int  # the position of its first passage
    last: int  # the position of its last passage
    size: int
    title: str  # the heading it begins with, or ""

    @property
    def label(self) -> str:
        return f"Part {self.number}" + (f": {self.title}" if self.title else "")


def split(outline) -> list[Part]:
    """Parts of a reading from its outline: (position, kind, text) in order."""
    parts, start, title = [], 0, ""
    for index, (_, kind, text) in enumerate(outline):
        size = index - start
        heading = kind == Passage.Kind.HEADING
        if size >= PART_SIZE or (heading and size >= PART_MIN):
            parts.append((start, index, title))
            start, title = index, ""
        if heading and index == start:
            title = text
    parts.append((start, len(outline), title))
    return [
        Part(n, outline[a][0], outline[b - 1][0], b - a, title)
        for n, (a, b, title) in enumerate(parts, 1)
        if b > a
    ]


def parts_of(reading: Reading) -> list[Part]:
    """The reading's parts: they change only with its text, so they are kept
    in the cache under its revision."""
    key = f"parts:{reading.pk}:{reading.revision}:{PART_SIZE}:{PART_MIN}"

    def fetch():
        titles = Case(When(kind=Passage.Kind.HEADING, then=Left("text", 80)), default=Value(""))
        return split(list(reading.passages.values_list("position", "kind", titles)))

    return caches["pieces"].get_or_set(key, fetch, CACHE_SECONDS)


def outline(reading: Reading, part: Part) -> list:
    """The passages of `part` as the reading page outlines them: id, anchor,
    kind, position and text. They too change only with the reading's text:
    kept in the cache under its revision."""
    key = f"outline:{reading.pk}:{reading.revision}:{part.first}:{part.last}"

    def fetch():
        passages = reading.passages.filter(position__range=(part.first, part.last))
        return list(passages.values_list("id", "anchor", "kind", "position", "text", named=True))

    return caches["pieces"].get_or_set(key, fetch, CACHE_SECONDS)


def part_at(parts: list[Part], position: int) -> Part:
    """The part holding the passage at `position`."""
    return parts[max(0, bisect_right([part.first for part in parts], position) - 1)]
