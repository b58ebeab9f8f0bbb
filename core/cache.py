"""The cache backend of production: Django's Redis cache, where a server that does not
answer is a miss instead of an error page.

Everything Laurel keeps in the cache can be had another way: a session is written through to
the database (``cached_db``), a ranking is computed again from the reviews, a public page
rendered again. So while Redis is away (a restart, a failover) reads miss and writes are
dropped, the pages stay up and get slower, and a warning is logged (at most one a minute per
process); people can still log in and out.

A delete that fails is logged as an error every time: a session ended while the server
could not be reached (a logout, a password change) is gone from the database, but would be
found in the cache again if that same server came back with its data. So the cache's Redis
keeps nothing on disk (docker-compose.yml: ``--save "" --appendonly no``), and after a
network split, not a restart, the operators clear it (docs/operations.md).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY_S = 60.0


def _forgiving(operation: str, unavailable: Any):
    """``RedisCache.<operation>``, answering ``unavailable`` (a value, or a function of the
    call's arguments) and logging when the server does not answer."""
    method = getattr(RedisCache, operation)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNAVAILABLE as error:
            self._unavailable(operation, error)
            return unavailable(*args, **kwargs) if callable(unavailable) else unavailable

    call.__name__ = operation
    return call


class ResilientRedisCache(RedisCache):
    _warned_at = float("-inf")

    def _unavailable(self, operation: str, error: Exception) -> None:
        if operation == "delete":
            logger.error(
                "cache server unavailable (%s on delete): a cached value may outlive its "
                "deletion; clear the cache once the server is back",
                type(error).__name__,
            )
            return
        now = time.monotonic()
        if now - ResilientRedisCache._warned_at >= WARN_EVERY_S:
            ResilientRedisCache._warned_at = now
            logger.warning(
                "cache server unavailable (%s on %s): serving without the cache",
                type(error).__name__,
                operation,
            )

    # A read misses (``get`` gives its default), a write is dropped, ``add`` and ``touch``
    # say "not stored", ``set_many`` names every key as not set.
    get = _forgiving("get", lambda key, default=None, version=None: default)
    get_many = _forgiving("get_many", {})
    has_key = _forgiving("has_key", False)
    set = _forgiving("set", None)
    set_many = _forgiving("set_many", lambda data, *args, **kwargs: list(data))
    add = _forgiving("add", False)
    touch = _forgiving("touch", False)
    delete = _forgiving("delete", False)
