"""Benchmark: the JSON API's AnnotationCollection of a much-discussed reading,
paged (`make bench` runs it). Not collected by pytest.

200 members discuss a 3,000-passage reading: first 10,000 posts, then 100,000.
A quarter of the posts are threads (one in five a private note, a few questions
asked answer-first), the rest replies up to five deep; one post in a hundred is
deleted and one in a hundred hidden. All are written straight to the tables.
At each size it measures, as a member (who sees others' posts but not their
notes), the median of RUNS after a warm-up of: the collection (its total), its
first page, its last page and the one before (each of the API's PAGE_SIZE
threads with their replies, the last what is left), each with its SQL queries
and the posts it holds. Runs against a
throwaway test database (SQLite, or PostgreSQL when DATABASE_URL is set).
Prints a table, then one JSON object as its last line.
"""

import json
import random
import time
from collections import Counter

from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
from django.utils import timezone
from django_setup import measure  # Django, set up as production runs it

from discussions.bodies import render_body
from discussions.models import Annotation, Reply
from groups.models import Membership
from groups.services import assign_reading, create_group
from tests.conftest import make_reading, make_user

PASSAGES, PEOPLE, SIZES, RUNS, BATCH = 3_000, 200, (10_000, 100_000), 7, 2_000


def seed():
    """The group, its reading and a member, with no posts yet."""
    people = [make_user(f"reader{n}@example.org", f"Reader {n}") for n in range(PEOPLE)]
    group = create_group(name="Bench group", description="", creator=people[0])
    Membership.objects.bulk_create(
        Membership(group=group, user=person, role=Membership.Role.MEMBER) for person in people[1:]
    )
    reading = make_reading(passages=PASSAGES, title="A long reading")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=people[0])
    return group, reading, people


def add_posts(group, reading, people, count: int, rng: random.Random) -> None:
    """`count` more posts on the reading: a quarter threads, the rest replies in
    waves (each wave's parents saved), so that trees grow up to five deep."""
    passages = list(reading.passages.values_list("pk", flat=True))
    body = "What does *this* mean, here? A [source](https://example.org) says otherwise."
    html = render_body(body)
    now = timezone.now()

    def gone() -> dict:
        roll = rng.random()
        return {"deleted": now} if roll < 0.01 else {"hidden": now} if roll < 0.02 else {}

    kinds = ["question", "comment", "question", "comment", "note"]
    threads = Annotation.objects.bulk_create(
        (
            Annotation(
                group=group,
                reading=reading,
                passage_id=rng.choice(passages),
                kind=(kind := kinds[n % 5]),
                answer_first=kind == "question" and rng.random() < 0.05,
                body=body,
                body_html=html,
                author=rng.choice(people),
                **gone(),
            )
            for n in range(count // 4)
        ),
        batch_size=BATCH,
    )
    shared = [thread for thread in threads if thread.kind != "note"]
    replies, wave = [], []
    for share in (0.4, 0.25, 0.15, 0.12, 0.08):
        above = wave
        wave = [
            Reply(
                annotation_id=parent.annotation_id if parent else rng.choice(shared).pk,
                parent=parent,
                body=body,
                body_html=html,
                author=rng.choice(people),
                **gone(),
            )
            for parent in (
                rng.choice(above) if above else None
                for _ in range(round((count - len(threads)) * share))
            )
        ]
        replies += Reply.objects.bulk_create(wave, batch_size=BATCH)
    living = Counter(reply.annotation_id for reply in replies if not reply.deleted)
    for thread in threads:
        thread.reply_count = living[thread.pk]
    Annotation.objects.bulk_update(threads, ["reply_count"], batch_size=BATCH)
    with connection.cursor() as cursor:
        # As autovacuum does after a bulk load (and `PRAGMA optimize` on SQLite):
        # without statistics the planner takes the new tables for empty.
        cursor.execute("ANALYZE")


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    results = {}
    try:
        group, reading, people = seed()
        client = Client()
        client.force_login(people[1])
        url = reverse("interop:api_collection", args=[group.slug, reading.slug])
        rng = random.Random(17)
        for size in SIZES:
            posts = Annotation.objects.count() + Reply.objects.count()
            start = time.perf_counter()
            add_posts(group, reading, people, size - posts, rng)
            seeded = time.perf_counter() - start
            collection = measure(client, url, RUNS)
            document = json.loads(client.get(url).content)
            first = measure(client, document["first"], RUNS)
            last = measure(client, document["last"], RUNS)
            document["before_last"] = json.loads(client.get(document["last"]).content)["prev"]
            before_last = measure(client, document["before_last"], RUNS)
            pages = ((first, "first"), (last, "last"), (before_last, "before_last"))
            for page, key in pages:
                page["items"] = len(json.loads(client.get(document[key]).content)["items"])
            results[size] = {
                "seed_s": round(seeded, 1),
                "visible": document["total"],
                "collection": collection,
                "first": first,
                "last": last,
                "before_last": before_last,
            }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    result = {"database": connection.vendor, "passages": PASSAGES, "members": PEOPLE}
    print(f"API collection pages on {connection.vendor} (median of {RUNS} after a warm-up)")
    print(f"  {'posts':<30} " + " ".join(f"{s:>16,}" for s in results))
    seen = " ".join(f"{r['visible']:>16,}" for r in results.values())
    print(f"  {'  of them the member sees':<30} {seen}")
    rows = [
        ("collection (total)", "collection"),
        ("first page", "first"),
        ("last page", "last"),
        ("the page before the last", "before_last"),
    ]
    for label, key in rows:
        times = " ".join(f"{r[key]['ms']:>13.1f} ms" for r in results.values())
        queries = " ".join(f"{r[key]['queries']:>16}" for r in results.values())
        print(f"  {label:<30} {times}")
        print(f"  {'  SQL queries':<30} {queries}")
        if key != "collection":
            items = " ".join(f"{r[key]['items']:>16}" for r in results.values())
            print(f"  {'  posts on it':<30} {items}")
    for size, r in results.items():
        result[f"posts_{size}_visible"] = r["visible"]
        result[f"posts_{size}_seed_s"] = r["seed_s"]
        for _, key in rows:
            result[f"posts_{size}_{key}_ms"] = r[key]["ms"]
            result[f"posts_{size}_{key}_queries"] = r[key]["queries"]
            if key != "collection":
                result[f"posts_{size}_{key}_items"] = r[key]["items"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
