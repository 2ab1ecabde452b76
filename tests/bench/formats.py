"""Benchmark of the binary formats: `make bench` (after run.py). Not collected by pytest.

Generates a 300-page PDF (WeasyPrint: running header, page numbers, a two-column
chapter in five), a 1 MB EPUB and a Word document of about the same size, all of
the same interview-shaped book, and times importing each (parse + database
write), the median of 3 runs, against a throwaway test database (SQLite, or
PostgreSQL when DATABASE_URL is set). Prints a table, then one JSON object as
its last line.
"""

import json
import random
import statistics
import time
from html import escape

import django_setup  # noqa: E402, F401  (Django, set up as production runs it)
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from readings.models import Reading  # noqa: E402
from readings.services import import_reading  # noqa: E402
from tests.fixtures import documents  # noqa: E402

VOCABULARY = (
    "the bakers met in a car park after the night shift and wrote to the manager about "
    "a rota nobody could live on so they argued over bread roses wages hours letters "
    "meetings strikes pickets solidarity neighbours children kitchens ovens flour"
)
WORDS = VOCABULARY.split(" ")
SPEAKERS = ["Riverside Reader", "Jane Doe"]
PDF_PAGES = 300
TARGET_BYTES = 1024 * 1024
RUNS = 3


def chapters(text_bytes: int, seed: int = 11) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of an interview-shaped book of about `text_bytes` of text."""
    rng = random.Random(seed)
    book, total, turn = [], 0, 0
    while total < text_bytes:
        paragraphs = []
        for _ in range(12):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120)))
            if rng.random() < 0.4:
                words = f"{SPEAKERS[turn % 2]}: {words.capitalize()}"
                turn += 1
            paragraphs.append(words + ".")
            total += len(words) + 2
        book.append((f"Chapter {len(book) + 1}", paragraphs))
    return book


def book_html(book) -> str:
    parts = ["<h1>A generated oral history</h1>"]
    for number, (title, paragraphs) in enumerate(book):
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        columns = number % 5 == 4
        parts.append(
            f"<h2>{title}</h2>" + (f'<div class="columns">{body}</div>' if columns else body)
        )
    return "".join(parts)


def pdf_of_pages(pages: int) -> tuple[bytes, int]:
    from weasyprint import CSS, HTML

    text_bytes = pages * 3000
    while True:
        html = (
            f"<!doctype html><html lang='en'><body>{book_html(chapters(text_bytes))}</body></html>"
        )
        document = HTML(string=html).render(stylesheets=[CSS(string=documents.PAGE_CSS)])
        if len(document.pages) >= pages:
            return document.write_pdf(), len(document.pages)
        text_bytes = int(text_bytes * pages / len(document.pages)) + 5000


def sized(make, target: int) -> bytes:
    """A document from `make(text_bytes)` whose file is about `target` bytes."""
    text_bytes = target
    data = make(text_bytes)
    for _ in range(3):
        if abs(len(data) - target) < target * 0.05:
            break
        text_bytes = int(text_bytes * target / len(data))
        data = make(text_bytes)
    return data


def epub_of(text_bytes: int) -> bytes:
    book = chapters(text_bytes)
    return documents.epub_bytes(
        "A generated oral history",
        "Jane Doe",
        [
            (
                f"chapter-{n}.xhtml",
                title,
                f"<h1>{title}</h1>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs),
            )
            for n, (title, paragraphs) in enumerate(book, start=1)
        ],
    )


def docx_of(text_bytes: int) -> bytes:
    paragraphs = [("Title", "A generated oral history")]
    for title, body in chapters(text_bytes):
        paragraphs.append(("Heading 1", title))
        paragraphs.extend(("Normal", p) for p in body)
    return documents.docx_bytes(paragraphs)


def time_import(data: bytes, filename: str) -> tuple[float, int]:
    times, passages = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        reading = import_reading(data=data, filename=filename)
        times.append(time.perf_counter() - start)
        passages = reading.passages.count()
        Reading.objects.filter(pk=reading.pk).delete()
    return statistics.median(times), passages


def main() -> None:
    setup_test_environment()
    start = time.perf_counter()
    pdf, pages = pdf_of_pages(PDF_PAGES)
    epub = sized(epub_of, TARGET_BYTES)
    docx = sized(docx_of, TARGET_BYTES)
    generate_s = time.perf_counter() - start

    # Sized for the benchmark, not for the upload limit.
    from django.conf import settings

    settings.READING_MAX_BYTES = 64 * 1024 * 1024
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        pdf_s, pdf_passages = time_import(pdf, "book.pdf")
        epub_s, epub_passages = time_import(epub, "book.epub")
        docx_s, docx_passages = time_import(docx, "book.docx")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    result = {
        "pdf_pages": pages,
        "pdf_bytes": len(pdf),
        "pdf_import_s": round(pdf_s, 2),
        "pdf_passages": pdf_passages,
        "epub_bytes": len(epub),
        "epub_import_s": round(epub_s, 2),
        "epub_passages": epub_passages,
        "docx_bytes": len(docx),
        "docx_import_s": round(docx_s, 2),
        "docx_passages": docx_passages,
        "generate_s": round(generate_s, 1),
    }
    print(f"Import of generated documents on {connection.vendor} (parse + write, median of {RUNS})")
    rows = [
        (f"PDF, {pages} pages, {len(pdf) / 1e6:.2f} MB", pdf_s, pdf_passages),
        (f"EPUB, {len(epub) / 1e6:.2f} MB", epub_s, epub_passages),
        (f"Word (.docx), {len(docx) / 1e6:.2f} MB", docx_s, docx_passages),
    ]
    for label, seconds, passages in rows:
        print(f"  {label:<34} {seconds:>8.2f} s  {passages:>6} passages")
    print(f"  {'(generating them took':<34} {generate_s:>8.1f} s)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
