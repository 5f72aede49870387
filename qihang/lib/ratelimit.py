"""A fixed-window counter per key in the cache: `over_limit(key, limit, seconds)` counts one
hit and says whether the key has gone over `limit` in the current window."""

from __future__ import annotations

from django.core.cache import cache


def over_limit(key: str, *, limit: int, seconds: int) -> bool:
    key = f"qihang:ratelimit:{key}"
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count > limit
