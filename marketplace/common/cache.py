"""A small shared cache for results that are slow to compute and keyed by what they depend on.

Redis when the site has it (every web process then shares one copy), else a few entries in
this process (embedded mode runs one). A cache that cannot be reached is a miss, never an error.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Protocol

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
PREFIX = "opportunita:cache:"


class Cache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl_s: int) -> None: ...


class RedisCache:
    def __init__(self, url: str) -> None:
        self.redis = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)

    def get(self, key: str) -> bytes | None:
        try:
            return self.redis.get(PREFIX + key)
        except RedisError:
            log.warning("cache read failed; computing instead", exc_info=True)
            return None

    def set(self, key: str, value: bytes, ttl_s: int) -> None:
        try:
            self.redis.set(PREFIX + key, value, ex=ttl_s)
        except RedisError:
            log.warning("cache write failed", exc_info=True)


class MemoryCache:
    """The newest few entries of this process, each until its time is up."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        found = self.entries.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def set(self, key: str, value: bytes, ttl_s: int) -> None:
        self.entries[key] = (time.monotonic() + ttl_s, value)
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


def build_cache(redis_url: str | None) -> Cache:
    return RedisCache(redis_url) if redis_url else MemoryCache()
