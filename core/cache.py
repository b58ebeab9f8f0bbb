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

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY_S = 60.0


class ResilientRedisCache(RedisCache):
    _warned_at = float("-inf")

    def _unavailable(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._warned_at >= WARN_EVERY_S:
            ResilientRedisCache._warned_at = now
            logger.warning(
                "cache server unavailable (%s on %s): serving without the cache",
                type(error).__name__,
                operation,
            )

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as error:
            self._unavailable("get", error)
            return default

    def get_many(self, keys, version: int | None = None) -> dict:
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE as error:
            self._unavailable("get_many", error)
            return {}

    def has_key(self, key: str, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except UNAVAILABLE as error:
            self._unavailable("has_key", error)
            return False

    def set(self, key: str, value: Any, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("set", error)

    def set_many(self, data: dict, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("set_many", error)
            return list(data)

    def add(self, key: str, value: Any, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        """False (not stored) when the server does not answer."""
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("add", error)
            return False

    def delete(self, key: str, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except UNAVAILABLE as error:
            logger.error(
                "cache server unavailable (%s on delete): a cached value may outlive its "
                "deletion; clear the cache once the server is back",
                type(error).__name__,
            )
            return False

    def touch(self, key: str, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("touch", error)
            return False
