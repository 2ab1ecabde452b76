"""Imported first by the benchmarks that need Django: the project on the path,
and settings as production runs them (no debug overhead in templates and
middleware), with what a throwaway run needs in place of secrets and hosts.
A variable already set in the environment wins. Also the benchmarks' timers."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
for name, value in {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-" + "x" * 50,
    "SECURE_SSL_REDIRECT": "0",
    "ALLOWED_HOSTS": "testserver",
}.items():
    os.environ.setdefault(name, value)

import django  # noqa: E402

django.setup()


def median_ms(fn, runs: int, warmup: int = 1) -> float:
    """The median time of `fn` over `runs` calls, after `warmup` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(client, url: str, runs: int) -> dict:
    """A page's median time (after a warm-up) and its SQL queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:200])

    ms = median_ms(get, runs)
    with CaptureQueriesContext(connection) as queries:
        get()
    return {"ms": round(ms, 1), "queries": len(queries)}
