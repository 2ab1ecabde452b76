"""What groups have attached to a reading's passages, as a revision of the text
sees it. The apps that own those things (discussions, facilitation) sit above
readings, so they register a Provider from their AppConfig.ready(); the revision
preview lists what each provider collects, and publishing hands each provider
where its things now stand."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Attached:
    key: str  # unique across providers, e.g. "annotation:12"
    group: str  # the group's name: the preview lists things group by group
    label: str  # what it is, for a person: "Question by Ann Lee"
    passage_id: int
    start: int | None = None  # None: the whole passage
    end: int | None = None
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    # An earlier revision took its words out: only its home passage moves, and
    # it stays an orphan with its old quote (exact, prefix, suffix).
    orphaned: bool = False


@dataclass(frozen=True)
class Placed:
    outcome: str  # "kept", "moved" or "orphaned"
    passage_id: int  # for an orphan, the passage nearest to where its words stood
    start: int | None
    end: int | None
    exact: str  # the quote as it now stands; an orphan keeps its old one
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Provider:
    collect: Callable  # (reading) -> list[Attached]
    # (reading, {key: Placed}) -> None, inside the publishing transaction, after
    # reading.revision is the new number and every surviving passage is in place
    # (the new text's at positions 1..n). It gets the keys its own collect gave,
    # and must move every one: the passages not carried are deleted after it.
    move: Callable


PROVIDERS: list[Provider] = []
