"""CACHE_URL: the rendered pieces and the rate-limit counters live in Redis,
where every worker and app server finds them, not in one process's memory.
Needs the Redis server CI runs at 127.0.0.1:6379; skipped where none answers."""

import pytest
import redis
from django.core.cache import caches
from django.urls import reverse

from tests.conftest import make_annotation, signed_in

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def shared_cache(settings):
    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis server answers at 127.0.0.1:6379 (start one: redis-server)")
    server.flushdb()
    settings.CACHES = settings.CACHES | {
        "default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}
    }
    yield server
    server.flushdb()


def another_server() -> None:
    """Forget this process's cache connections and its copies of the pieces,
    as a second app server has none of them."""
    caches["pieces"].clear()
    caches.close_all()
    for alias in caches:
        del caches[alias]


@pytest.mark.django_db
def test_a_reading_page_rendered_by_one_server_is_served_from_the_cache_by_another(
    client, shared_cache, group, member, assigned_reading, django_assert_num_queries
):
    make_annotation(group, assigned_reading, member, body="Worth what?")
    url = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    signed_in(client, member)
    first = client.get(url).content.decode()
    assert shared_cache.dbsize() > 0  # the pieces are in Redis, for any process to read

    another_server()
    # The same queries as a warm page on one server: every piece came from Redis.
    with django_assert_num_queries(6):
        again = client.get(url).content.decode()
    assert again.count('class="thread-summary ') == first.count('class="thread-summary ') == 1


@pytest.mark.django_db
def test_a_warm_page_asks_redis_for_nothing_and_a_second_server_only_reads(
    client, shared_cache, group, member, assigned_reading, monkeypatch
):
    """A piece's key names all it holds, so a process keeps the pieces it used
    lately in its memory: a warm page costs no round trip to Redis, and a
    second server's first view of it reads the pieces there, drawing none."""
    make_annotation(group, assigned_reading, member, body="Worth what?")
    url = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    signed_in(client, member)
    client.get(url)
    commands = []
    send = redis.Redis.execute_command

    def noted(self, *args, **options):
        commands.append(args[0])
        return send(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", noted)
    assert client.get(url).status_code == 200
    assert commands == []
    another_server()
    assert client.get(url).status_code == 200
    assert commands and set(commands) == {"MGET"}


@pytest.mark.django_db
def test_a_rate_limit_counts_across_servers(client, shared_cache, settings, member):
    settings.ACCOUNT_RATE_LIMITS = {"create_group": "2/h/user"}
    signed_in(client, member)
    url = reverse("groups:group_create")
    for name in ("One", "Two"):
        assert client.post(url, {"name": name, "description": ""}).status_code == 302
        another_server()  # each post lands on another server
    assert shared_cache.dbsize() > 0  # the counter is in Redis
    refused = client.post(url, {"name": "Three", "description": ""})
    assert refused.status_code == 429
    assert "You have started many groups in a short time." in refused.content.decode()


@pytest.mark.django_db
def test_a_busy_discussions_versions_do_not_pile_up_in_redis_for_a_day(
    client, shared_cache, group, member, assigned_reading
):
    """Each post makes a new version, and the people, counts and questions
    cached under the old one are asked for no more: they leave Redis within
    ten minutes, while a passage's rendered piece stays for a day."""
    url = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    signed_in(client, member)
    for n in range(3):
        make_annotation(group, assigned_reading, member, body=f"Question {n}?")
        assert client.get(url).status_code == 200
    expiries = {}
    for key in shared_cache.scan_iter():
        kind = key.decode().split(":")[2]  # after Django's prefix and key version
        expiries.setdefault(kind, []).append(shared_cache.ttl(key))
    for kind in ("people", "facts", "stats", "questions"):
        assert len(expiries[kind]) == 3 and max(expiries[kind]) <= 10 * 60, kind
    assert min(expiries["discussions/_passage.html"]) > 60 * 60
