"""Counters in the cache that many processes increment at once: throttles, lockouts.

One atomic step per count. On Redis (django-redis) that is a single round trip: `SET key 0 EX
window NX` (the key is born with its expiry) and `INCR key` in one Lua script, so no other
client can see or make a key without its expiry, and parallel counts never get lost. A script
rather than MULTI/EXEC: one command and one reply instead of four, which every API request
(its throttle) pays for in CPU. Elsewhere (the local-memory cache of the embedded default) the
cache's own `add` and `incr`, each atomic.
"""

import functools
import logging

from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, caches
from django_redis.cache import RedisCache
from redis import Redis
from redis.commands.core import Script
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_COUNT = """
redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX')
return redis.call('INCR', KEYS[1])
"""


def counter_incr(key: str, *, window_seconds: int) -> int | None:
    """Count one more in key (in the default cache), created for window_seconds if it is not
    there: the new count, or None when the cache is unreachable and configured to degrade
    (REDIS_IGNORE_EXCEPTIONS)."""
    cache: BaseCache = caches[DEFAULT_CACHE_ALIAS]  # the backend itself, not the module's proxy
    if isinstance(cache, RedisCache):
        return _redis_incr(cache, key, window_seconds)
    cache.add(key, 0, timeout=window_seconds)
    try:
        value: int | None = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        value = 1
    return value


def _redis_incr(cache: RedisCache, key: str, window_seconds: int) -> int | None:
    # The key as django-redis names it (prefix, version), so cache.get/decr read the same
    # counter; a bare integer is what django-redis stores for ints, so they decode it too.
    full_key = cache.client.make_key(key)
    try:
        value = _count_script(cache.client.get_client(write=True))(keys=[full_key], args=[window_seconds])
    except (RedisConnectionError, RedisTimeoutError):
        if not cache._ignore_exceptions:  # django-redis's reading of IGNORE_EXCEPTIONS
            raise
        logger.warning("cache unreachable: nothing counted", exc_info=True, extra={"event": "cache_error"})
        return None
    return int(value)


@functools.cache
def _count_script(client: Redis) -> Script:
    """Run by its SHA1 (EVALSHA), loaded again by redis-py if the server forgot it."""
    return client.register_script(_COUNT)
