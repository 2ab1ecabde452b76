"""make load: live meetings in 4 groups of 50 members and a facilitator, against
two gunicorn app servers that share PostgreSQL, Redis (the cache) and a task
worker (`manage.py db_worker`), as a deployment behind a load balancer does.
It needs PostgreSQL (DATABASE_URL: it makes a throwaway database there) and
Redis at 127.0.0.1:6379. Afterwards it checks that every reply a member
saw posted is stored exactly once. Its last line is one JSON object; it exits
non-zero when a request failed or a reply was lost or duplicated."""

import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GROUPS = int(os.environ.get("LOAD_GROUPS", "4"))
MEMBERS = 50  # in each group, with its facilitator
USERS = GROUPS * (MEMBERS + 1)
DURATION = os.environ.get("LOAD_DURATION", "60s")
# Members arrive over ten seconds, as people do when a meeting starts.
SPAWN_RATE = USERS / 10
PORT = int(os.environ.get("LOAD_PORT", "8799"))
LOAD_DATABASE = "marginalia_load"
# A Redis database of its own, emptied at the start: the app's default is 0,
# CI's suite uses 1 and tests/test_shared_cache.py 15.
REDIS_URL = "redis://127.0.0.1:6379/14"

sys.path.insert(0, str(ROOT))


def redis_cache() -> str:
    """The shared cache's URL, emptied; or exit saying why there is none."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
    except redis.RedisError as error:
        raise SystemExit(
            f"make load needs Redis at 127.0.0.1:6379 for the app servers' shared cache, "
            f"and none answers ({error}). Start one: redis-server --daemonize yes"
        ) from None
    return REDIS_URL


def database() -> str:
    """A fresh database for the run on the DATABASE_URL server; or exit saying why
    there is none. Not SQLite: app servers share only a database server, and one
    SQLite file takes one writer at a time."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "make load runs two app servers sharing one PostgreSQL server: set DATABASE_URL, "
            "e.g. postgres://postgres@127.0.0.1:5432/postgres (it creates and drops its own "
            f"{LOAD_DATABASE} database there)."
        )
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {LOAD_DATABASE}")
        connection.execute(f"CREATE DATABASE {LOAD_DATABASE}")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{LOAD_DATABASE}"))


def seed(csrf: str, servers: list[str]) -> dict:
    """The meetings: in each group 50 members and a facilitator, a 100-passage
    reading with an agenda, open questions, a running meeting; a session for each
    person, and the server they use. Each group's members are split evenly across
    the servers, so what one server writes the other must show."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import override_settings

    from facilitation.services import add_agenda_item, publish_agenda, start_meeting
    from groups.services import assign_reading, create_group
    from tests.conftest import add_member, make_annotation, make_reading, make_user

    def session(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    groups, members, facilitators = [], [], []
    for g in range(GROUPS):
        # Nobody signs in with a password (each gets a session below), so the
        # cheapest hasher spares over a minute of hashing 204 of them.
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            facilitator = make_user(f"facilitator{g}@load.example", f"Facilitator {g}")
            people = [
                make_user(f"member{g}-{n}@load.example", f"Member {g}-{n}") for n in range(MEMBERS)
            ]
        group = create_group(name=f"Load circle {g}", description="", creator=facilitator)
        for person in people:
            add_member(group, person)
        reading = make_reading(passages=100, title=f"Under load {g}")
        assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=facilitator)
        for n in range(3):
            add_agenda_item(
                group=group, reading=reading, text=f"Question {n}", minutes=10, seen_version=n
            )
        publish_agenda(group=group, reading=reading, actor=facilitator, seen_version=3)
        passages = list(reading.passages.all()[:20])
        for n, passage in enumerate(passages):
            make_annotation(group, reading, people[n], body=f"Open question {n}", passage=passage)
        meeting = start_meeting(group=group, reading=reading, actor=facilitator)
        groups.append(
            {
                "reading_url": f"/g/{group.slug}/r/{reading.slug}/",
                "meeting_url": f"/g/{group.slug}/m/{meeting.pk}/",
                "threads": list(group.annotations.values_list("pk", flat=True)),
            }
        )
        members += [
            {"session": session(person), "group": g, "host": servers[n % len(servers)]}
            for n, person in enumerate(people)
        ]
        facilitators.append(
            {"session": session(facilitator), "group": g, "host": servers[g % len(servers)]}
        )
    return {"groups": groups, "members": members, "facilitators": facilitators, "csrf": csrf}


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


def per_server(times: dict[str, list[float]], failures: dict[str, int]) -> dict:
    """Each server's share, from every request's time the locustfile noted
    (locust's own statistics do not split by host)."""
    figures = {}
    for host, spent in sorted(times.items()):
        cuts = statistics.quantiles(spent, n=100)
        figures[host] = {
            "requests": len(spent),
            "failures": failures.get(host, 0),
            "p50_ms": round(cuts[49]),
            "p95_ms": round(cuts[94]),
            "p99_ms": round(cuts[98]),
        }
    return figures


def children_cpu() -> float:
    """CPU seconds used so far by the child processes that have ended (and by theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    # A TERM (a CI timeout, a closed terminal) unwinds like Ctrl-C, so the
    # servers and the worker are stopped and the database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    cache_url = redis_cache()
    workdir = Path(tempfile.mkdtemp(prefix="marginalia-load-"))
    os.environ["LOAD_SERVER_URL"] = os.environ.get("DATABASE_URL", "")
    database_url = database()
    ports = [PORT, PORT + 1]
    servers = [f"http://127.0.0.1:{port}" for port in ports]
    from django.utils.crypto import get_random_string

    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "TASK_BACKEND": "database",
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
    processes: list[subprocess.Popen] = []
    try:
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        setup = seed(csrf=get_random_string(32), servers=servers)
        setup["results_file"] = str(workdir / "results.json")
        # The worker starts after the seed, so the meetings' start notifications
        # wait for it as a busy worker's queue would. Its emails go to the
        # console backend: into a file, not over the figures.
        worker = subprocess.Popen(
            [BIN / "python", "manage.py", "db_worker", "--no-reload", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            stdout=(workdir / "worker.log").open("w"),
        )
        processes.append(worker)
        app = []
        for port in ports:
            app.append(subprocess.Popen(
                [BIN / "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--preload",
                 "--log-level", "warning",
                 # A server that closes an idle kept-alive connection just as a
                 # request arrives on it drops that request unanswered: locust
                 # keeps connections as a load balancer does, whose idle timeout
                 # (commonly 60 s) must be the shorter. At 10 s, 2 to 4 of each
                 # run's facilitator steps (8 s apart) were dropped so.
                 "--keep-alive", "75"],
                cwd=ROOT,
                env=env,
            ))  # fmt: skip
        processes += app
        for server in servers:
            wait_for(f"{server}/healthz")
        spent = children_cpu()
        started = time.monotonic()
        subprocess.run(
            [BIN / "locust", "-f", Path(__file__).parent / "locustfile.py", "--headless",
             "-u", str(USERS), "-r", str(SPAWN_RATE), "-t", DURATION,
             # Users finish the request they are making: its answer decides
             # whether the reply it posts is counted as posted.
             "--stop-timeout", "30",
             "--only-summary"],
            cwd=ROOT,
            env=env | {"MARGINALIA_LOAD": json.dumps(setup)},
            check=False,
            timeout=600,
        )  # fmt: skip
        capacity = (time.monotonic() - started) * os.cpu_count()
        # Only locust has ended since: the servers and the worker still run.
        # Each of those is counted from its start.
        cpu = {"locust": children_cpu() - spent}
        worker_ran_throughout = worker.poll() is None
        for name, group in (("app_servers", app), ("task_worker", [worker])):
            spent = children_cpu()
            stop(group)
            cpu[name] = children_cpu() - spent
        result = report(setup, servers, cpu, capacity)
        result["worker_ran_throughout"] = worker_ran_throughout
    finally:
        stop(processes)
        drop_database()
    print(json.dumps(result))
    if result["failures"] or result["lost_posts"] or result["duplicated_posts"]:
        sys.exit(1)


def report(setup: dict, servers: list[str], cpu: dict, capacity: float):
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from discussions.models import Reply

    noted = json.loads(Path(setup["results_file"]).read_text())
    stored = Counter(
        marker
        for body in Reply.objects.filter(body__contains="load-").values_list("body", flat=True)
        for marker in re.findall(r"load-[0-9a-f]{32}", body)
    )
    posted = set(noted["posted"])
    overall, by_name = noted["total"], noted["by_request"]
    result = {"users": USERS, "groups": GROUPS, "app_servers": len(servers), **overall}
    # The same once every member has arrived: the arrivals' page loads apart.
    result["after_arrival"] = noted["after_arrival"]
    result |= {
        "replies_posted": len(posted),
        "lost_posts": sum(1 for marker in posted if stored[marker] == 0),
        "duplicated_posts": sum(1 for count in stored.values() if count > 1),
        # Stored, but locust recorded no answer: posted as it stopped its users.
        "unconfirmed_posts": sum(1 for marker in stored if marker not in posted),
        # Of all the machine's cores during the run: what the load generator
        # took from the app it measures, and what the app used.
        "cpu_share": {name: round(seconds / capacity, 3) for name, seconds in cpu.items()},
        # What the servers spent on each request (their start-up included):
        # one core serves at most 1000 / this many requests a second.
        "app_cpu_ms_per_request": round(cpu["app_servers"] * 1000 / overall["requests"], 1),
        "cores": os.cpu_count(),
        "by_server": per_server(noted["times"], noted["failures"]),
        "by_request": by_name,
        "tasks": dict(
            DBTaskResult.objects.order_by().values_list("status").annotate(n=Count("id"))
        ),
    }
    print(
        f"Live meetings under load, {len(servers)} app servers on PostgreSQL and Redis: "
        f"{GROUPS} groups of {MEMBERS} members and a facilitator for {DURATION}"
    )
    for key in (
        "requests",
        "failures",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "replies_posted",
        "lost_posts",
        "duplicated_posts",
        "unconfirmed_posts",
    ):
        print(f"  {key:<18} {result[key]:>10}")
    after = result["after_arrival"]
    print(
        f"  after arrival     {after['requests']:>10} requests, "
        f"p50/p95/p99 {after['p50_ms']}/{after['p95_ms']}/{after['p99_ms']} ms"
    )
    for label, rows in (("server", result["by_server"]), ("request", by_name)):
        for name, row in rows.items():
            print(
                f"  {label} {name:<24} {row['requests']:>6} requests, {row['failures']} failed, "
                f"p50/p95/p99 {row['p50_ms']:.0f}/{row['p95_ms']:.0f}/{row['p99_ms']:.0f} ms"
            )
    print(f"  cpu share         {result['cpu_share']} of {os.cpu_count()} cores")
    print(f"  app cpu/request   {result['app_cpu_ms_per_request']} ms")
    print(f"  tasks by status   {result['tasks']}")
    return result


def drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(os.environ["LOAD_SERVER_URL"], autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {LOAD_DATABASE}")


if __name__ == "__main__":
    main()
