"""Benchmark: the reading importer on crafted inputs of the largest size accepted.

`make bench` runs it after run.py. Not collected by pytest. Each input (a normal
interview, article and notes, and inputs crafted to make a parser backtrack,
recurse, or compare everything with everything, and inputs just under each limit
the importer sets) is parsed a few times; the table gives the median time and what
came of it (passages, or the refusal's message). The JSON keys are the file names.
The last line is one JSON object. `python tests/bench/importers.py 1000000` runs
the same inputs at 1 MB, to compare sizes: every time should grow in proportion.
"""

import json
import random
import re
import statistics
import sys
import time

import django_setup  # noqa: E402, F401  (Django, set up as production runs it)
from django.conf import settings  # noqa: E402

from readings.importers import ImportProblem, parse  # noqa: E402
from readings.services import passage_anchors  # noqa: E402

WORDS = [
    "the",
    "strike",
    "began",
    "with",
    "a",
    "rota",
    "nobody",
    "could",
    "live",
    "on",
    "and",
    "we",
    "met",
    "in",
    "a",
    "car",
    "park",
]


def sentence(rng: random.Random, low: int = 40, high: int = 120) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def fill(size: int, unit: str, head: str = "", tail: str = "") -> bytes:
    """`unit` repeated to make `size` bytes with `head` and `tail` around it."""
    room = size - len(head.encode()) - len(tail.encode())
    return (head + unit * (room // len(unit.encode())) + tail).encode()


def interview(size: int) -> bytes:
    rng = random.Random(7)
    parts = ["A generated interview", "Interview with Rae Quinn"]
    total, turn = 0, 0
    while total < size - 1000:
        label = ["Study Circle", "Rae Quinn"][turn % 2] if turn < 2 else ["SC", "RQ"][turn % 2]
        paragraph = f"{label}: {sentence(rng)}" if rng.random() < 0.4 else sentence(rng)
        turn += paragraph.startswith(label)
        parts.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(parts).encode()


def article(size: int) -> bytes:
    rng = random.Random(8)
    parts = ["<!doctype html><html><head><title>A saved article | Site</title></head><body>"]
    parts.append("<nav><a href='/'>Home</a></nav><article><h1>A saved article</h1>")
    total = 0
    while total < size - 1000:
        words = sentence(rng).split()
        words[3] = f"<em>{words[3]}</em>"
        words[8] = f"<a href='https://example.org/{rng.randint(1, 99)}'>{words[8]}</a>"
        choice = rng.random()
        if choice < 0.3:
            part = f"<p><strong>{rng.choice(['Ann Lee', 'Bo Ray'])}:</strong> {' '.join(words)}</p>"
        elif choice < 0.4:
            part = f"<blockquote><p>{' '.join(words)}</p></blockquote>"
        elif choice < 0.5:
            part = f"<ul><li>{' '.join(words[:20])}</li><li>{' '.join(words[20:])}</li></ul>"
        else:
            part = f"<div class='section'><p>{' '.join(words)}</p></div>"
        parts.append(part + "\n")
        total += len(part) + 1
    parts.append("</article></body></html>")
    return "".join(parts).encode()


def notes(size: int) -> bytes:
    rng = random.Random(9)
    parts = ["# Reading notes"]
    total = 0
    while total < size - 1000:
        words = sentence(rng).split()
        part = rng.choice(
            [
                f"## {' '.join(words[:4])}",
                f"> {' '.join(words)}",
                f"- {' '.join(words[:15])}\n- *{' '.join(words[15:])}*",
                f"**Ann Lee:** {' '.join(words)} [a link](https://example.org/)",
                " ".join(words),
            ]
        )
        parts.append(part)
        total += len(part) + 2
    return "\n\n".join(parts).encode()


def distinct_labels(size: int, abbreviated: bool) -> bytes:
    """Interview turns by thousands of different speakers; with `abbreviated`, each
    full name also speaks by its initials, as a transcript does after a first turn."""
    parts, total, n = [], 0, 0
    while total < size:
        first = "".join(chr(65 + (n // 26**k) % 26).lower() for k in range(4)).capitalize()
        name = f"Ann {first}"
        part = f"{name}: Yes.\n\nA{first[0]}: No.\n\n" if abbreviated else f"{name}: Yes.\n\n"
        parts.append(part)
        total += len(part)
        n += 1
    return "".join(parts).encode()[:size]


def crafted(size: int) -> list[tuple[str, str, bytes]]:
    """(what it is, file name, content): normal inputs first, then crafted ones."""
    nested = "<div>" * 499 + "<p>Deep.</p>" + "</div>" * 499
    return [
        ("interview (normal text)", "interview.txt", interview(size)),
        ("saved article (normal HTML)", "article.html", article(size)),
        ("reading notes (normal Markdown)", "notes.md", notes(size)),
        ("speakers, all different names", "speakers.txt", distinct_labels(size, False)),
        ("speakers, names and initials", "initials.txt", distinct_labels(size, True)),
        ("one line of [, no extension", "", fill(size, "[")),
        ("one line of [, Markdown", "brackets.md", fill(size, "[")),
        ("[a]( repeated, Markdown", "links.md", fill(size, "[a](")),
        ("![[ repeated, Markdown", "images.md", fill(size, "![[")),
        ("one line of *, Markdown", "stars.md", fill(size, "*")),
        ("*a repeated, Markdown", "emphasis.md", fill(size, "*a")),
        ("one line of _, Markdown", "underscores.md", fill(size, "_")),
        ("one line of `, Markdown", "backticks.md", fill(size, "`")),
        ("` and `` alternating, Markdown", "ticks.md", fill(size, "` ``")),
        ("one line of <, Markdown", "angles.md", fill(size, "<")),
        ("one line of #, Markdown", "hashes.md", fill(size, "#")),
        ("one line of :, text", "colons.txt", fill(size, ":")),
        ("one line of words, text", "line.txt", fill(size, "strike ")),
        ("lines of > nested 1,000 deep, Markdown", "quotes.md", fill(size, ">" * 1000 + " x\n")),
        ("one line of >, Markdown", "quote.md", fill(size, ">")),
        ("lists nested 1,000 deep, Markdown", "lists.md", fill(size, "- " * 1000 + "x\n")),
        ("list items, one a line, Markdown", "items.md", fill(size, "- x\n")),
        ("one passage a line, text", "short.txt", fill(size, "x\n")),
        ("the same line repeated, text", "same.txt", fill(size, "Same line.\n\n")),
        ("undefined Windows-1252 bytes", "bytes.txt", fill(size, "x").replace(b"x", b"\x81")),
        ("declared punycode, not UTF-8", "puny.html", declared(size, b"punycode", b"\xff")),
        ("declared UTF-7, not UTF-8", "utf7.html", declared(size, b"utf-7", b"+\xff")),
        ("declared Shift JIS, not UTF-8", "sjis.html", declared(size, b"sjis", b"\xff")),
        ("divs nested 3,000 deep", "deep.html", fill(size, "x", "<div>" * 3000)),
        ("divs nested 499 deep, repeated", "deep499.html", fill(size, nested)),
        ("divs nested 499 deep, text at each", "steps.html", fill(size, "<div>x", "<p>")),
        ("unclosed <p>, repeated", "paras.html", fill(size, "<p>x")),
        ("unclosed <b>, repeated", "bold.html", fill(size, "<b>x")),
        ("empty <i></i>, repeated", "empty.html", fill(size, "<i></i>", "<p>")),
        ("<p>x</p>, repeated", "many.html", fill(size, "<p>x</p>")),
        ("one tag, a million attributes", "attrs.html", fill(size, " a=b", "<p", ">x</p>")),
        ("one line of <, HTML", "angles.html", fill(size, "<")),
        ("unclosed comment, HTML", "comment.html", fill(size, "x", "<p><!--")),
        ("one long paragraph, HTML", "long.html", fill(size, "x <b>y</b> ", "<p>", "</p>")),
        ("<br> repeated, HTML", "breaks.html", fill(size, "<br>", "<p>")),
        ("&amp; repeated, HTML", "entities.html", fill(size, "&amp;", "<p>")),
        # Just under each limit, the rest of the file ordinary text.
        ("Markdown at its markup limits", "limits.md", at_markdown_limits(size)),
        ("HTML at its tag limit, <b> nested 499", "tags.html", at_tag_limit(size)),
        ("HTML at its tag limit, <p>x</p>", "paras-limit.html", at_tag_limit(size, "<p>x</p>")),
        ("HTML at its tag limit, <br>", "breaks-limit.html", at_tag_limit(size, "<br>")),
        ("HTML at its tag limit, unclosed <b>", "bold-limit.html", at_tag_limit(size, "<b>x")),
        (
            "Markdown list at its markup limit",
            "list-limit.md",
            fill(size, " strike", "- x\n" * 29_000),
        ),
        (
            "HTML at its entity limit",
            "amps-limit.html",
            fill(size, " strike", "<p>" + "&amp;" * 99_990),
        ),
        ("text at its passage limit", "limit.txt", fill(size, " strike", "x\n\n" * 19_990)),
    ]


def declared(size: int, charset: bytes, unit: bytes) -> bytes:
    head = b"<meta charset=" + charset + b"><p>"
    return head + unit * ((size - len(head)) // len(unit))


def at_markdown_limits(size: int) -> bytes:
    return fill(size, " strike", "a[a " * 9_990 + "a_a " * 49_000)


def at_tag_limit(size: int, unit: str = "") -> bytes:
    if not unit:  # 499 deep, closed, again and again: the most nesting allowed
        unit = "<b>" * 499 + "x" + "</b>" * 499
    return fill(size, " strike", "<p>" + unit * (49_990 // unit.count("<")))


def median_s(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def outcome(data: bytes, filename: str) -> str:
    try:
        return f"{len(parse(data, filename).blocks)} passages"
    except ImportProblem as problem:
        return f"refused: {problem}"


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else settings.READING_MAX_BYTES
    runs = 3
    print(f"Importer on inputs of {size:,} bytes (median of {runs} runs)")
    rows = []
    for name, filename, data in crafted(size):
        if len(data) > size:  # an input at a limit needs more room than a small size gives
            continue
        seconds = median_s(lambda data=data, filename=filename: outcome(data, filename), runs)
        rows.append((name, seconds, filename or "no extension"))
        print(f"  {name:<40} {seconds:>7.2f} s  {outcome(data, filename)[:70]}", flush=True)
    same = ["Same line."] * 20_000
    seconds = median_s(lambda: passage_anchors(same), runs)
    rows.append(("anchors, 20,000 identical passages", seconds, "anchors"))
    print(f"  {rows[-1][0]:<40} {seconds:>7.2f} s")
    worst = max(rows[3:], key=lambda row: row[1])
    print(f"  {'worst crafted input':<40} {worst[1]:>7.2f} s  {worst[0]}")
    result = {"importer_bytes": size}
    result |= {"importer_" + re.sub(r"\W+", "_", key): round(s, 3) for _, s, key in rows}
    result["importer_worst_crafted_s"] = round(worst[1], 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
