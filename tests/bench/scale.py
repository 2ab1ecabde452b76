"""Benchmark: a book-length reading with a big discussion. `make bench` runs it.

A reading of 3,000 passages (a heading every 20 to 60) with 100,000 posts
(25,000 threads, half on exact words, and 75,000 replies) by 200 members.
Measures, as a member sees it, each the median of repeated runs:
- the first page: its bytes, server time warm (pieces cached) and cold (the
  cache emptied before each run, as after a deploy), and its queries;
- a part deep in the book, opened by a permalink (`?at=<anchor>`), warm;
- a filtered view (unanswered questions by one member);
- the next part as the page loads it on scrolling (htmx);
- a live poll that missed every change since the page was made;
- a passage's "Show all" list on the busiest passage.
Runs against a throwaway test database (SQLite, or PostgreSQL when DATABASE_URL
is set). Prints a table, then one JSON object as its last line.
"""

import json
import random
import re
import time

from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse
from django_setup import median_ms  # Django, set up as production runs it

from discussions.bodies import render_body
from discussions.models import Annotation, Reply
from groups.models import Assignment
from groups.services import assign_reading, create_group
from readings.models import Passage
from readings.parts import parts_of
from tests.conftest import add_member, empty_caches, make_reading, make_user

PASSAGES = 3000
THREADS = 25_000
REPLIES = 75_000
MEMBERS = 200
RUNS = 10


def seed():
    rng = random.Random(17)
    people = [make_user(f"reader{n}@example.org", f"Reader {n}") for n in range(MEMBERS)]
    group = create_group(name="Book club", description="", creator=people[0])
    for person in people[1:]:
        add_member(group, person)
    reading = make_reading(passages=0, title="A whole book")
    text = "A paragraph of the book, which says something worth discussing at length."
    next_heading = 1
    rows = []
    for position in range(1, PASSAGES + 1):
        heading = position == next_heading
        if heading:
            next_heading += rng.randint(20, 60)
        words = f"Chapter {position}" if heading else text
        rows.append(
            Passage(
                reading=reading,
                position=position,
                anchor=f"p-{position:06x}",
                kind=Passage.Kind.HEADING if heading else Passage.Kind.PARAGRAPH,
                text=words,
                html=words,
            )
        )
    passages = Passage.objects.bulk_create(rows, batch_size=1000)
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=people[0])
    body = "A *considered* point about this passage, with a [source](https://example.org)."
    html = render_body(body)
    kinds = ["question", "comment", "question", "note"]
    threads = []
    for start in range(0, THREADS, 5000):
        threads += Annotation.objects.bulk_create(
            Annotation(
                group=group,
                reading=reading,
                # One passage in ten draws most of the talk, as the hard ones do.
                passage=passages[rng.randrange(PASSAGES) // 10 * 10 if n % 2 else n % PASSAGES],
                kind=kinds[n % 4],
                body=body,
                body_html=html,
                author=people[n % MEMBERS],
                version=n + 1,
                posted=n + 1,
                last_posted=n + 1,
                **({"exact": "worth", "start": 45, "end": 50} if n % 2 else {}),
            )
            for n in range(start, min(start + 5000, THREADS))
        )
    for start in range(0, REPLIES, 5000):
        Reply.objects.bulk_create(
            Reply(
                annotation=rng.choice(threads), body=body, body_html=html, author=rng.choice(people)
            )
            for _ in range(start, min(start + 5000, REPLIES))
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE discussions_annotation SET reply_count = (SELECT COUNT(*) FROM"
            " discussions_reply WHERE discussions_reply.annotation_id = discussions_annotation.id)"
        )
        cursor.execute("ANALYZE")
    Assignment.objects.filter(group=group, reading=reading).update(discussion_version=THREADS)
    return group, reading, people[1]


def ms(fn, runs: int = RUNS) -> float:
    return round(median_ms(fn, runs), 1)


def get(client: Client, url: str, **headers) -> bytes:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content


def main() -> None:
    call_command("collectstatic", interactive=False, verbosity=0)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        started = time.perf_counter()
        group, reading, member = seed()
        seeded_s = time.perf_counter() - started
        client = Client()
        client.force_login(member)
        url = reverse("discussions:reading", args=[group.slug, reading.slug])
        parts = parts_of(reading)
        page = get(client, url)

        def cold():
            empty_caches()
            get(client, url)

        cold_ms = ms(cold, runs=5)
        warm_ms = ms(lambda: get(client, url))
        with CaptureQueriesContext(connection) as queries:
            get(client, url)
        page_queries = len(queries)  # read now: the list is the connection's, reset at the end
        middle = Passage.objects.get(reading=reading, position=PASSAGES // 2).anchor
        deep_ms = ms(lambda: get(client, f"{url}?at={middle}"))
        filtered = f"{url}?kind=question&unanswered=on&member={member.pk}"
        filtered_ms = ms(lambda: get(client, filtered), runs=5)
        next_part = f"{url}?part=2"
        next_ms = ms(lambda: get(client, next_part, HTTP_HX_REQUEST="true"))
        live_url = re.search(rb'data-live-url="([^"]+)"', page).group(1).decode()
        live_url = live_url.replace("&amp;", "&") + "&parts=1"
        missed = get(client, live_url, HTTP_IF_NONE_MATCH='"1"')
        missed_ms = ms(lambda: get(client, live_url, HTTP_IF_NONE_MATCH='"1"'))
        busiest = (
            Annotation.objects.filter(reading=reading)
            .values("passage__anchor")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        all_url = reverse(
            "discussions:passage", args=[group.slug, reading.slug, busiest["passage__anchor"]]
        )
        all_ms = ms(lambda: get(client, all_url, HTTP_HX_REQUEST="true"))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    result = {
        "database": connection.vendor,
        "passages": PASSAGES,
        "posts": THREADS + REPLIES,
        "members": MEMBERS,
        "parts": len(parts),
        "seed_s": round(seeded_s, 1),
        "first_page_bytes": len(page),
        "first_page_warm_ms": warm_ms,
        "first_page_cold_ms": cold_ms,
        "first_page_queries": page_queries,
        "deep_part_warm_ms": deep_ms,
        "filtered_ms": filtered_ms,
        "next_part_ms": next_ms,
        "poll_missed_all_ms": missed_ms,
        "poll_missed_all_bytes": len(missed),
        "busiest_passage_threads": busiest["n"],
        "show_all_ms": all_ms,
    }
    print(f"A book on {connection.vendor}: {PASSAGES} passages in {len(parts)} parts,")
    print(f"{THREADS + REPLIES} posts by {MEMBERS} members (seeded in {seeded_s:.0f} s)")
    rows = [
        ("first page, bytes", f"{len(page):,}"),
        ("first page, warm", f"{warm_ms} ms"),
        ("first page, cold (cache emptied)", f"{cold_ms} ms"),
        ("first page, SQL queries (warm)", page_queries),
        ("a part in the middle (?at=), warm", f"{deep_ms} ms"),
        ("filtered: unanswered questions by a member", f"{filtered_ms} ms"),
        ("next part on scrolling (htmx)", f"{next_ms} ms"),
        ("live poll that missed everything", f"{missed_ms} ms"),
        ("  its bytes", f"{len(missed):,}"),
        (f"show all {busiest['n']} threads of the busiest passage", f"{all_ms} ms"),
    ]
    for label, value in rows:
        print(f"  {label:<46} {value:>12}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
