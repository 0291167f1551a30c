"""Per-organization rate limits on the `limits` library (memory, or Redis when configured)."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger("rosterd.ratelimit")


@dataclass(frozen=True, slots=True)
class LimitState:
    allowed: bool
    limit: int
    remaining: int
    reset_time: float  # epoch seconds when the window rolls over

    @property
    def reset_at(self) -> int:
        """The rollover as whole epoch seconds (never before the real one)."""
        return math.ceil(self.reset_time)

    def retry_after(self, now: float | None = None) -> int:
        return max(1, math.ceil(self.reset_time - (now if now is not None else time.time())))


class RateLimiter:
    """Fixed windows that start with an organization's first request, as ThousandEyes documents."""

    def __init__(self, storage_uri: str) -> None:
        self._storage: Storage = (
            RedisStorage(storage_uri)
            if storage_uri.startswith(("redis://", "rediss://"))
            else MemoryStorage()
        )
        self._limiter = FixedWindowRateLimiter(self._storage)

    def hit(self, item: RateLimitItem, *key: str) -> LimitState | None:
        """Count one request; None when the counter store is unreachable (fail open, logged)."""
        try:
            allowed = self._limiter.hit(item, *key)
            stats = self._limiter.get_window_stats(item, *key)
        except Exception:  # a down Redis must not take the API down with it
            log.warning("rate-limit storage unavailable; request allowed", exc_info=True)
            return None
        return LimitState(allowed, item.amount, max(0, stats.remaining), stats.reset_time)

    def reset(self) -> None:
        self._storage.reset()


def per_minute(amount: int) -> RateLimitItem:
    return RateLimitItemPerMinute(amount)
