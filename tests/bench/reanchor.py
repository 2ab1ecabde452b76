"""Benchmark of carrying annotations across a revision (readings/reanchor.py). Not collected.

Run: .venv/bin/python tests/bench/reanchor.py

A generated reading of 2,000 passages of about 100 words carries 5,000 selections (one in
ten on a whole passage). It is revised twice:
- "revised": typos fixed in 200 passages, 20 sentences rewritten, 40 passages inserted and
  40 deleted, 20 split, 20 pairs merged, 10 sections of 5 passages moved;
- "every passage edited": one typo fixed in every passage, so no passage is unchanged and
  the whole text is one stretch for the word diff;
- "every passage rewritten": a new text with nothing in common but its vocabulary (the
  worst case: everything is diffed, searched, and orphaned).
And "tracked word edits": 2,000 passages of words that never repeat, revised by 600 random
whole-word edits (typos, words inserted, cut and moved, passages inserted, deleted, split,
merged and moved) that record where every character came from, so each placement is
audited: "wrong" counts selections placed on letters other than the ones selected, or,
when their words were edited inside, on a span holding an unchanged word from outside the
selection or words out of order (must be 0); "lost" those orphaned although their words
survive, unchanged, in one passage.
For each, plan() and place() for every selection, timed as the median of 3 runs; "edited"
counts the moved selections whose words were lightly edited inside (their quote changed). Prints a
table, then one JSON object as its last line.
"""

import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from readings.reanchor import CONTEXT, Selection, plan  # noqa: E402
from tests.readings.test_reanchor import tracked_revision, unchanged_words  # noqa: E402

PASSAGES = 2_000
SELECTIONS = 5_000
RUNS = 3
COMMON = [
    "the",
    "of",
    "and",
    "a",
    "to",
    "in",
    "is",
    "was",
    "he",
    "it",
    "that",
    "for",
    "on",
    "as",
    "with",
    "his",
    "they",
    "at",
    "by",
]


def vocabulary(rng: random.Random) -> list[str]:
    syllables = ["ka", "lo", "mi", "ren", "tas", "vu", "or", "el", "ni", "shu", "dar", "po"]
    return ["".join(rng.choices(syllables, k=rng.randint(1, 4))) for _ in range(5_000)]


def sentence(rng: random.Random, words: list[str]) -> str:
    picked = [
        rng.choice(COMMON) if rng.random() < 0.4 else rng.choice(words)
        for _ in range(rng.randint(8, 20))
    ]
    return " ".join(picked).capitalize() + "."


def passage(rng: random.Random, words: list[str]) -> str:
    text = ""
    while len(text.split()) < 90:
        text = (text + " " + sentence(rng, words)).strip()
    return text


def typo(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text))
    return text[:at] + rng.choice("xqz") + text[at + 1 :]


def revise(rng: random.Random, texts: list[str], words: list[str]) -> list[str]:
    texts = list(texts)
    for i in rng.sample(range(len(texts)), 200):
        texts[i] = typo(rng, texts[i])
    for i in rng.sample(range(len(texts)), 20):
        sentences = texts[i].split(". ")
        sentences[rng.randrange(len(sentences))] = sentence(rng, words).rstrip(".")
        texts[i] = ". ".join(sentences)
    for _ in range(40):
        texts.insert(rng.randrange(len(texts)), passage(rng, words))
    for _ in range(40):
        del texts[rng.randrange(len(texts))]
    for _ in range(20):
        i = rng.randrange(len(texts))
        cut = texts[i].find(". ", len(texts[i]) // 3) + 2
        if cut > 1:
            texts[i : i + 1] = [texts[i][:cut].strip(), texts[i][cut:]]
    for _ in range(20):
        i = rng.randrange(len(texts) - 1)
        texts[i : i + 2] = [texts[i] + " " + texts[i + 1]]
    for _ in range(10):
        i = rng.randrange(len(texts) - 5)
        section, texts[i : i + 5] = texts[i : i + 5], []
        at = rng.randrange(len(texts))
        texts[at:at] = section
    return texts


def selections(rng: random.Random, texts: list[str]) -> list[Selection]:
    chosen = []
    for _ in range(SELECTIONS):
        p = rng.randrange(len(texts))
        if rng.random() < 0.1:
            chosen.append(Selection(p))
            continue
        text = texts[p]
        starts = [0] + [k + 1 for k, c in enumerate(text) if c == " "]
        ends = [k - 1 for k in starts[1:]] + [len(text)]
        first = rng.randrange(len(starts))
        s, e = starts[first], ends[min(first + rng.randint(0, 7), len(ends) - 1)]
        chosen.append(
            Selection(p, s, e, text[s:e], text[max(0, s - CONTEXT) : s], text[e : e + CONTEXT])
        )
    return chosen


def audit(old, new, origins, chosen, placed) -> dict:
    where = {origin: (q, k) for q, row in enumerate(origins) for k, origin in enumerate(row)}
    wrong = lost = 0
    for selection, placement in zip(chosen, placed, strict=True):
        if selection.start is None:
            continue
        p, s, e = selection.passage, selection.start, selection.end
        letters = [k for k in range(s, e) if old[p][k] != " "]
        if placement.outcome != "orphaned":
            row = origins[placement.passage][placement.start : placement.end]
            if placement.exact == selection.exact:
                wrong += [row[k - s] for k in letters] != [(p, k) for k in letters]
            else:  # edited inside: no unchanged word from outside the span or out of order
                came = unchanged_words(row, placement.exact)
                wrong += came != sorted(came) or any(q != p or not s <= k < e for q, k in came)
            continue
        spots = [where.get((p, k)) for k in letters]
        if all(spots) and len({q for q, _ in spots}) == 1:
            q, start = spots[0]
            lost += new[q][start : spots[-1][1] + 1] == old[p][s:e]
    return {"wrong": wrong, "lost": lost}


def measure(old: list[str], new: list[str], chosen: list[Selection], origins=None) -> dict:
    times_plan, times_total, times_cpu = [], [], []
    for _ in range(RUNS):
        began, cpu = time.perf_counter(), time.process_time()
        result = plan(old, new)
        planned = time.perf_counter()
        placed = [result.place(s) for s in chosen]
        done = time.perf_counter()
        times_plan.append(planned - began)
        times_total.append(done - began)
        times_cpu.append(time.process_time() - cpu)
    outcomes = Counter(p.outcome for p in placed)
    checked = audit(old, new, origins, chosen, placed) if origins else {}
    return {
        **checked,
        "plan_s": round(statistics.median(times_plan), 3),
        "plan_and_place_s": round(statistics.median(times_total), 3),
        # The CPU it took: what the wall clock shows on a machine nobody else is using.
        "plan_and_place_cpu_s": round(statistics.median(times_cpu), 3),
        "kept": outcomes["kept"],
        "moved": outcomes["moved"],
        "orphaned": outcomes["orphaned"],
        # Moved onto their words as a light edit left them (a typo fixed inside, ...).
        "edited": sum(
            p.outcome == "moved" and p.exact != s.exact for s, p in zip(chosen, placed, strict=True)
        ),
        "removed_passages": result.carried.count(None),
    }


def main() -> None:
    rng = random.Random(14)
    words = vocabulary(rng)
    old = [passage(rng, words) for _ in range(PASSAGES)]
    chosen = selections(rng, old)
    scenarios = {
        "revised": revise(rng, old, words),
        "every passage edited": [typo(rng, text) for text in old],
        "every passage rewritten": [passage(rng, words) for _ in old],
    }
    results = {name: measure(old, new, chosen) for name, new in scenarios.items()}
    words_total = sum(len(t.split()) for t in old)
    tracked_old, tracked_new, origins = tracked_revision(rng, PASSAGES, 600, words=190)
    results["tracked word edits"] = measure(
        tracked_old, tracked_new, selections(rng, tracked_old), origins
    )
    print(f"{PASSAGES} passages ({words_total} words), {SELECTIONS} selections, median of {RUNS}")
    print(
        f"{'scenario':24} {'plan s':>8} {'+ place s':>10} {'cpu s':>6} {'kept':>6} {'moved':>6} "
        f"{'edited':>6} {'orphan':>7} {'wrong':>6} {'lost':>5}"
    )
    for name, r in results.items():
        print(
            f"{name:24} {r['plan_s']:8.3f} {r['plan_and_place_s']:10.3f} "
            f"{r['plan_and_place_cpu_s']:6.3f} "
            f"{r['kept']:6} {r['moved']:6} {r['edited']:6} {r['orphaned']:7} "
            f"{r.get('wrong', '-'):>6} {r.get('lost', '-'):>5}"
        )
    print(json.dumps({"reanchor": results}))


if __name__ == "__main__":
    main()
