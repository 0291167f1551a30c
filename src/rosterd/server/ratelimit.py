"""Per-organization rate limits on the `limits` library (memory, or Redis when configured).

`limits` (with the Redis client and OpenTelemetry it loads) is imported when the first request
is counted, not at start."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.storage import Storage
    from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger("rosterd.ratelimit")

# A healthy Redis answers in well under a millisecond. Past this (to connect, or for a reply) it
# counts as down, so a black-holed Redis costs one request this long instead of hanging them all.
# redis-py built from a URL does not retry, so this is the most one attempt adds.
REDIS_TIMEOUT_SECONDS = 0.25
# After a failure the store is skipped this long; then one request tries it again.
BACKOFF_SECONDS = 5.0

Clock = Callable[[], float]


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


class Breaker:
    """Skips a failed counter store for a back-off, then lets one request at a time probe it."""

    def __init__(self, backoff: float = BACKOFF_SECONDS, clock: Clock = time.monotonic) -> None:
        self.backoff = backoff
        self._clock = clock
        self._lock = threading.Lock()  # requests run on several threads
        self._retry_at: float | None = None  # None while the store works

    def attempt(self) -> bool:
        """Whether to use the store now; a due probe pushes the next one out a back-off."""
        with self._lock:
            if self._retry_at is None:
                return True
            now = self._clock()
            if now < self._retry_at:
                return False
            self._retry_at = now + self.backoff
            return True

    def failed(self, error: Exception) -> None:
        with self._lock:
            first = self._retry_at is None
            self._retry_at = self._clock() + self.backoff
        # One warning per outage (per process), not one per request.
        level = logging.WARNING if first else logging.DEBUG
        log.log(
            level,
            "rate-limit storage unavailable (%s: %s); requests allowed without limits, "
            "next try in %gs",
            type(error).__name__,
            error,
            self.backoff,
        )

    def succeeded(self) -> None:
        with self._lock:
            recovered = self._retry_at is not None
            self._retry_at = None
        if recovered:
            log.info("rate-limit storage available again; limits enforced")


class RateLimiter:
    """Fixed windows that start with an organization's first request, as ThousandEyes documents."""

    def __init__(
        self,
        storage_uri: str,
        *,
        backoff: float = BACKOFF_SECONDS,
        clock: Clock = time.monotonic,
    ) -> None:
        self._storage_uri = storage_uri
        self._counters: tuple[Storage, FixedWindowRateLimiter] | None = None
        self._counters_lock = threading.Lock()
        self._breaker = Breaker(backoff, clock)

    def open(self) -> None:
        """Import `limits` and open the counter store now rather than on the first request."""
        self._storage_and_limiter()

    def _storage_and_limiter(self) -> tuple[Storage, FixedWindowRateLimiter]:
        if self._counters is None:
            with self._counters_lock:
                if self._counters is None:
                    self._counters = _open_counters(self._storage_uri)
        return self._counters

    def hit(self, item: RateLimitItem, *key: str) -> LimitState | None:
        """Count one request; None (allow, unlimited) while the counter store is unreachable."""
        if not self._breaker.attempt():
            return None
        _, limiter = self._storage_and_limiter()
        try:
            allowed = limiter.hit(item, *key)
            stats = limiter.get_window_stats(item, *key)
        except Exception as error:  # a down Redis must not take the API down with it
            self._breaker.failed(error)
            return None
        self._breaker.succeeded()
        return LimitState(allowed, item.amount, max(0, stats.remaining), stats.reset_time)

    def reset(self) -> None:
        storage, _ = self._storage_and_limiter()
        storage.reset()


def _open_counters(storage_uri: str) -> tuple[Storage, FixedWindowRateLimiter]:
    from limits.storage import MemoryStorage, RedisStorage
    from limits.strategies import FixedWindowRateLimiter

    storage: Storage = (
        RedisStorage(
            storage_uri,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        if storage_uri.startswith(("redis://", "rediss://"))
        else MemoryStorage()
    )
    return storage, FixedWindowRateLimiter(storage)


def per_minute(amount: int) -> RateLimitItem:
    from limits import RateLimitItemPerMinute

    return RateLimitItemPerMinute(amount)


@dataclass(frozen=True, slots=True)
class TenantLimits:
    """One request counted against Kandji's tenant limits (Kong's rate-limiting plugin): per
    hour and per second, shared by everything served on the Kandji host."""

    hour: LimitState
    second: LimitState

    def headers(self, now: float) -> dict[str, int]:
        # The generic headers describe the window closest to running out, as Kong's do.
        closest = self.hour if self.hour.remaining < self.second.remaining else self.second
        return {
            "Ratelimit-Limit": closest.limit,
            "Ratelimit-Remaining": closest.remaining,
            "Ratelimit-Reset": closest.retry_after(now),
            "X-Ratelimit-Limit-Hour": self.hour.limit,
            "X-Ratelimit-Limit-Second": self.second.limit,
            "X-Ratelimit-Remaining-Hour": self.hour.remaining,
            "X-Ratelimit-Remaining-Second": self.second.remaining,
        }

    def retry_after(self, now: float) -> int | None:
        """Seconds until every spent window has rolled over; None when none is spent."""
        spent = [s.retry_after(now) for s in (self.hour, self.second) if not s.allowed]
        return max(spent) if spent else None


def hit_kandji_tenant(
    limiter: RateLimiter, subdomain: str, *, per_hour: int, per_second: int
) -> TenantLimits | None:
    """Count one request of tenant `subdomain` on the counters the Kandji API keeps for it
    (`("kandji", subdomain)`); None while the counter store is unreachable."""
    from limits import RateLimitItemPerHour, RateLimitItemPerSecond

    key = ("kandji", subdomain)
    hour = limiter.hit(RateLimitItemPerHour(per_hour), *key)
    second = limiter.hit(RateLimitItemPerSecond(per_second), *key)
    if hour is None or second is None:
        return None
    return TenantLimits(hour, second)
