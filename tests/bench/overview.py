"""Benchmark: a facilitator's overview of a long, much-discussed reading, and
the group's participation page (`make bench` runs it). Not collected by pytest.

A reading of 2,000 passages carries 20,000 posts by 30 members: 10,000 threads
(two in five questions, a fifth of those answered; two in five comments; one in
five private notes, which the overview must leave out) and 10,000 replies, with
6,000 "I have this question too" votes and 12,000 reactions, some hidden or
deleted posts among them, all written straight to the tables. Measures, as the
median of RUNS after a warm-up: the overview page (server side, full render),
its SQL queries and its size in bytes; and the participation page. Runs against
a throwaway test database (SQLite, or PostgreSQL when DATABASE_URL is set).
Prints a table, then one JSON object as its last line.
"""

import json
import random

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
from django.utils import timezone
from django_setup import measure  # Django, set up as production runs it

from discussions.bodies import render_body
from discussions.models import Annotation, Reaction, Reply, Vote
from groups.services import assign_reading, create_group
from tests.conftest import add_member, make_reading, make_user

PASSAGES, THREADS, REPLIES, VOTES, REACTIONS, PEOPLE, RUNS = (
    2_000,
    10_000,
    10_000,
    6_000,
    12_000,
    30,
    5,
)


def seed():
    rng = random.Random(16)
    people = [make_user(f"reader{n}@example.org", f"Reader {n}") for n in range(PEOPLE)]
    group = create_group(name="Bench group", description="", creator=people[0])
    add_member(group, people[1], "facilitator")
    for person in people[2:]:
        add_member(group, person)
    reading = make_reading(passages=PASSAGES, title="A long reading")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=people[0])
    passages = list(reading.passages.all())
    body = "What does *this* mean, here?"
    html = render_body(body)
    now = timezone.now()
    kinds = ["question", "comment", "question", "comment", "note"]
    threads = []
    for n in range(THREADS):
        kind = kinds[n % 5]
        threads.append(
            Annotation(
                group=group,
                reading=reading,
                passage=rng.choice(passages),
                kind=kind,
                body=body,
                body_html=html,
                author=rng.choice(people),
                answered=now if kind == "question" and rng.random() < 0.2 else None,
                hidden=now if rng.random() < 0.01 else None,
                deleted=now if rng.random() < 0.01 else None,
            )
        )
    Annotation.objects.bulk_create(threads, batch_size=1000)
    replies = [
        Reply(
            annotation=rng.choice(threads),
            body="Because.",
            body_html="<p>Because.</p>",
            author=rng.choice(people),
            hidden=now if rng.random() < 0.01 else None,
        )
        for _ in range(REPLIES)
    ]
    Reply.objects.bulk_create(replies, batch_size=1000)
    questions = [t for t in threads if t.kind == "question"]
    voted = {(rng.choice(questions).pk, rng.choice(people).pk) for _ in range(VOTES)}
    Vote.objects.bulk_create((Vote(annotation_id=a, user_id=u) for a, u in voted), batch_size=1000)
    counts = {}
    for annotation, _ in voted:
        counts[annotation] = counts.get(annotation, 0) + 1
    for question in questions:
        question.vote_count = counts.get(question.pk, 0)
    Annotation.objects.bulk_update(questions, ["vote_count"], batch_size=1000)
    reacted = set()
    while len(reacted) < REACTIONS:
        reply = rng.choice(replies) if rng.random() < 0.3 else None
        thread = reply.annotation if reply else rng.choice(threads)
        kind = rng.choice(Reaction.Kind.values)
        reacted.add((thread.pk, reply.pk if reply else None, rng.choice(people).pk, kind))
    Reaction.objects.bulk_create(
        (Reaction(annotation_id=a, reply_id=r, user_id=u, kind=k) for a, r, u, k in reacted),
        batch_size=1000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # As autovacuum does after a bulk load: without statistics the planner
            # takes the new tables for empty.
            cursor.execute("ANALYZE")
    return group, reading, people[1]


def main() -> None:
    # Production serves hashed static files, as after a deploy's collectstatic.
    call_command("collectstatic", interactive=False, verbosity=0)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        group, reading, facilitator = seed()
        client = Client()
        client.force_login(facilitator)
        overview = measure(
            client, reverse("facilitation:overview", args=[group.slug, reading.slug]), RUNS
        )
        participation = measure(
            client, reverse("facilitation:participation", args=[group.slug]), RUNS
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    result = {
        "overview_passages": PASSAGES,
        "overview_posts": THREADS + REPLIES,
        "overview_ms": overview["ms"],
        "overview_queries": overview["queries"],
        "overview_bytes": overview["bytes"],
        "participation_members": PEOPLE,
        "participation_ms": participation["ms"],
        "participation_queries": participation["queries"],
    }
    print(f"Overview on {connection.vendor} (median of {RUNS} after a warm-up)")
    print(f"  {'passages / posts (threads and replies)':<44} {PASSAGES} / {THREADS + REPLIES}")
    print(f"  {'overview page':<44} {overview['ms']:>8.1f} ms")
    print(f"  {'  SQL queries':<44} {overview['queries']:>8}")
    print(f"  {'  size':<44} {overview['bytes']:>8} bytes")
    print(f"  {'participation page, 30 members':<44} {participation['ms']:>8.1f} ms")
    print(f"  {'  SQL queries':<44} {participation['queries']:>8}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
