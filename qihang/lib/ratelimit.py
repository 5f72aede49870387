"""A fixed-window counter per key in the cache: `over_limit(key, limit, seconds)` counts one
hit and says whether the key has gone over `limit` in the current window; `hits(key)` reads
the count without adding to it."""

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


def hits(key: str) -> int:
    """How many hits `key` has in its current window, without counting one (0 once it ended):
    for a limit on failures, checked before the attempt and counted only when it fails."""
    return int(cache.get(f"qihang:ratelimit:{key}") or 0)
