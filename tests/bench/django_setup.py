"""Imported first by the benchmarks that need Django: the project on the path,
and settings as production runs them (no debug overhead in templates and
middleware), with what a throwaway run needs in place of secrets and hosts.
A variable already set in the environment wins."""

import os
import sys
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
