"""The shared cache: Django's Redis cache, keeping its redis-py client; and
the pieces' cache, in front of it."""

import redis
from django.core.cache import caches
from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache


class _Client(django_redis.RedisCacheClient):
    """Django's client makes a new redis-py client, with its table of about
    170 reply parsers, for every cache call, which costs as much as the call
    itself. A redis-py client is safe to share, so this keeps one for each
    connection pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if pool not in self._clients:
            self._clients[pool] = redis.Redis(connection_pool=pool)
        return self._clients[pool]


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client


class PiecesCache(BaseCache):
    """The reading pages' pieces: rendered HTML and the facts it is drawn
    from, under keys that name everything they hold (versions, counts,
    digests), so what is under a key never changes. Kept in the shared cache
    (CACHES["default"]) and, for those this process used lately, in its
    memory too: a hot piece costs no round trip to Redis. Reading, setting
    and get_or_set only; a value that changes under its key (a counter, a
    lock) belongs in the default cache. `clear()` forgets this process's
    copies; the shared ones go with the default cache's."""

    def __init__(self, name, params):
        super().__init__(params)
        self._near = LocMemCache(name, params)

    @property
    def _far(self):
        return caches["default"]

    def get(self, key, default=None, version=None):
        return self.get_many([key], version=version).get(key, default)

    def get_many(self, keys, version=None):
        found = self._near.get_many(keys, version=version)
        missing = [key for key in keys if key not in found]
        if missing:
            fetched = self._far.get_many(missing, version=version)
            self._near.set_many(fetched, version=version)
            found |= fetched
        return found

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.set_many({key: value}, timeout, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        self._far.set_many(data, timeout, version=version)
        self._near.set_many(data, timeout, version=version)
        return []

    def get_or_set(self, key, default, timeout=DEFAULT_TIMEOUT, version=None):
        value = self.get(key, self._missing_key, version=version)
        if value is self._missing_key:
            value = default() if callable(default) else default
            self.set(key, value, timeout, version=version)
        return value

    def clear(self):
        self._near.clear()
