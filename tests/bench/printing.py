"""Benchmark of the print edition: `make bench` (after run.py). Not collected by pytest.

The seed interview (../shared/seeds/mcnally-interview.txt, read here, never
copied into the project) imported and put on a group's syllabus, with 300
annotations by 10 members on words of its passages (questions, comments, and
the viewer's own private notes), 1 to 3 replies on half of them, and some
threads long enough to continue as endnotes. Times the print edition as a
member asks for it, everything included: the page, and the PDF WeasyPrint
makes of it on A4 (the whole request), each the median of 3 after a warm-up;
and the PDF's size and pages. Each time on the clock and
in this process's CPU. Runs against a throwaway test database (SQLite,
or PostgreSQL when DATABASE_URL is set). Prints a table, then one JSON object
as its last line.
"""

import io
import json
import random
import statistics
import time

import django_setup  # noqa: E402, F401  (Django, set up as production runs it)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from discussions.anchoring import resolve_selector  # noqa: E402
from discussions.models import Annotation  # noqa: E402
from discussions.services import post_annotation, post_reply  # noqa: E402
from groups.services import assign_reading, create_group  # noqa: E402
from readings.services import import_reading, publish  # noqa: E402
from tests.conftest import add_member, make_user  # noqa: E402

SEED = django_setup.ROOT.parent / "shared" / "seeds" / "mcnally-interview.txt"
ANNOTATIONS, MEMBERS, RUNS = 300, 10, 3
VOCABULARY = (
    "why does the interview say organization here and what would a small group do with it "
    "the argument turns on practice and patience and on who is in the room when we meet"
)
WORDS = VOCABULARY.split(" ")


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def seed(rng: random.Random):
    """The interview on a group's syllabus, discussed: returns the group, the
    reading, the member who looks, and the posts made."""
    reading = import_reading(data=SEED.read_bytes(), filename=SEED.name, title="The interview")
    publish(reading)
    people = [make_user(f"reader{n}@example.org", f"Reader {n}") for n in range(MEMBERS)]
    group = create_group(name="Bench group", description="", creator=people[0])
    for person in people[1:]:
        add_member(group, person)
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=people[0])
    passages = [p for p in reading.passages.all() if len(p.text.split()) > 3]
    kinds = [Annotation.Kind.QUESTION] * 5 + [Annotation.Kind.COMMENT] * 4 + [Annotation.Kind.NOTE]
    replies = 0
    for n in range(ANNOTATIONS):
        passage = rng.choice(passages)
        words = passage.text.split()
        start = rng.randrange(len(words) - 2)
        exact = " ".join(words[start : start + rng.randint(1, 3)])
        # One in ten runs long: with its replies, an endnote.
        length = rng.randint(60, 120) if n % 10 == 0 else rng.randint(8, 40)
        thread = post_annotation(
            group=group,
            reading=reading,
            passage=passage,
            kind=rng.choice(kinds),
            body=sentence(rng, length),
            author=people[0] if n % 10 == 9 else rng.choice(people),
            selector=resolve_selector(passage.text, exact=exact),
        )
        if thread.kind != Annotation.Kind.NOTE and n % 2 == 0:
            for _ in range(rng.randint(1, 3)):
                body = sentence(rng, rng.randint(8, 60))
                post_reply(annotation=thread, parent=None, body=body, author=rng.choice(people))
                replies += 1
    return group, reading, people[0], ANNOTATIONS + replies


def timed(client: Client, url: str) -> tuple[float, float, bytes]:
    """Seconds of the request, on the clock and of this process's CPU (on a
    busy machine, the fairer figure), and what it gave."""
    client.get(url)  # warm-up
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200, response.status_code
    return statistics.median(times), statistics.median(cpu), response.content


def main() -> None:
    # Production serves hashed static files, as after a deploy's collectstatic:
    # the PDF reads them from there.
    call_command("collectstatic", interactive=False, verbosity=0)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        group, reading, viewer, posts = seed(random.Random(7))
        client = Client()
        client.force_login(viewer)
        url = f"/g/{group.slug}/r/{reading.slug}/print/"
        page_s, page_cpu_s, page = timed(client, url)
        pdf_s, pdf_cpu_s, pdf = timed(client, url + "?format=pdf")
        passages = reading.passages.count()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    endnotes = page.count(b'<li id="note-')
    result = {
        "print_passages": passages,
        "print_annotations": ANNOTATIONS,
        "print_posts": posts,
        "print_endnotes": endnotes,
        "print_page_ms": round(page_s * 1000, 1),
        "print_page_cpu_ms": round(page_cpu_s * 1000, 1),
        "print_page_bytes": len(page),
        "print_pdf_s": round(pdf_s, 2),
        "print_pdf_cpu_s": round(pdf_cpu_s, 2),
        "print_pdf_bytes": len(pdf),
        "print_pdf_pages": pages,
    }
    print(f"Print edition of the seed interview on {connection.vendor} (median of {RUNS})")
    print(f"  {passages} passages, {ANNOTATIONS} annotations, {posts} posts, {endnotes} endnotes")
    print(f"  {'':<16} {'clock':>9} {'CPU':>9} {'size':>9}")
    for label, clock, cpu, size, after in [
        ("page (HTML)", page_s, page_cpu_s, len(page), ""),
        ("PDF, A4", pdf_s, pdf_cpu_s, len(pdf), f"  {pages} pages"),
    ]:
        print(f"  {label:<16} {clock:>8.2f}s {cpu:>8.2f}s {size / 1e3:>7.0f}kB{after}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
