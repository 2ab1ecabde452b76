"""The shared cache: Django's Redis cache, keeping its redis-py client."""

from django.core.cache.backends import redis


class _Client(redis.RedisCacheClient):
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
            self._clients[pool] = self._client(connection_pool=pool)
        return self._clients[pool]


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
