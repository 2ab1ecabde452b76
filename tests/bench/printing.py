"""Benchmark of the print edition: `make bench` (after run.py). Not collected by pytest.

The seed interview (../shared/seeds/mcnally-interview.txt, read here, never
copied into the project) imported and put on a group's syllabus, with 300
annotations by 10 members on words of its passages (questions, comments, and
the viewer's own private notes), 1 to 3 replies on half of them, and some
threads long enough to continue as endnotes. Times the print edition as a
member asks for it, everything included: the page; the request that asks for
its PDF on A4 (it renders and stores the page, and queues the task); and the
task worker making that PDF with WeasyPrint (the task, called as the worker
does), each the median of 3 after a warm-up; and the PDF's size and pages.
Each time on the clock and in this process's CPU. Runs against a throwaway
test database (SQLite, or PostgreSQL when DATABASE_URL is set). Prints a
table, then one JSON object as its last line.
"""

import io
import json
import random
import statistics
import time

import django_setup  # noqa: E402, F401  (Django, set up as production runs it)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from discussions import tasks  # noqa: E402
from discussions.anchoring import resolve_selector  # noqa: E402
from discussions.forms import PrintForm  # noqa: E402
from discussions.models import Annotation, PrintJob  # noqa: E402
from discussions.services import post_annotation, post_reply  # noqa: E402
from groups.services import assign_reading, create_group  # noqa: E402
from readings.services import import_reading, publish  # noqa: E402
from tests.conftest import add_member, make_user  # noqa: E402

SEED = django_setup.ROOT.parent / "shared" / "seeds" / "mcnally-interview.txt"
ANNOTATIONS, MEMBERS, RUNS = 300, 10, 3
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
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


def timed(run) -> tuple[float, float, object]:
    """Seconds of `run()`, on the clock and of this process's CPU (on a busy
    machine, the fairer figure), and what it gave."""
    run()  # warm-up
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu), result


def page(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content


def ask_for_pdf(client: Client, url: str) -> PrintJob:
    """The request of the page's Download PDF button, its task left queued."""
    PrintJob.objects.all().delete()  # else it would show the job still waiting
    with override_settings(TASKS=QUEUED_ONLY):
        response = client.post(url, {"kinds": PrintForm.ALL_KINDS, "paper": "a4"})
    assert response.status_code == 302, response.status_code
    return PrintJob.objects.get()


def make_pdf(job: PrintJob, html: str, page_url: str) -> bytes:
    """The worker's turn, on the job as the request left it."""
    PrintJob.objects.filter(pk=job.pk).update(html=html, finished=None, created=timezone.now())
    assert tasks.make_pdf.call(job.pk, page_url)
    return bytes(PrintJob.objects.get(pk=job.pk).pdf)


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
        page_s, page_cpu_s, html = timed(lambda: page(client, url))
        ask_s, ask_cpu_s, job = timed(lambda: ask_for_pdf(client, url + "pdf/"))
        stored = len(job.html.encode())
        pdf_s, pdf_cpu_s, pdf = timed(lambda: make_pdf(job, job.html, f"http://testserver{url}"))
        passages = reading.passages.count()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    endnotes = html.count(b'<li id="note-')
    result = {
        "print_passages": passages,
        "print_annotations": ANNOTATIONS,
        "print_posts": posts,
        "print_endnotes": endnotes,
        "print_page_ms": round(page_s * 1000, 1),
        "print_page_cpu_ms": round(page_cpu_s * 1000, 1),
        "print_page_bytes": len(html),
        "print_pdf_request_ms": round(ask_s * 1000, 1),
        "print_pdf_request_cpu_ms": round(ask_cpu_s * 1000, 1),
        "print_pdf_stored_bytes": stored,
        "print_pdf_s": round(pdf_s, 2),
        "print_pdf_cpu_s": round(pdf_cpu_s, 2),
        "print_pdf_bytes": len(pdf),
        "print_pdf_pages": pages,
    }
    print(f"Print edition of the seed interview on {connection.vendor} (median of {RUNS})")
    print(f"  {passages} passages, {ANNOTATIONS} annotations, {posts} posts, {endnotes} endnotes")
    print(f"  {'':<16} {'clock':>9} {'CPU':>9} {'size':>9}")
    for label, clock, cpu, size, after in [
        ("page (HTML)", page_s, page_cpu_s, len(html), ""),
        ("ask for the PDF", ask_s, ask_cpu_s, stored, "  (request; HTML stored)"),
        ("PDF, A4, worker", pdf_s, pdf_cpu_s, len(pdf), f"  {pages} pages"),
    ]:
        print(f"  {label:<16} {clock:>8.2f}s {cpu:>8.2f}s {size / 1e3:>7.0f}kB{after}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
