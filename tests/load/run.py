"""make load: a live meeting of 50 members and a facilitator against the app
under gunicorn, bounded in users and time, on PostgreSQL when DATABASE_URL is
set (a throwaway database on that server) and SQLite otherwise. Afterwards it
checks that every reply a member posted is stored exactly once. Its last line
is one JSON object."""

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MEMBERS = 50
DURATION = os.environ.get("LOAD_DURATION", "40s")
# Members arrive over ten seconds, as people do when a meeting starts.
SPAWN_RATE = 5
PORT = int(os.environ.get("LOAD_PORT", "8799"))
LOAD_DATABASE = "marginalia_load"

sys.path.insert(0, str(ROOT))


def database(workdir: Path) -> tuple[str, str]:
    """A fresh database for the run: (DATABASE_URL, kind)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        print("DATABASE_URL is not set: running on SQLite, not the production database.")
        return f"sqlite:///{workdir / 'load.sqlite3'}", "sqlite"
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {LOAD_DATABASE}")
        connection.execute(f"CREATE DATABASE {LOAD_DATABASE}")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{LOAD_DATABASE}")), "postgresql"


def seed(csrf: str) -> dict:
    """The meeting: a group of 50 members and a facilitator, a 100-passage reading
    with an agenda, open questions, a running meeting; and a session for each person."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from facilitation.services import add_agenda_item, publish_agenda, start_meeting
    from groups.services import assign_reading, create_group
    from tests.conftest import add_member, make_annotation, make_reading, make_user

    facilitator = make_user("facilitator@load.example", "Load Facilitator")
    group = create_group(name="Load circle", description="", creator=facilitator)
    members = [make_user(f"member{n}@load.example", f"Member {n}") for n in range(MEMBERS)]
    for member in members:
        add_member(group, member)
    reading = make_reading(passages=100, title="Under load")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=facilitator)
    for n in range(3):
        add_agenda_item(
            group=group, reading=reading, text=f"Question {n}", minutes=10, seen_version=n
        )
    publish_agenda(group=group, reading=reading, actor=facilitator, seen_version=3)
    for n in range(20):
        make_annotation(
            group, reading, members[n], body=f"Open question {n}", passage=reading.passages.all()[n]
        )
    meeting = start_meeting(group=group, reading=reading, actor=facilitator)

    def session(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    return {
        "reading_url": f"/g/{group.slug}/r/{reading.slug}/",
        "meeting_url": f"/g/{group.slug}/m/{meeting.pk}/",
        "threads": list(group.annotations.values_list("pk", flat=True)),
        "members": [session(member) for member in members],
        "facilitator": session(facilitator),
        "csrf": csrf,
    }


def wait_for(url: str, seconds: int = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the app did not answer {url} within {seconds} s")


def aggregated(stats_csv: Path) -> dict:
    with stats_csv.open() as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
    }


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="marginalia-load-"))
    os.environ["LOAD_SERVER_URL"] = os.environ.get("DATABASE_URL", "")
    database_url, kind = database(workdir)
    from django.utils.crypto import get_random_string

    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "load-test-only-" + get_random_string(40),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    setup = seed(csrf=get_random_string(32))
    setup["posted_file"] = str(workdir / "posted.json")

    server = subprocess.Popen(
        [BIN / "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", "3",
         "--worker-class", "gthread", "--threads", "4", "--log-level", "warning",
         # Longer than the pages' poll interval, so a kept-alive connection is not
         # closed just as a poll reuses it.
         "--keep-alive", "10"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        subprocess.run(
            [BIN / "locust", "-f", Path(__file__).parent / "locustfile.py", "--headless",
             "-u", str(MEMBERS + 1), "-r", str(SPAWN_RATE), "-t", DURATION,
             "--stop-timeout", "5",
             "--host", f"http://127.0.0.1:{PORT}", "--csv", workdir / "load", "--only-summary"],
            cwd=ROOT,
            env=env | {"MARGINALIA_LOAD": json.dumps(setup)},
            check=False,
            timeout=600,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)

    from discussions.models import Reply

    posted = json.loads(Path(setup["posted_file"]).read_text())
    lost = sum(1 for marker in posted if Reply.objects.filter(body__contains=marker).count() != 1)
    result = {"users": MEMBERS + 1, **aggregated(workdir / "load_stats.csv")}
    result |= {"replies_posted": len(posted), "lost_posts": lost, "database": kind}
    print(f"Live meeting under load on {kind}: {MEMBERS} members and a facilitator for {DURATION}")
    for key in (
        "requests",
        "failures",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "replies_posted",
        "lost_posts",
    ):
        print(f"  {key:<16} {result[key]:>10}")
    if kind == "postgresql":
        drop_database()
    print(json.dumps(result))


def drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(os.environ["LOAD_SERVER_URL"], autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {LOAD_DATABASE}")


if __name__ == "__main__":
    main()
