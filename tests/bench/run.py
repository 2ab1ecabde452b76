"""Benchmarks: `make bench`. Not collected by pytest.

Measures, each as the median of repeated runs after a warm-up:
- importing a generated 1 MB interview-shaped text (parse + database write);
- the staff reading page of a 2,000-passage reading (server side, full render) and its queries;
- a group's reading page with 100 passages and 5,000 annotations and replies by 30
  members, and its queries: as members see it (its pieces cached), and with nothing
  cached (the first view after every passage changed);
- the raw baseline of that page (`raw_baseline`), timed in turns with it, and the ratio;
- posting a reply; a live poll with nothing new; a live poll with one new reply;
- importing that group's JSON-LD export into another group, its bodies padded to the
  5 MB an import takes, and refusing a crafted 5 MB file (all `[`).
- posting a reply in a thread with 50 followers (the fan-out queued for the worker, as
  in production), the worker's fan-out itself, and the inbox with 10,000 notifications.
- the search page over 100 readings of 100 passages and 100,000 posts: median and p95,
  for a word in most posts and for a word in few.
Runs against a throwaway test database (SQLite, or PostgreSQL when DATABASE_URL is set).
Prints a table, then one JSON object as its last line.
"""

import json
import os
import random
import re
import statistics
import time
from html import escape as html_escape
from itertools import pairwise

# As in production: a request only queues its notifications' fan-out for the worker.
os.environ.setdefault("TASK_BACKEND", "database")

from django.conf import settings  # noqa: E402
from django.core import signing  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signing import JSONSerializer  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_setup import median_ms  # noqa: E402  (Django, set up as production runs it)

from discussions.bodies import render_body  # noqa: E402
from discussions.models import Annotation, Reply  # noqa: E402
from discussions.services import post_reply  # noqa: E402
from groups.models import Assignment  # noqa: E402
from groups.services import assign_reading, create_group  # noqa: E402
from notifications.models import Follow, Kind, Notification  # noqa: E402
from notifications.tasks import fan_out  # noqa: E402
from readings.importers import parse  # noqa: E402
from readings.models import Passage  # noqa: E402
from readings.services import import_reading  # noqa: E402
from tests.conftest import add_member, empty_caches, make_reading, make_user  # noqa: E402

WORDS = [
    "organizing",
    "reading",
    "group",
    "history",
    "strike",
    "union",
    "archive",
    "pamphlet",
    "question",
    "meeting",
    "comrade",
    "practice",
    "theory",
    "movement",
    "neighbourhood",
    "library",
    "argument",
    "margin",
    "chapter",
]


def interview_text(size: int, seed: int = 7) -> bytes:
    """An interview of about `size` bytes: a title, labelled turns, continuations."""
    rng = random.Random(seed)
    parts = ["A generated interview", "Interview with Rae Quinn"]
    speakers = ["Study Circle", "Rae Quinn"]
    total, turn = 0, 0
    while total < size:
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120)))
        label = speakers[turn % 2] if turn < 2 else ["SC", "RQ"][turn % 2]
        paragraph = f"{label}: {words.capitalize()}." if rng.random() < 0.4 else words + "."
        turn += paragraph.startswith(label)
        parts.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(parts).encode()


def paired_medians_ms(first, second, runs: int) -> tuple[float, float]:
    """Medians of `first` and `second` timed in turns, after a warm-up of each."""
    times = ([], [])
    for n in range(runs + 2):
        for fn, into in zip((first, second), times, strict=True):
            start = time.perf_counter()
            fn()
            if n >= 2:
                into.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def seed_discussion(threads: int = 1000, replies: int = 4000, members: int = 30):
    """A group of `members` discussing a 100-passage reading: `threads` annotations
    (half on exact words) and `replies` replies, written straight to the tables."""
    people = [make_user(f"reader{n}@example.org", f"Reader {n}") for n in range(members)]
    group = create_group(name="Bench group", description="", creator=people[0])
    for person in people[1:]:
        add_member(group, person)
    reading = make_reading(passages=100, title="Discussed")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=people[0])
    passages = list(reading.passages.all())
    rng = random.Random(11)
    body = "A *considered* point about this passage, with a [source](https://example.org)."
    html = render_body(body)
    kinds = ["question", "comment", "question", "note"]
    annotations = Annotation.objects.bulk_create(
        Annotation(
            group=group,
            reading=reading,
            passage=passages[n % 100],
            kind=kinds[n % 4],
            body=body,
            body_html=html,
            author=people[n % members],
            **(
                {
                    "exact": "worth",
                    "prefix": "says something ",
                    "suffix": " discussing.",
                    "start": 32,
                    "end": 37,
                }
                if n % 2
                else {}
            ),
        )
        for n in range(threads)
    )
    # Replies in waves, so each wave's parents are saved: top-level, then deeper.
    posted: list[Reply] = []
    for share in (0.5, 0.3, 0.2):
        wave = []
        for _ in range(round(replies * share)):
            parent = rng.choice(posted) if posted else None
            wave.append(
                Reply(
                    annotation=parent.annotation if parent else rng.choice(annotations),
                    parent=parent,
                    body=body,
                    body_html=html,
                    author=rng.choice(people),
                )
            )
        posted += Reply.objects.bulk_create(wave)
    for annotation in annotations:
        annotation.reply_count = sum(1 for r in posted if r.annotation_id == annotation.pk)
    Annotation.objects.bulk_update(annotations, ["reply_count"])
    return group, reading, people, annotations


def import_timings(group, reading, organizer) -> dict:
    """The group's JSON-LD export, its bodies padded to just under the size an
    import takes, imported into another group through the import page; and a
    crafted file of that size (all `[`) refused there."""
    client = Client()
    client.force_login(organizer)
    document = json.loads(client.get(reverse("interop:export_group", args=[group.slug])).content)
    items = document["first"]["items"]
    limit = settings.READING_MAX_BYTES
    spare = limit - len(json.dumps(document, ensure_ascii=False, indent=1).encode())
    words = " and more words"
    for item in items:
        item["body"]["value"] += words * (spare // len(items) // len(words))
    content = json.dumps(document, ensure_ascii=False, indent=1).encode()
    other = create_group(name="Bench import", description="", creator=organizer)
    assign_reading(group=other, reading=reading, meeting_date=None, notes="", actor=organizer)
    url = reverse("interop:import_group", args=[other.slug])

    def send(data: bytes, status: int) -> None:
        response = client.post(url, {"file": SimpleUploadedFile("export.jsonld", data)})
        assert response.status_code == status, response.content[-500:]

    import_ms = median_ms(lambda: send(content, 302), runs=3)
    refuse_ms = median_ms(lambda: send(b"[" * limit, 400), runs=5)
    return {
        "import_jsonld_bytes": len(content),
        "import_jsonld_posts": len(items),
        "import_jsonld_s": round(import_ms / 1000, 2),
        "refuse_5mb_ms": round(refuse_ms, 1),
    }


def seed_search(readings: int = 100, passages: int = 100, posts: int = 100_000):
    """A group of 30 with `readings` readings of `passages` passages on its syllabus and
    `posts` posts across them (a quarter threads, the rest replies), written straight to
    the tables. Each text is words of WORDS, in most posts, and one of a thousand rarer
    words ("term0" to "term999"), each in about one post in a thousand."""
    people = [make_user(f"searcher{n}@example.org", f"Searcher {n}") for n in range(30)]
    group = create_group(name="Search group", description="", creator=people[0])
    for person in people[1:]:
        add_member(group, person)
    rng = random.Random(13)

    def text() -> str:
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 30))]
        words.insert(rng.randrange(len(words)), f"term{rng.randrange(1000)}")
        return " ".join(words).capitalize() + "."

    all_passages = []
    for n in range(readings):
        reading = make_reading(passages=0, title=f"Searched {n}")
        all_passages += Passage.objects.bulk_create(
            Passage(reading=reading, position=p, anchor=f"p-{p:06x}", text=(t := text()), html=t)
            for p in range(1, passages + 1)
        )
        assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=None)
    kinds = ["question", "comment", "question", "note"]
    threads = []
    for start in range(0, posts // 4, 5000):
        threads += Annotation.objects.bulk_create(
            Annotation(
                group=group,
                reading_id=(passage := rng.choice(all_passages)).reading_id,
                passage=passage,
                kind=kinds[n % 4],
                body=(t := text()),
                body_html=f"<p>{t}</p>",
                author=people[n % 30],
            )
            for n in range(start, min(start + 5000, posts // 4))
        )
    for start in range(0, posts - len(threads), 5000):
        Reply.objects.bulk_create(
            Reply(
                annotation=rng.choice(threads),
                body=(t := text()),
                body_html=f"<p>{t}</p>",
                author=rng.choice(people),
            )
            for _ in range(start, min(start + 5000, posts - len(threads)))
        )
    with connection.cursor() as cursor:
        # As autovacuum does after a bulk load: without statistics, PostgreSQL's
        # planner takes the new tables for empty and skips the full-text indexes.
        cursor.execute("ANALYZE")
    return people[1]


def search_latencies(client: Client, queries: list[str], runs: int) -> tuple[float, float]:
    """Median and p95 of the search page over `runs` turns of `queries`, after a warm-up."""
    for q in queries:
        client.get("/search/", {"q": q})
    times = []
    for _ in range(runs):
        for q in queries:
            start = time.perf_counter()
            assert client.get("/search/", {"q": q}).status_code == 200
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


TAGS = re.compile(r"<[^>]+>")


def raw_baseline(session_key: str, group_slug: str, reading_slug: str) -> str:
    """The reading page's content from the rows it reads, fetched with one raw SQL
    query per table and joined into HTML by plain string building: no ORM, no
    templates, no cache. What the page is measured against: the signed-in viewer
    and their role, the reading, its passages with their marks, each passage's
    margin (counts, heat, one line per thread), the questions list by votes, the
    published agenda, the running meeting, and the members to filter by."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s",
            [session_key, timezone.now()],
        )
        session = signing.loads(
            cursor.fetchone()[0],
            salt="django.contrib.sessions.SessionStore",
            serializer=JSONSerializer,
        )
        viewer = int(session["_auth_user_id"])
        cursor.execute("SELECT id, name FROM groups_group WHERE slug = %s", [group_slug])
        group_id, group_name = cursor.fetchone()
        cursor.execute(
            "SELECT user_id, role FROM groups_membership WHERE group_id = %s", [group_id]
        )
        roles = dict(cursor.fetchall())
        cursor.execute(
            "SELECT id, display_name FROM accounts_user WHERE id IN"
            " (SELECT user_id FROM groups_membership WHERE group_id = %s) OR id = %s"
            " ORDER BY display_name",
            [group_id, viewer],
        )
        names = dict(cursor.fetchall())
        cursor.execute(
            "SELECT id, title, author FROM readings_reading WHERE slug = %s", [reading_slug]
        )
        reading_id, title, author = cursor.fetchone()
        cursor.execute(
            "SELECT meeting_date, discussion_version FROM groups_assignment"
            " WHERE group_id = %s AND reading_id = %s",
            [group_id, reading_id],
        )
        meeting_date, version = cursor.fetchone()
        cursor.execute(
            "SELECT id, anchor, kind, html FROM readings_passage WHERE reading_id = %s"
            " ORDER BY position",
            [reading_id],
        )
        passages = cursor.fetchall()
        cursor.execute(
            "SELECT id, passage_id, kind, author_id, body_html, reply_count, vote_count,"
            ' answered, hidden, start, "end" FROM discussions_annotation'
            " WHERE group_id = %s AND reading_id = %s"
            " AND (kind != 'note' OR author_id = %s) AND (deleted IS NULL OR reply_count > 0)"
            " ORDER BY created, id",
            [group_id, reading_id, viewer],
        )
        annotations = cursor.fetchall()
        cursor.execute(
            "SELECT id, text, passage_id FROM facilitation_agendaitem WHERE group_id = %s"
            " AND reading_id = %s AND published IS NOT NULL ORDER BY position",
            [group_id, reading_id],
        )
        agenda = cursor.fetchall()
        cursor.execute(
            "SELECT id, current_item_id FROM facilitation_meeting WHERE group_id = %s"
            " AND reading_id = %s AND ended IS NULL",
            [group_id, reading_id],
        )
        meeting = cursor.fetchone()
    if viewer not in roles:
        raise LookupError("not a member")
    moderator = roles[viewer] in ("facilitator", "organizer")
    base = f"/groups/{group_slug}/readings/{reading_slug}/"
    by_passage, questions = {}, []
    for row in annotations:
        pk, passage_id, kind, author_id, body_html, replies, votes, answered, hidden = row[:9]
        blanked = hidden is not None and not moderator and author_id != viewer
        summary = " ".join(TAGS.sub(" ", body_html).split())[:120]
        line = (
            f'<li class="thread-summary thread-summary--{kind}"><a href="{base}t/{pk}/">'
            + (
                "<em>hidden by a moderator</em>"
                if blanked
                else f"{html_escape(names.get(author_id, ''))}: {html_escape(summary)}"
            )
            + f"</a> {replies} replies · {votes} votes{' · answered' if answered else ''}</li>"
        )
        by_passage.setdefault(passage_id, []).append((row, line, blanked))
        if kind == "question":
            questions.append((-votes, pk, line))
    anchors = {pk: anchor for pk, anchor, _, _ in passages}
    parts = [
        f'<p><a href="/groups/{group_slug}/">{html_escape(group_name)}</a> {meeting_date or ""}</p>'
        f"<h1>{html_escape(title)}</h1><p>{html_escape(author)}</p>",
        f"<p>meeting {meeting[0]} on item {meeting[1]}</p>" if meeting else "",
        "<ol>",
        *(f'<li><a href="#{anchors.get(p, "")}">{html_escape(t)}</a></li>' for _, t, p in agenda),
        "</ol><select>",
        *(f'<option value="{pk}">{html_escape(n)}</option>' for pk, n in names.items()),
        f"</select><details><summary>Questions ({len(questions)})</summary><ol>",
        *(line for _, _, line in sorted(questions)),
        "</ol></details>",
    ]
    for passage_id, anchor, kind, passage_html in passages:
        threads = by_passage.get(passage_id, [])
        # Marks: the text cut at every range boundary, each piece in the ranges covering it.
        ranges = [
            (r[9], r[10], str(r[0]))
            for r, _, blanked in threads
            if r[9] is not None and not blanked
        ]
        cuts = sorted({0, len(passage_html), *(n for s, e, _ in ranges for n in (s, e))})
        text = []
        for a, b in pairwise(cuts):
            ids = " ".join(i for s, e, i in ranges if s <= a and b <= e)
            piece = passage_html[a:b]
            text.append(f'<mark data-ids="{ids}">{piece}</mark>' if ids else piece)
        posts = sum(1 + r[5] for r, _, _ in threads if r[2] != "note")
        counts = (
            sum(r[2] == "question" for r, _, _ in threads),
            sum(r[2] == "comment" for r, _, _ in threads),
        )
        parts.append(
            f'<section id="row-{anchor}"><p class="passage--{kind}" id="{anchor}">'
            f"{''.join(text)}</p>"
            f'<aside class="heat-{sum(posts >= step for step in (1, 3, 6, 11))}">'
            f"{counts[0]} questions · {counts[1]} comments · {posts} posts<ul>"
        )
        parts.extend(line for _, line, _ in threads)
        parts.append("</ul></aside></section>")
    parts.append(f'<div data-live-version="{version}"></div>')
    return "".join(parts)


def main() -> None:
    # Production serves hashed static files, as after a deploy's collectstatic.
    call_command("collectstatic", interactive=False, verbosity=0)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        data = interview_text(1024 * 1024)
        parse_ms = median_ms(lambda: parse(data, "bench.txt"), runs=5)
        import_ms = median_ms(lambda: import_reading(data=data, filename="bench.txt"), runs=5)
        passages_1mb = len(parse(data, "bench.txt").blocks)

        staff = make_user("bench@example.org", is_staff=True)
        reading = make_reading(passages=2000, title="Two thousand passages")
        client = Client()
        client.force_login(staff)
        url = reverse("readings:read", args=[reading.slug])
        page_ms = median_ms(lambda: client.get(url), runs=10, warmup=2)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        reading_queries = len(queries)

        group, discussed, people, annotations = seed_discussion()
        posts = Annotation.objects.count() + Reply.objects.count()
        member = Client()
        member.force_login(people[1])
        page_url = reverse("discussions:reading", args=[group.slug, discussed.slug])
        session_key = member.cookies[settings.SESSION_COOKIE_NAME].value
        baseline = raw_baseline(session_key, group.slug, discussed.slug)
        # Page and baseline take turns, so a busy moment of the machine weighs on both alike.
        discussion_ms, baseline_ms = paired_medians_ms(
            lambda: member.get(page_url),
            lambda: raw_baseline(session_key, group.slug, discussed.slug),
            runs=30,
        )

        def cold_page():
            empty_caches()  # as after a change to every passage: nothing cached to reuse
            member.get(page_url)

        cold_ms = median_ms(cold_page, runs=10, warmup=2)
        empty_caches()
        with CaptureQueriesContext(connection) as queries:
            member.get(page_url)
        cold_queries = len(queries)
        with CaptureQueriesContext(connection) as queries:
            page = member.get(page_url).content.decode()
        page_queries = len(queries)
        thread = annotations[1]
        reply_url = reverse("discussions:reply", args=[group.slug, discussed.slug, thread.pk])
        post_ms = median_ms(lambda: member.post(reply_url, {"body": "Timed reply"}), runs=20)
        with CaptureQueriesContext(connection) as queries:
            member.post(reply_url, {"body": "Counted reply"})
        post_queries = len(queries)
        live_url, version = re.search(
            r'data-live-url="([^"]+)" data-live-version="(\d+)"',
            member.get(page_url).content.decode(),
        ).groups()
        live_url = live_url.replace("&amp;", "&")

        poll_ms = median_ms(
            lambda: member.get(live_url, HTTP_IF_NONE_MATCH=f'"{version}"'), runs=50, warmup=5
        )
        with CaptureQueriesContext(connection) as queries:
            assert member.get(live_url, HTTP_IF_NONE_MATCH=f'"{version}"').status_code == 304
        poll_queries = len(queries)

        # A poll with one new reply since the page's version: that thread's passage comes back.
        def poll_after_one_reply():
            before = Assignment.objects.get(group=group, reading=discussed).discussion_version
            post_reply(annotation=thread, parent=None, body="New", author=people[2])
            start = time.perf_counter()
            response = member.get(live_url, HTTP_IF_NONE_MATCH=f'"{before}"')
            assert response.status_code == 200
            return (time.perf_counter() - start) * 1000

        poll_new_ms = statistics.median(poll_after_one_reply() for _ in range(10))

        # Two members with no private notes there, their pages at the same
        # version: the first to poll draws the answer, the second is given it.
        watchers = []
        for n in range(2):
            person = make_user(f"watcher{n}@example.org", f"Watcher {n}")
            add_member(group, person)
            watcher = Client()
            watcher.force_login(person)
            page = watcher.get(page_url).content.decode()
            url = re.search(r'data-live-url="([^"]+)"', page).group(1).replace("&amp;", "&")
            watchers.append((watcher, url))

        def poll_given_the_answer():
            before = Assignment.objects.get(group=group, reading=discussed).discussion_version
            post_reply(annotation=thread, parent=None, body="New", author=people[2])
            (first, first_url), (second, second_url) = watchers
            assert first.get(first_url, HTTP_IF_NONE_MATCH=f'"{before}"').status_code == 200
            start = time.perf_counter()
            response = second.get(second_url, HTTP_IF_NONE_MATCH=f'"{before}"')
            assert response.status_code == 200
            return (time.perf_counter() - start) * 1000

        poll_shared_ms = statistics.median(poll_given_the_answer() for _ in range(10))

        # A thread with 50 followers: the request queues one task; the worker fans out.
        followed = annotations[2]
        for n in range(50):
            follower = make_user(f"follower{n}@example.org", f"Follower {n}")
            add_member(group, follower)
            Follow.objects.create(
                user=follower, group=group, reading=discussed, annotation=followed
            )
        followed_url = reverse("discussions:reply", args=[group.slug, discussed.slug, followed.pk])
        followed_ms = median_ms(lambda: member.post(followed_url, {"body": "Told"}), runs=20)
        with CaptureQueriesContext(connection) as queries:
            member.post(followed_url, {"body": "Counted"})
        followed_queries = len(queries)
        replies = iter(followed.replies.values_list("pk", flat=True))
        fan_out_ms = median_ms(
            lambda: fan_out.call("reply_posted", {"reply_id": next(replies)}), runs=15
        )

        inbox_user = people[1]
        Notification.objects.bulk_create(
            Notification(
                user=inbox_user,
                group=group,
                reading=discussed,
                kind=Kind.REPLY,
                event=f"bench-{n}",
                url=f"/bench/#r-{n}",
                text=f"Bench notification {n}",
            )
            for n in range(10_000 - Notification.objects.filter(user=inbox_user).count())
        )
        inbox_ms = median_ms(lambda: member.get("/inbox/"), runs=20, warmup=2)
        with CaptureQueriesContext(connection) as queries:
            assert member.get("/inbox/").status_code == 200
        inbox_queries = len(queries)

        seed_start = time.perf_counter()
        searcher = Client()
        searcher.force_login(seed_search())
        seed_s = time.perf_counter() - seed_start
        posts_searched = Annotation.objects.filter(group__name="Search group").count()
        posts_searched += Reply.objects.filter(annotation__group__name="Search group").count()
        common = search_latencies(searcher, ["union", "strike archive", "theory"], runs=10)
        rare = search_latencies(searcher, ["term7", "term512 union", "term999"], runs=10)
        with CaptureQueriesContext(connection) as queries:
            assert "<mark>" in searcher.get("/search/", {"q": "union"}).content.decode()
        search_queries = len(queries)
        # Last: each import adds its posts to the database the measures above read.
        imports = import_timings(group, discussed, people[0])
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    result = {
        "database": connection.vendor,
        "import_1mb_bytes": len(data),
        "import_1mb_passages": passages_1mb,
        "parse_1mb_s": round(parse_ms / 1000, 3),
        "import_1mb_s": round(import_ms / 1000, 3),
        "reading_passages": 2000,
        "reading_page_ms": round(page_ms, 1),
        "reading_page_queries": reading_queries,
        "passages": 100,
        "annotations": posts,
        "page_ms": round(discussion_ms, 1),
        "page_queries": page_queries,
        "page_cold_ms": round(cold_ms, 1),
        "page_cold_queries": cold_queries,
        "baseline_ms": round(baseline_ms, 1),
        "ratio": round(discussion_ms / baseline_ms, 1),
        "page_bytes": len(page),
        "baseline_bytes": len(baseline),
        "post_ms": round(post_ms, 1),
        "post_queries": post_queries,
        "poll_304_ms": round(poll_ms, 2),
        "poll_304_queries": poll_queries,
        "poll_new_ms": round(poll_new_ms, 1),
        "poll_shared_ms": round(poll_shared_ms, 1),
        "post_50_followers_ms": round(followed_ms, 1),
        "post_50_followers_queries": followed_queries,
        "fan_out_50_followers_ms": round(fan_out_ms, 1),
        "inbox_10000_ms": round(inbox_ms, 1),
        "inbox_10000_queries": inbox_queries,
        **imports,
        "search_posts": posts_searched,
        "search_seed_s": round(seed_s, 1),
        "search_common_ms": round(common[0], 1),
        "search_common_p95_ms": round(common[1], 1),
        "search_rare_ms": round(rare[0], 1),
        "search_rare_p95_ms": round(rare[1], 1),
        "search_queries": search_queries,
    }
    print(f"Marginalia benchmarks on {connection.vendor} (median after warm-up)")
    print(f"  {'import 1 MB text (parse only)':<44} {result['parse_1mb_s']:>8.3f} s")
    print(f"  {'import 1 MB text (parse + write)':<44} {result['import_1mb_s']:>8.3f} s")
    print(f"  {'  passages created':<44} {passages_1mb:>8}")
    print(f"  {'reading page, 2,000 passages':<44} {result['reading_page_ms']:>8.1f} ms")
    print(f"  {'  SQL queries':<44} {result['reading_page_queries']:>8}")
    print(f"  {'group reading page, 100 passages, 5,000 posts':<44} {result['page_ms']:>8.1f} ms")
    print(f"  {'  SQL queries':<44} {result['page_queries']:>8}")
    print(
        f"  {'  nothing cached (first view after changes)':<44} {result['page_cold_ms']:>8.1f} ms"
    )
    print(f"  {'  HTML size':<44} {result['page_bytes'] // 1024:>8} KB")
    print(f"  {'  raw baseline (SQL + string building)':<44} {result['baseline_ms']:>8.1f} ms")
    print(f"  {'    its HTML size':<44} {result['baseline_bytes'] // 1024:>8} KB")
    print(f"  {'  page / baseline':<44} {result['ratio']:>8.1f} x")
    print(f"  {'post a reply':<44} {result['post_ms']:>8.1f} ms")
    print(f"  {'  SQL queries':<44} {result['post_queries']:>8}")
    print(f"  {'live poll, nothing new (304)':<44} {result['poll_304_ms']:>8.2f} ms")
    print(f"  {'  SQL queries':<44} {result['poll_304_queries']:>8}")
    print(f"  {'live poll, one new reply (200)':<44} {result['poll_new_ms']:>8.1f} ms")
    shared_ms = result["poll_shared_ms"]
    print(f"  {'  the same, given the answer another drew':<44} {shared_ms:>8.1f} ms")
    followers_ms = result["post_50_followers_ms"]
    print(f"  {'post a reply, thread with 50 followers':<44} {followers_ms:>8.1f} ms")
    print(f"  {'  SQL queries':<44} {result['post_50_followers_queries']:>8}")
    print(f"  {'  the worker fanning it out':<44} {result['fan_out_50_followers_ms']:>8.1f} ms")
    print(f"  {'inbox, 10,000 notifications':<44} {result['inbox_10000_ms']:>8.1f} ms")
    print(f"  {'  SQL queries':<44} {result['inbox_10000_queries']:>8}")
    print(f"  {'import a 5 MB group export (JSON-LD)':<44} {result['import_jsonld_s']:>8.2f} s")
    print(f"  {'  posts in it':<44} {result['import_jsonld_posts']:>8}")
    print(f"  {'refuse a crafted 5 MB file (all [)':<44} {result['refuse_5mb_ms']:>8.1f} ms")
    print(f"  {'search, 100 readings x 100 passages,':<44}")
    print(f"  {f'  {posts_searched:,} posts (written in {seed_s:.0f} s)':<44}")
    print(
        f"  {'  a word in most posts: median / p95':<44}"
        f" {result['search_common_ms']:>8.1f} / {result['search_common_p95_ms']:.1f} ms"
    )
    print(
        f"  {'  a word in few posts: median / p95':<44}"
        f" {result['search_rare_ms']:>8.1f} / {result['search_rare_p95_ms']:.1f} ms"
    )
    print(f"  {'  SQL queries':<44} {result['search_queries']:>8}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
