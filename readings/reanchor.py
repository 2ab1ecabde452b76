"""Carry a reading's passages and its annotations' selections from one version of its text
to the next (plain Python: the caller reads and writes the database).

`plan(old_texts, new_texts)` compares the two versions once; `Plan.place(selection)` then
says where each annotation goes. How it decides:

Passages
  1. Passages whose text is unchanged are aligned in reading order (patience diff on the
     whole texts: the ones unique in both versions anchor, the stretches between are
     aligned again), then an unchanged passage that moved elsewhere is paired with its old
     self when its text is unique among what is left on both sides.
  2. Each stretch of old passages left between two aligned ones is diffed, word by word,
     against the new passages in the same stretch, their texts joined. Every run of
     identical words maps its old characters to new ones. An old and a new passage are
     *related* when the words they share cover at least half of the shorter one and at
     least a fifth of the longer one (or 40 characters): an edited passage, the parts of a
     split, the contributors to a merge. Only runs of two words or more, or of one word of
     four letters or more, count as shared: a stray "the" relates nothing. Words a passage
     shares with an unrelated one map nothing.
  3. An old passage still related to nothing is compared with new passages related to
     nothing anywhere in the text (edited and moved), through the words they share.
  4. Identity: related pairs are taken largest shared weight first, each old and each new
     passage at most once. So an edited passage keeps its identity, a split passage gives
     it to its larger part (the first on a tie), and of two merged passages the one that
     contributes more keeps it. An old passage that carries to nothing is removed.

Selections
  - A whole-passage annotation is kept on the passage that carries its passage; if its
    passage was removed but its text went into another one (a merge), it moves there;
    otherwise it is orphaned.
  - A selection of words whose words survive exactly (every character of it lies in one
    run of identical words of the diff between related passages) is "kept" when it stays on
    the passage carrying its own at the same offsets, else "moved".
  - A selection whose words were lightly edited (a typo fixed, a word of eight changed,
    punctuation fixed) is "moved" onto its words as they now stand: exactly the image of
    its span through the diff, when all of these hold:
    - both its ends map: each lies in a run of identical words, or inside the first (for
      its start) or last (for its end) word of an edit, and then goes to that edit's
      boundary in the new text (so an edited word at an end is taken whole);
    - the runs it overlaps all map to one new passage, in order, and nothing else in the
      new span comes from old text;
    - the edit is small: characters in unchanged runs are at least 3/4 of the old quote and
      of the new one, and one unchanged whole word of four letters or more remains (so a
      selection that is one short changed word stays orphaned);
    - words are edited in place: no edit inside puts in more words than it takes out
      (punctuation and spaces may be added), puts in a word the revision removed somewhere,
      or takes out one the revision inserted somewhere (either may be a word moved: a
      word that stood elsewhere is never brought into a selection unless the revision
      also changed it, and then it is a new word as far as any diff can tell).
  - Otherwise (its passage was removed, or the words moved away from where the diff aligns
    them: a sentence moved, a passage rewritten around them) its exact quote is looked
    for, as a fallback, only in text the revision inserted (text the diff did not map
    from elsewhere: words that stood in the old version at another place are another
    annotation's words, never this one's). An occurrence is accepted when the quote's
    length plus the context it agrees with (prefix and suffix, compared from the quote
    outwards) reaches 32 characters, and it stands out: the next candidate's context must
    agree on at least 8 fewer characters (and a quote found over 50 times is not looked
    at). Selected whole words only match whole words ("light" is not in "lighthouse").
    Otherwise, orphaned.
  - An orphan's home is the new passage that holds most of its surviving characters, else
    the one carrying its passage, else (its passage removed) the one its text went into,
    else the one now standing where it stood (after the new place of the passage before
    it); a facilitator re-attaches it.
  Hence a "kept" selection quotes exactly the words that were selected; a "moved" one
  quotes them too, or, edited, exactly what the diff made of them; none is ever placed on
  unchanged words that stood elsewhere in the old version.

Cost: the passage alignment and each word diff are patience diffs (near linear); difflib's
quadratic SequenceMatcher only runs on small leftovers (`_CAP` element pairs) that have no
word unique to both sides. A larger leftover anchors on runs of 4, then 16, tokens unique to
both sides, else counts as rewritten. Benchmark: tests/bench/reanchor.py.
"""

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from html import escape
from itertools import accumulate
from math import inf
from os.path import commonprefix

CONTEXT = 32  # characters of prefix/suffix a selector keeps (as discussions.anchoring)
MIN_EVIDENCE = 32  # quote + agreeing context, in characters, for a fallback match
MARGIN = 8  # context characters by which a fallback match must beat the next candidate
_MAX_CANDIDATES = 50  # a quote found more often than this in inserted text is orphaned
_CAP = 40_000  # most element pairs handed to difflib's quadratic matcher at once
# Beyond it, runs of this many elements unique to both sides anchor instead (so a long text
# of common words still aligns).
_WIDTHS = (1, 4, 16)
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORD = re.compile(r"\w{4,}")
_WORD_CHAR = re.compile(r"\w")
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Selection:
    passage: int  # index (0-based, reading order) of the OLD passage it is on
    start: int | None = None  # on that passage's text; None = the whole passage
    end: int | None = None
    exact: str = ""  # the selected words
    prefix: str = ""  # up to CONTEXT characters before them
    suffix: str = ""  # and after


@dataclass(frozen=True)
class Placement:
    outcome: str  # "kept", "moved" or "orphaned"
    passage: int  # index of the NEW passage it sits on (an orphan's nearest surviving place)
    start: int | None  # on the new passage's text; None for a whole passage and for orphans
    end: int | None
    exact: str  # the quote as it now stands (an orphan keeps its old quote)
    prefix: str  # recomputed from the new text (an orphan keeps its old ones)
    suffix: str


@dataclass(frozen=True)
class Change:
    kind: str  # "same" | "edited" | "added" | "removed"
    old: int | None  # old passage index
    new: int | None  # new passage index


def _tokens(text: str) -> tuple[list[str], list[int]]:
    """Words, runs of spaces and single other characters, with where each starts: together
    they are the whole text."""
    tokens = _TOKEN.findall(text)
    return tokens, [0, *accumulate(map(len, tokens))][:-1]


def _shared_run(a: list, i: int, b: list, j: int, most: int, step: int) -> int:
    """How many elements from a[i] and b[j] are equal, going forward (step 1) or backward
    (step -1, from a[i - 1] and b[j - 1]), at most `most`: slices compared by galloping."""

    def equal(n: int) -> bool:
        if step == 1:
            return a[i : i + n] == b[j : j + n]
        return a[i - n : i] == b[j - n : j]

    low, high = 0, 1
    while high <= most and equal(high):
        low, high = high, high * 2
    high = min(high, most + 1)
    while high - low > 1:  # equal(low) holds, equal(high) does not (or is out of reach)
        middle = (low + high) // 2
        low, high = (middle, high) if equal(middle) else (low, middle)
    return low


def _lis(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of pairs increasing in their second item (pairs come sorted by the
    first): patience sorting with back links."""
    tails: list[int] = []  # for each run length, index in pairs of the smallest tail
    tail_values: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        at = bisect_right(tail_values, j)
        if at and tail_values[at - 1] == j:
            continue
        back[k] = tails[at - 1] if at else -1
        if at == len(tails):
            tails.append(k)
            tail_values.append(j)
        else:
            tails[at] = k
            tail_values[at] = j
    run, k = [], tails[-1] if tails else -1
    while k != -1:
        run.append(pairs[k])
        k = back[k]
    return run[::-1]


def _unique_pairs(
    a: list, b: list, alo: int, ahi: int, blo: int, bhi: int, width: int
) -> list[tuple[int, int]]:
    """Starts (i, j) of runs of `width` elements that occur once on each side and are equal
    (a lone space is no anchor: it would pair two edits' words wrongly), the longest series
    of them in the same order on both sides, none overlapping."""

    def runs(seq: list, lo: int, hi: int) -> list:
        if width == 1:
            return seq[lo:hi]
        return [tuple(seq[k : k + width]) for k in range(lo, hi - width + 1)]

    runs_a, runs_b = runs(a, alo, ahi), runs(b, blo, bhi)
    count_a, count_b = Counter(runs_a), Counter(runs_b)
    common = {run for run, n in count_a.items() if n == 1 and not _blank(run)}
    common.intersection_update(run for run, n in count_b.items() if n == 1)
    if not common:
        return []
    # Built by dict() from zip() rather than a loop: these lists can be the whole text.
    where_a = dict(zip(runs_a, range(alo, ahi), strict=False))
    where_b = dict(zip(runs_b, range(blo, bhi), strict=False))
    pairs = sorted((where_a[run], where_b[run]) for run in common)
    anchors: list[tuple[int, int]] = []
    for i, j in _lis(pairs):
        if not anchors or (i >= anchors[-1][0] + width and j >= anchors[-1][1] + width):
            anchors.append((i, j))
    return anchors


def _blank(element) -> bool:
    """Spaces join runs of matching words but never start one: a shared space alone says
    nothing, and spaces would make difflib's work quadratic."""
    return isinstance(element, str) and element.isspace()


def _align(a: list, b: list) -> list[tuple[int, int, int]]:
    """Blocks (i, j, n) with a[i:i + n] == b[j:j + n], increasing in both: a patience diff
    (shared ends, then elements unique to both sides as anchors, then the same inside each
    stretch between anchors). A small stretch with no unique element goes to difflib; a
    large one is anchored by unique runs of elements, else counts as rewritten."""
    blocks = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        n = _shared_run(a, alo, b, blo, min(ahi - alo, bhi - blo), 1)
        if n:
            blocks.append((alo, blo, n))
            alo, blo = alo + n, blo + n
        n = _shared_run(a, ahi, b, bhi, min(ahi - alo, bhi - blo), -1)
        if n:
            blocks.append((ahi - n, bhi - n, n))
            ahi, bhi = ahi - n, bhi - n
        if alo == ahi or blo == bhi:
            continue
        small = (ahi - alo) * (bhi - blo) <= _CAP
        for width in (1,) if small else _WIDTHS:
            anchors = _unique_pairs(a, b, alo, ahi, blo, bhi, width)
            if anchors:
                prev_i, prev_j = alo, blo
                for i, j in [*anchors, (ahi, bhi)]:
                    if i - prev_i == j - prev_j > 0 and a[prev_i:i] == b[prev_j:j]:
                        blocks.append((prev_i, prev_j, i - prev_i))  # the usual case
                    elif prev_i < i and prev_j < j:  # else nothing between is left to match
                        stack.append((prev_i, i, prev_j, j))
                    blocks.append((i, j, width))
                    prev_i, prev_j = i + width, j + width
                blocks.pop()
                break
        else:
            if small:
                matcher = SequenceMatcher(_blank, a[alo:ahi], b[blo:bhi], autojunk=False)
                blocks.extend(
                    (alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n
                )
    blocks.sort()
    merged: list[tuple[int, int, int]] = []
    for i, j, n in blocks:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        else:
            merged.append((i, j, n))
    return merged


def _related(weight: int, old_len: int, new_len: int) -> bool:
    short, long = min(old_len, new_len), max(old_len, new_len)
    return weight > 0 and 2 * weight >= short and weight >= min(long / 5, 40)


class _Side:
    """Several passages' words in one token list, with a boundary token between passages
    that equals nothing, so no run of identical words crosses from one passage to the next."""

    def __init__(self, name: str, texts: list[str], indexes: list[int]):
        self.tokens: list = []
        self.owner: list[int] = []
        self.starts: list[int] = []
        for k, index in enumerate(indexes):
            if k:
                self.tokens.append((name, k))
                self.owner.append(-1)
                self.starts.append(0)
            tokens, starts = _tokens(texts[index])
            self.tokens += tokens
            self.owner += [index] * len(tokens)
            self.starts += starts

    def span(self, first: int, count: int) -> tuple[int, int, int]:
        """(passage, start, end) of `count` tokens from `first`, all in one passage."""
        last = first + count - 1
        return self.owner[first], self.starts[first], self.starts[last] + len(self.tokens[last])


def _shared(
    old_texts: list[str], new_texts: list[str], olds: list[int], news: list[int]
) -> dict[tuple[int, int], tuple[int, list[tuple[int, int, int]]]]:
    """For each (old, new) pair of these passages that share words: the weight (characters
    in shared runs of two words or more, or of one word of four letters or more) and the
    runs (old start, new start, length)."""
    a, b = _Side("a", old_texts, olds), _Side("b", new_texts, news)
    shared: dict = defaultdict(lambda: [0, []])
    for i, j, n in _align(a.tokens, b.tokens):
        p, ps, pe = a.span(i, n)
        q, qs, _ = b.span(j, n)
        entry = shared[(p, q)]
        entry[1].append((ps, qs, pe - ps))
        words = [t for t in a.tokens[i : i + n] if _WORD_CHAR.match(t)]
        if len(words) > 1 or words and len(words[0]) >= 4:  # not a stray "the" or "a"
            entry[0] += pe - ps
    return {pair: (weight, runs) for pair, (weight, runs) in shared.items()}


def _related_pairs(
    old_texts: list[str], new_texts: list[str], olds: list[int], news: list[int]
) -> list[tuple[int, int, int, list[tuple[int, int, int]]]]:
    """(weight, old, new, runs) for each related pair among these passages."""
    return [
        (weight, p, q, runs)
        for (p, q), (weight, runs) in _shared(old_texts, new_texts, olds, news).items()
        if _related(weight, len(old_texts[p]), len(new_texts[q]))
    ]


def _moved_pairs(
    old_texts: list[str], new_texts: list[str], olds: list[int], news: list[int]
) -> list[tuple[int, int, int, list[tuple[int, int, int]]]]:
    """Related pairs of these old and new passages found anywhere in the text (edited and
    moved): each old one is diffed against the few new ones sharing most of its less
    common words."""
    by_word, new_words = defaultdict(list), {}
    for q in news:
        new_words[q] = set(_WORD.findall(new_texts[q].lower()))
        for word in new_words[q]:
            by_word[word].append(q)
    pairs = []
    for p in olds:
        words, votes = set(_WORD.findall(old_texts[p].lower())), Counter()
        for word in words:
            if len(by_word.get(word, ())) <= 20:
                votes.update(by_word.get(word, ()))
        for q, _ in votes.most_common(3):
            # Sharing half the text needs a good part of the words: diff only then.
            if 10 * len(words & new_words[q]) >= 3 * min(len(words), len(new_words[q])):
                pairs += _related_pairs(old_texts, new_texts, [p], [q])
    return pairs


class Plan:
    """How one version of a reading's text becomes the next: `carried` (for each old
    passage, the new one that takes over its identity, or None), `changes` (the preview's
    rows) and `place()` for each annotation."""

    def __init__(self, old_texts: list[str], new_texts: list[str]):
        if not new_texts:
            raise ValueError("A revised text has at least one passage.")
        self._old, self._new = old_texts, new_texts
        n_old, n_new = len(old_texts), len(new_texts)
        self.carried: list[int | None] = [None] * n_old
        carrier: list[int | None] = [None] * n_new
        # Per old passage: runs (old start, new passage, new start, length) of its words
        # that survive in a related new passage, sorted by old start.
        self._runs: list[list[tuple[int, int, int, int]]] = [[] for _ in range(n_old)]
        self._merged_into: list[int | None] = [None] * n_old
        # For a removed passage: the new passage now standing where it stood (its row of
        # the preview comes just before that one's).
        self._stood = [0] * n_old
        self._inserted: tuple[str, list[tuple[int, int, int, int]], dict] | None = None
        self._removed: set[str] | None = None

        def pair(p: int, q: int) -> None:
            self.carried[p], carrier[q] = q, p
            if old_texts[p]:
                self._runs[p] = [(0, q, 0, len(old_texts[p]))]

        in_order = []
        for i, j, n in _align(old_texts, new_texts):
            for k in range(n):
                pair(i + k, j + k)
                in_order.append((i + k, j + k))

        # Unchanged passages that moved: unique among what is left on both sides.
        left_old = Counter(old_texts[p] for p in range(n_old) if self.carried[p] is None)
        left_new = {}
        for q in range(n_new):
            if carrier[q] is None:
                left_new[new_texts[q]] = None if new_texts[q] in left_new else q
        for p in range(n_old):
            text = old_texts[p]
            if self.carried[p] is None and left_old[text] == 1 and left_new.get(text) is not None:
                pair(p, left_new[text])

        # Each stretch between passages aligned in order, diffed word by word; then what
        # is related to nothing, across the whole text.
        bounds = [(-1, -1), *in_order, (n_old, n_new)]
        stretches = list(zip(bounds, bounds[1:], strict=False))
        pairs = []
        for (p0, q0), (p1, q1) in stretches:
            olds = [p for p in range(p0 + 1, p1) if self.carried[p] is None]
            news = [q for q in range(q0 + 1, q1) if carrier[q] is None]
            if olds and news:
                pairs += _related_pairs(old_texts, new_texts, olds, news)
        related_old, related_new = {p for _, p, _, _ in pairs}, {q for _, _, q, _ in pairs}
        pairs += _moved_pairs(
            old_texts,
            new_texts,
            [p for p in range(n_old) if self.carried[p] is None and p not in related_old],
            [q for q in range(n_new) if carrier[q] is None and q not in related_new],
        )

        pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
        for _, p, q, runs in pairs:
            self._runs[p] += [(ps, q, qs, n) for ps, qs, n in runs]
            if self.carried[p] is None and carrier[q] is None:
                self.carried[p], carrier[q] = q, p
            elif self._merged_into[p] is None:
                self._merged_into[p] = q
        for runs in self._runs:
            runs.sort()
        self._run_starts = [[r[0] for r in runs] for runs in self._runs]
        # Per new passage: the stretches old words map to, (start, end, old passage, its
        # start), sorted.
        self._mapped: list[list[tuple[int, int, int, int]]] = [[] for _ in range(n_new)]
        for p, runs in enumerate(self._runs):
            for ps, q, qs, n in runs:
                self._mapped[q].append((qs, qs + n, p, ps))
        for stretches_of in self._mapped:
            stretches_of.sort()
        self._mapped_starts = [[m[0] for m in mapped] for mapped in self._mapped]

        for (p0, q0), (p1, q1) in stretches:
            at = q0 + 1
            for p in range(p0 + 1, p1):
                q = self.carried[p]
                if q is None:
                    self._stood[p] = at
                elif q0 < q < q1:  # not moved away: what follows stands after it
                    at = max(at, q + 1)

        rows = [
            (q, 1, Change("added", None, q))
            if p is None
            else (q, 1, Change("same" if old_texts[p] == new_texts[q] else "edited", p, q))
            for q, p in enumerate(carrier)
        ]
        rows += [
            (self._stood[p], 0, Change("removed", p, None))
            for p in range(n_old)
            if self.carried[p] is None
        ]
        rows.sort(key=lambda row: (row[0], row[1], row[2].old or 0))
        self.changes: list[Change] = [row[2] for row in rows]

    def place(self, selection: Selection) -> Placement:
        """Where an annotation on the old text goes in the new one."""
        p = selection.passage
        if not 0 <= p < len(self._old):
            raise IndexError(f"The old text has no passage {p}.")
        if selection.start is None:
            q = self.carried[p]
            outcome = "kept" if q is not None else "moved"
            if q is None:
                q = self._merged_into[p]
            if q is None:
                return self._orphan(selection, self._home(p))
            return Placement(outcome, q, None, None, *self._quote(selection))

        start, end, old = selection.start, selection.end, self._old[p]
        valid = (
            end is not None and 0 <= start < end <= len(old) and old[start:end] == selection.exact
        )
        if valid:
            k = bisect_right(self._run_starts[p], start) - 1
            if k >= 0:
                ps, q, qs, n = self._runs[p][k]
                if end <= ps + n:
                    return self._at(selection, q, qs + start - ps, qs + end - ps)
            image = self._image(p, start, end)
            if image:
                return self._at(selection, *image)
        found = self._search(selection)
        if found:
            return self._at(selection, *found)
        home = self._home(p)
        if valid:
            surviving = Counter()
            for ps, q, _, n in self._runs[p]:
                surviving[q] += max(0, min(end, ps + n) - max(start, ps))
            best = max(surviving.items(), key=lambda item: (item[1], -item[0]), default=None)
            if best and best[1]:
                home = best[0]
        return self._orphan(selection, home)

    @staticmethod
    def _quote(selection: Selection) -> tuple[str, str, str]:
        return selection.exact, selection.prefix, selection.suffix

    def _orphan(self, selection: Selection, home: int) -> Placement:
        return Placement("orphaned", home, None, None, *self._quote(selection))

    def _home(self, p: int) -> int:
        for q in (self.carried[p], self._merged_into[p]):
            if q is not None:
                return q
        return min(self._stood[p], len(self._new) - 1)

    def _at(self, selection: Selection, q: int, start: int, end: int) -> Placement:
        text = self._new[q]
        kept = (
            q == self.carried[selection.passage]
            and start == selection.start
            and text[start:end] == selection.exact
        )
        return Placement(
            "kept" if kept else "moved",
            q,
            start,
            end,
            text[start:end],
            text[max(0, start - CONTEXT) : start],
            text[end : end + CONTEXT],
        )

    def _image(self, p: int, start: int, end: int) -> tuple[int, int, int] | None:
        """Where the diff maps old passage p's [start, end) when its words were lightly
        edited (see the module's docstring), as (new passage, start, end), or None."""
        runs, old = self._runs[p], self._old[p]
        first = bisect_right(self._run_starts[p], start) - 1
        if first < 0 or runs[first][0] + runs[first][3] <= start:
            first += 1
        last = bisect_left(self._run_starts[p], end)
        inside = runs[first:last]  # the runs of unchanged words the selection overlaps
        if not inside:
            return None
        q = inside[0][1]
        for (ps, q1, qs, n), (ps2, q2, qs2, _) in zip(inside, inside[1:], strict=False):
            if q2 != q or q1 != q or ps + n > ps2 or qs + n > qs2:
                return None  # split across passages, or not in the same order
        mapped, mapped_starts = self._mapped[q], self._mapped_starts[q]
        new_text = self._new[q]
        token_starts = None

        def token_at(at: int) -> tuple[int, int]:
            nonlocal token_starts
            if token_starts is None:
                token_starts = [*_tokens(old)[1], len(old)]
            k = bisect_right(token_starts, at) - 1
            return token_starts[k], token_starts[k + 1]

        # (old, new) text of each edit inside the span: between runs, and at either end.
        edits = [
            (old[ps + n : ps2], new_text[qs + n : qs2])
            for (ps, _, qs, n), (ps2, _, qs2, _) in zip(inside, inside[1:], strict=False)
        ]
        ps, _, qs, n = inside[0]
        if ps <= start:
            new_start = qs + start - ps
        else:  # the selection starts in edited words: only inside the first one
            k = bisect_left(mapped_starts, qs)
            before = mapped[k - 1] if k else None
            if before is None and first == 0:
                gap_old, gap_new = 0, 0
            elif before and first and before[2:] == (p, runs[first - 1][0]):
                gap_old, gap_new = runs[first - 1][0] + runs[first - 1][3], before[1]
            else:
                return None
            if token_at(start)[0] != gap_old:
                return None
            new_start = gap_new
            edits.append((old[gap_old:ps], new_text[gap_new:qs]))
        ps, _, qs, n = inside[-1]
        if end <= ps + n:
            new_end = qs + end - ps
        else:  # the selection ends in edited words: only inside the last one
            k = bisect_right(mapped_starts, qs)
            after = mapped[k] if k < len(mapped) else None
            if after is None and last == len(runs):
                gap_old, gap_new = len(old), len(new_text)
            elif after and last < len(runs) and after[2:] == (p, runs[last][0]):
                gap_old, gap_new = runs[last][0], after[0]
            else:
                return None
            if token_at(end - 1)[1] != gap_old:
                return None
            new_end = gap_new
            edits.append((old[ps + n : gap_old], new_text[qs + n : gap_new]))
        # Words are only edited in place: an edit puts no more words than it takes out (so
        # no word is slipped in; punctuation and spaces may be), puts none that the revision
        # removed somewhere (it may be a word moved in, which stood elsewhere) and takes out
        # none that the revision inserted somewhere (it may have moved away).
        removed, inserted = self._removed_words(), self._inserted_text()[2]
        for a, b in edits:
            words_a, words_b = _WORDS.findall(a), _WORDS.findall(b)
            if len(words_b) > len(words_a) or not removed.isdisjoint(words_b):
                return None
            if any(word in inserted for word in words_a):
                return None
        # Nothing in the new span came from anywhere but these runs.
        k = bisect_right(mapped_starts, new_start) - 1
        k = k if k >= 0 and mapped[k][1] > new_start else k + 1
        there = []
        while k < len(mapped) and mapped[k][0] < new_end:
            there.append(mapped[k])
            k += 1
        if [(qs, p1, ps) for qs, _, p1, ps in there] != [(qs, p, ps) for ps, _, qs, _ in inside]:
            return None
        unchanged = sum(min(end, ps + n) - max(start, ps) for ps, _, _, n in inside)
        if 4 * unchanged < 3 * max(end - start, new_end - new_start):
            return None
        for ps, _, _, n in inside:
            low, high = max(start, ps), min(end, ps + n)
            for m in _WORD.finditer(old, low, high):
                if token_at(m.start()) == m.span():  # a whole word, not part of one
                    return q, new_start, new_end
        return None

    def _removed_words(self) -> set[str]:
        """The words of old text that no run maps to the new text."""
        if self._removed is None:
            self._removed = set()
            for p, text in enumerate(self._old):
                pos = 0
                for ps, _, _, n in [*self._runs[p], (len(text), None, None, 0)]:
                    if ps > pos:
                        self._removed.update(_WORDS.findall(text, pos, ps))
                    pos = max(pos, ps + n)
        return self._removed

    def _search(self, selection: Selection) -> tuple[int, int, int] | None:
        """The one place in text the revision inserted that holds the exact quote with
        enough agreeing context, or None."""
        exact = selection.exact
        if not exact or "\0" in exact:
            return None
        joined, pieces, by_word = self._inserted_text()
        # Whole words selected are only carried to whole words ("cat", not "concatenate").
        word_start = bool(_WORD_CHAR.match(exact[0])) and not _WORD_CHAR.match(
            selection.prefix[-1:]
        )
        word_end = bool(_WORD_CHAR.match(exact[-1])) and not _WORD_CHAR.match(selection.suffix[:1])
        # So each word of the quote is a whole word wherever the quote stands: only the
        # stretches holding all of them need looking through.
        inside = {
            m.group()
            for m in _WORDS.finditer(exact)
            if (m.start() > 0 or word_start) and (m.end() < len(exact) or word_end)
        }
        holding = None
        for word in sorted(inside, key=lambda word: len(by_word.get(word, ()))):
            holding = by_word.get(word, set()) if holding is None else holding & by_word[word]
            if len(holding) <= 8:
                break
        if holding is not None and len(holding) <= 256:
            spans = [(pieces[k][0], pieces[k][0] + pieces[k][3]) for k in sorted(holding)]
        else:  # one pass over everything beats many small ones
            spans = [(0, len(joined))]
        prefix, suffix = selection.prefix[::-1], selection.suffix
        scored = []
        for low, high in spans:
            at = joined.find(exact, low, high)
            while at != -1 and len(scored) <= _MAX_CANDIDATES:
                k = bisect_right(pieces, (at, inf)) - 1
                offset, q, start, _ = pieces[k]
                s = start + at - offset
                text, e = self._new[q], s + len(exact)
                at = joined.find(exact, at + 1, high)
                if (word_start and _WORD_CHAR.match(text[s - 1 : s])) or (
                    word_end and _WORD_CHAR.match(text[e : e + 1])
                ):
                    continue
                agree = len(commonprefix([text[max(0, s - CONTEXT) : s][::-1], prefix]))
                agree += len(commonprefix([text[e : e + CONTEXT], suffix]))
                scored.append((agree, q, s))
        if not scored or len(scored) > _MAX_CANDIDATES:
            return None
        scored.sort(reverse=True)
        agree, q, s = scored[0]
        if len(exact) + agree < MIN_EVIDENCE:
            return None
        if len(scored) > 1 and scored[1][0] > agree - MARGIN:
            return None
        return q, s, s + len(exact)

    def _inserted_text(self) -> tuple[str, list[tuple[int, int, int, int]], dict]:
        """Every stretch of new text that no old words map to, joined by NULs; for each
        stretch (where it starts in the joined string, its passage, where it starts there,
        its length); and which stretches hold each word."""
        if self._inserted is None:
            texts, pieces, by_word, length = [], [], defaultdict(set), 0
            for q, text in enumerate(self._new):
                pos = 0
                for s, e, *_ in [*self._mapped[q], (len(text), len(text))]:
                    if s > pos:
                        texts.append(text[pos:s])
                        for word in _WORDS.findall(texts[-1]):
                            by_word[word].add(len(pieces))
                        pieces.append((length, q, pos, s - pos))
                        length += s - pos + 1
                    pos = max(pos, e)
            self._inserted = ("\0".join(texts), pieces, by_word)
        return self._inserted


def plan(old_texts: list[str], new_texts: list[str]) -> Plan:
    """Compare two versions of a reading's text, given as its passages' plain texts in
    reading order (the new one has at least one passage)."""
    return Plan(old_texts, new_texts)


def marked(old: str, new: str) -> str:
    """HTML-escaped text of `new` with words removed in <del>…</del> and added in <ins>…</ins>
    (word-level), for the preview of an edited passage."""
    a, b = _tokens(old)[0], _tokens(new)[0]
    hunks: list[list[str]] = []  # [same] or [removed, added]
    i = j = 0
    for bi, bj, n in [*_align(a, b), (len(a), len(b), 0)]:
        removed, added = "".join(a[i:bi]), "".join(b[j:bj])
        if removed or added:
            # "x y" -> "z w" reads as one change, not two split by an unchanged space.
            if (
                len(hunks) >= 2
                and len(hunks[-1]) == 1
                and hunks[-1][0].isspace()
                and all(hunks[-2])
                and removed
                and added
            ):
                space = hunks.pop()[0]
                hunks[-1] = [hunks[-1][0] + space + removed, hunks[-1][1] + space + added]
            else:
                hunks.append([removed, added])
        if n:
            hunks.append(["".join(b[bj : bj + n])])
        i, j = bi + n, bj + n
    out = []
    for hunk in hunks:
        if len(hunk) == 1:
            out.append(escape(hunk[0], quote=False))
        else:
            if hunk[0]:
                out.append(f"<del>{escape(hunk[0], quote=False)}</del>")
            if hunk[1]:
                out.append(f"<ins>{escape(hunk[1], quote=False)}</ins>")
    return "".join(out)
