"""Benchmark: revising a long, much-discussed reading (`make bench` runs it after
run.py). Not collected by pytest.

A 2,000-passage reading carrying 5,000 annotations (a fifth on whole passages,
the rest on words) and 50 agenda items, revised with typo fixes, inserted,
deleted, split and merged paragraphs. Measures, each as the median of 3 runs on
fresh data: uploading the revised text (parse, compare, store the draft), the
staff review page of the draft, and publishing it (the passages rewritten in
place, every annotation and agenda item moved, one commit). Runs against a
throwaway test database (SQLite, or PostgreSQL when DATABASE_URL is set).
Prints a table, then one JSON object as its last line.
"""

import json
import random
import statistics
import time
from collections import Counter

import django_setup  # noqa: E402, F401  (Django, set up as production runs it)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from discussions.bodies import render_body  # noqa: E402
from discussions.models import Annotation  # noqa: E402
from facilitation.models import AgendaItem  # noqa: E402
from groups.services import assign_reading, create_group  # noqa: E402
from readings.attached import PROVIDERS, Provider  # noqa: E402
from readings.services import import_reading, publish, publish_revision, upload_revision  # noqa: E402
from tests.conftest import add_member, make_user  # noqa: E402

PASSAGES, ANNOTATIONS, AGENDA_ITEMS, RUNS = 2000, 5000, 50, 3
WORDS = [
    "reading",
    "group",
    "history",
    "strike",
    "union",
    "archive",
    "pamphlet",
    "question",
    "meeting",
    "practice",
    "theory",
    "movement",
    "neighbourhood",
    "library",
    "argument",
    "margin",
    "chapter",
    "kitchen",
    "table",
    "picket",
    "line",
    "study",
    "circle",
    "translation",
    "edition",
    "printer",
    "workshop",
    "factory",
    "harbour",
]
CONTEXT = 32


def sentence(rng) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."


def paragraph(rng) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def revised(texts: list[str], rng) -> tuple[list[str], Counter]:
    """The text with 5% of passages given a typo fix, 2% deleted, 2% followed by
    a new one, 1% split in two and 1% merged with the next."""
    out, edits, skip = [], Counter(), False
    for n, text in enumerate(texts):
        if skip:
            skip = False
            continue
        roll = rng.random()
        if roll < 0.05:
            words = text.split(" ")
            at = rng.randrange(len(words))
            words[at] = words[at][:-1] + "x" if len(words[at]) > 3 else words[at]
            out.append(" ".join(words))
            edits["typo fixed"] += 1
        elif roll < 0.07:
            edits["deleted"] += 1
        elif roll < 0.09:
            out += [text, paragraph(rng)]
            edits["inserted"] += 1
        elif roll < 0.10:
            sentences = text.split(". ")
            half = len(sentences) // 2
            out += [". ".join(sentences[:half]) + ".", ". ".join(sentences[half:])]
            edits["split"] += 1
        elif roll < 0.11 and n + 1 < len(texts):
            out.append(text + " " + texts[n + 1])
            skip = True
            edits["merged"] += 1
        else:
            out.append(text)
    return out, edits


def seed(run: int, people, group):
    """The reading as imported and published, its annotations and agenda items
    written straight to the tables, and the revised text's bytes."""
    rng = random.Random(run)
    texts = [paragraph(rng) for _ in range(PASSAGES)]
    data = "\n\n".join(texts).encode()
    reading = import_reading(data=data, filename=f"bench-{run}.txt", title=f"Revised {run}")
    publish(reading)
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=people[0])
    passages = list(reading.passages.all())
    assert len(passages) == PASSAGES
    body = "A *considered* point about these words."
    html = render_body(body)
    kinds = ["question", "comment", "question", "note"]
    rows = []
    for n in range(ANNOTATIONS):
        passage = rng.choice(passages)
        words = {}
        if n % 5:
            tokens = passage.text.split(" ")
            first = rng.randrange(len(tokens))
            exact = " ".join(tokens[first : first + rng.randint(1, 3)])
            start = len(" ".join(tokens[:first])) + (1 if first else 0)
            end = start + len(exact)
            words = {
                "start": start,
                "end": end,
                "exact": exact,
                "prefix": passage.text[max(0, start - CONTEXT) : start],
                "suffix": passage.text[end : end + CONTEXT],
            }
        rows.append(
            Annotation(
                group=group,
                reading=reading,
                passage=passage,
                kind=kinds[n % 4],
                body=body,
                body_html=html,
                author=people[n % len(people)],
                **words,
            )
        )
    Annotation.objects.bulk_create(rows, batch_size=1000)
    AgendaItem.objects.bulk_create(
        AgendaItem(
            group=group,
            reading=reading,
            position=n + 1,
            text="What do we make of this?",
            passage=rng.choice(passages),
        )
        for n in range(AGENDA_ITEMS)
    )
    new, edits = revised(texts, rng)
    return reading, "\n\n".join(new).encode(), edits


def timed(provider: Provider, into: dict) -> Provider:
    """The provider, its move timed into `into` under its app's name."""
    name = provider.collect.__module__.split(".")[0]

    def move(reading, placed):
        start = time.perf_counter()
        provider.move(reading, placed)
        into.setdefault(name, []).append((time.perf_counter() - start) * 1000)

    return Provider(collect=provider.collect, move=move)


def main() -> None:
    # Production serves hashed static files, as after a deploy's collectstatic.
    call_command("collectstatic", interactive=False, verbosity=0)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        people = [make_user(f"reader{n}@example.org", f"Reader {n}") for n in range(30)]
        group = create_group(name="Bench group", description="", creator=people[0])
        for person in people[1:]:
            add_member(group, person)
        staff = make_user("staff@example.org", is_staff=True)
        client = Client()
        client.force_login(staff)
        providers = sorted(p.collect.__module__.split(".")[0] for p in PROVIDERS)
        move_ms: dict[str, list[float]] = {}
        PROVIDERS[:] = [timed(provider, move_ms) for provider in PROVIDERS]

        upload_ms, review_ms, publish_ms, queries = [], [], [], []
        for run in range(RUNS):
            reading, data, edits = seed(run, people, group)
            start = time.perf_counter()
            draft = upload_revision(reading=reading, data=data, filename="revised.txt")
            upload_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            assert client.get(draft.get_absolute_url()).status_code == 200
            review_ms.append((time.perf_counter() - start) * 1000)
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                moved = publish_revision(revision=draft)
                publish_ms.append((time.perf_counter() - start) * 1000)
            queries.append(len(captured))
            outcomes = Counter(placed.outcome for placed in moved.values())
            assert reading.passages.count() == len(draft.passages)

        annotations = sum(1 for key in moved if key.startswith("annotation:"))
        result = {
            "revise_passages": PASSAGES,
            "revise_new_passages": len(draft.passages),
            "revise_annotations": annotations,
            "revise_agenda_items": sum(1 for key in moved if key.startswith("agenda:")),
            "revise_providers": providers,
            "revise_edits": dict(edits),
            "revise_upload_ms": round(statistics.median(upload_ms), 1),
            "revise_review_page_ms": round(statistics.median(review_ms), 1),
            "revise_publish_ms": round(statistics.median(publish_ms), 1),
            "revise_publish_queries": statistics.median(queries),
            **{
                f"revise_move_{name}_ms": round(statistics.median(times), 1)
                for name, times in sorted(move_ms.items())
            },
            "revise_kept": outcomes["kept"],
            "revise_moved": outcomes["moved"],
            "revise_orphaned": outcomes["orphaned"],
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"Revising a reading on {connection.vendor} (median of {RUNS} runs, fresh data each)")
    print(f"  {'passages, before / after':<44} {PASSAGES:>8} / {result['revise_new_passages']}")
    edited = ", ".join(f"{count} {what}" for what, count in sorted(edits.items()))
    print(f"  {'  edits':<44} {edited}")
    print(f"  {'annotations / agenda items carried':<44} {annotations:>8} / {AGENDA_ITEMS}")
    print(f"  {'  providers registered':<44} {', '.join(providers)}")
    print(
        f"  {'upload the revised text (parse, compare)':<44} {result['revise_upload_ms']:>8.1f} ms"
    )
    print(f"  {'review page of the draft':<44} {result['revise_review_page_ms']:>8.1f} ms")
    print(f"  {'publish it':<44} {result['revise_publish_ms']:>8.1f} ms")
    print(f"  {'  SQL queries':<44} {result['revise_publish_queries']:>8}")
    for name in providers:
        moving = f"  of which {name} moving its things"
        print(f"  {moving:<44} {result[f'revise_move_{name}_ms']:>8.1f} ms")
    print(
        f"  {'  kept / moved / orphaned':<44} {outcomes['kept']:>8} / {outcomes['moved']}"
        f" / {outcomes['orphaned']}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
