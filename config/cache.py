"""The shared cache's configuration (ADR 0033): Django's Redis backend for a cache URL."""

from __future__ import annotations

from typing import Any


def shared_cache(url: str, *, key_prefix: str) -> dict[str, Any]:
    """``CACHES["default"]`` for a Redis at ``url`` (redis://, rediss:// or unix://), every key
    starting with ``key_prefix`` (``ALLIANSSI_CACHE_PREFIX``: one per database, since the kept
    values are named by the rows' ids).

    A request waits at most a second for Redis to connect or answer: a cache that does not answer
    is an error of the request, never a request that hangs.
    """
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
