"""Anchor annotations to exact words of a passage (a W3C TextQuoteSelector plus a
TextPositionSelector, in code points of the passage text) and show them as <mark>s."""

import re
from collections import defaultdict
from dataclasses import dataclass
from html import escape, unescape
from os.path import commonprefix

CONTEXT = 32  # characters of prefix/suffix kept

_TAG = re.compile(r"(<[^>]*>)")


class SelectorError(ValueError):
    """The selection does not fit the passage; the message is shown to the member."""


@dataclass(frozen=True)
class Selector:
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


def resolve_selector(
    text: str,
    *,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    end: int | None = None,
) -> Selector:
    stripped = exact.strip()
    if not stripped:
        raise SelectorError("Select some words first.")
    # Whitespace trimmed off the quote really sat next to it, so it still
    # belongs to the context used to tell repeated quotes apart.
    lead = exact[: len(exact) - len(exact.lstrip())]
    trail = exact[len(exact.rstrip()) :]
    # Only the context a selector keeps tells repeats apart, and a longer one
    # would cost its length at every repeat.
    prefix, suffix, exact = (prefix + lead)[-CONTEXT:], (trail + suffix)[:CONTEXT], stripped

    if start is not None and end is not None and 0 <= start < end <= len(text):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if text[start:end] == exact:
            return _selector(text, start, end)

    found = []
    at = text.find(exact)
    while at != -1:
        found.append(at)
        at = text.find(exact, at + 1)  # overlapping repeats ("aa" in "aaa") count too
    if not found:
        raise SelectorError("The quoted words do not occur in this passage.")

    def rank(at: int) -> tuple[int, int, int]:
        before = text[max(0, at - len(prefix)) : at]
        after = text[at + len(exact) : at + len(exact) + len(suffix)]
        score = len(commonprefix([before[::-1], prefix[::-1]])) + len(commonprefix([after, suffix]))
        return (-score, abs(at - start) if start is not None else 0, at)

    best = min(found, key=rank)
    return _selector(text, best, best + len(exact))


def _selector(text: str, s: int, e: int) -> Selector:
    return Selector(text[s:e], text[max(0, s - CONTEXT) : s], text[e : e + CONTEXT], s, e)


def mark_html(html: str, ranges: list[tuple[int, int, str]]) -> str:
    parts = _TAG.split(html)  # text chunks at even indices, tags at odd ones
    texts = [unescape(part) for part in parts[::2]]
    length = sum(map(len, texts))
    spans = [(max(s, 0), min(e, length), str(i)) for s, e, i in ranges]
    spans = [span for span in spans if span[0] < span[1]]
    if not spans:
        return html
    runs = _runs(spans)

    out, offset, r = [], 0, 0
    for n, part in enumerate(parts):
        text = texts[n // 2] if n % 2 == 0 else ""
        lo = offset
        offset += len(text)
        while r < len(runs) and runs[r][1] <= lo:
            r += 1
        # Untouched chunks keep their original bytes (entity spelling included).
        if not text or r == len(runs) or runs[r][0] >= offset:
            out.append(part)
            continue
        pos, j = lo, r
        while j < len(runs) and runs[j][0] < offset:
            a, b, ids = runs[j]
            a, b = max(a, lo), min(b, offset)
            out.append(escape(text[pos - lo : a - lo], quote=False))
            out.append(_mark(ids, text[a - lo : b - lo]))
            pos, j = b, j + 1
        out.append(escape(text[pos - lo :], quote=False))
    return "".join(out)


def _runs(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Maximal stretches of text covered by one unchanging set of ids, in order."""
    starts, ends = defaultdict(list), defaultdict(list)
    for k, (s, e, _) in enumerate(spans):
        starts[s].append(k)
        ends[e].append(k)
    points = sorted(starts.keys() | ends.keys())
    active: set[int] = set()
    runs: list[tuple[int, int, tuple[str, ...]]] = []
    for a, b in zip(points, points[1:], strict=False):
        active.difference_update(ends[a])
        active.update(starts[a])
        if not active:
            continue
        ids = tuple(dict.fromkeys(spans[k][2] for k in sorted(active)))
        if runs and runs[-1][1] == a and runs[-1][2] == ids:
            runs[-1] = (runs[-1][0], b, ids)
        else:
            runs.append((a, b, ids))
    return runs


def _mark(ids: tuple[str, ...], text: str) -> str:
    # Counting distinct ids keeps data-overlap equal to the ids listed beside it.
    overlap = f' data-overlap="{len(ids)}"' if len(ids) > 1 else ""
    names, body = escape(" ".join(ids), quote=True), escape(text, quote=False)
    return f'<mark class="anno" data-annotations="{names}"{overlap}>{body}</mark>'
