"""Benchmarks: `make bench`. Not collected by pytest.

Measures, each as the median of repeated runs after a warm-up:
- importing a generated 1 MB interview-shaped text (parse + database write);
- the reading page of a 2,000-passage reading (server side, full render) and its queries.
Runs against a throwaway test database (SQLite, or PostgreSQL when DATABASE_URL is set).
Prints a table, then one JSON object as its last line.
"""

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from readings.importers import parse  # noqa: E402
from readings.services import import_reading  # noqa: E402
from tests.conftest import make_reading, make_user  # noqa: E402

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


def median_ms(fn, runs: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
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
        "reading_page_queries": len(queries),
    }
    print(f"Marginalia benchmarks on {connection.vendor} (median after warm-up)")
    print(f"  {'import 1 MB text (parse only)':<44} {result['parse_1mb_s']:>8.3f} s")
    print(f"  {'import 1 MB text (parse + write)':<44} {result['import_1mb_s']:>8.3f} s")
    print(f"  {'  passages created':<44} {passages_1mb:>8}")
    print(f"  {'reading page, 2,000 passages':<44} {result['reading_page_ms']:>8.1f} ms")
    print(f"  {'  SQL queries':<44} {result['reading_page_queries']:>8}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
