"""Per-organization rate limits: fixed windows counted in the process, or in Redis (through the
`limits` library) when configured, so that every worker and host shares them.

`limits` (with the Redis client and OpenTelemetry it loads) is imported when the first request
is counted, not at start."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.storage import Storage
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


class Windows(Protocol):
    """Where the windows are counted: `hit` counts one request, `reset` forgets every window."""

    def hit(self, item: RateLimitItem, *key: str) -> LimitState: ...

    def reset(self) -> None: ...


# Ended windows are dropped every this many counts, so memory stays bounded by the keys in use.
SWEEP_EVERY = 4096


@dataclass(slots=True)
class _Window:
    count: int
    end: float  # epoch seconds


class LocalWindows:
    """Fixed windows counted in this process, each starting with its key's first request.

    Counted as `limits` counts them (a refused request counts too; the window ends its expiry
    after its first request), without `limits`' MemoryStorage: that one starts a timer thread to
    expire its counters whenever none is running, so at a directory's usual rates (a few
    requests a second) every request started a thread, ~0.7 ms of CPU, more than the request
    itself (docs/performance.md). Here an ended window is replaced when its key is next counted.
    """

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()  # requests run on several threads
        self._windows: dict[str, _Window] = {}
        self._counted = 0

    def hit(self, item: RateLimitItem, *key: str) -> LimitState:
        name = item.key_for(*key)
        now = self._clock()
        with self._lock:
            window = self._windows.get(name)
            if window is None or window.end <= now:
                window = self._windows[name] = _Window(0, now + item.get_expiry())
            window.count += 1
            count, end = window.count, window.end
            self._counted += 1
            if self._counted % SWEEP_EVERY == 0:
                self._drop_ended(now)
        return LimitState(count <= item.amount, item.amount, max(0, item.amount - count), end)

    def _drop_ended(self, now: float) -> None:
        for name in [name for name, window in self._windows.items() if window.end <= now]:
            del self._windows[name]

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


class SharedWindows:
    """Fixed windows counted in Redis by `limits`, shared by every worker and host."""

    def __init__(self, storage_uri: str) -> None:
        from limits.storage import RedisStorage
        from limits.strategies import FixedWindowRateLimiter

        self._storage: Storage = RedisStorage(
            storage_uri,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._limiter = FixedWindowRateLimiter(self._storage)

    def hit(self, item: RateLimitItem, *key: str) -> LimitState:
        allowed = self._limiter.hit(item, *key)
        stats = self._limiter.get_window_stats(item, *key)
        return LimitState(allowed, item.amount, max(0, stats.remaining), stats.reset_time)

    def reset(self) -> None:
        self._storage.reset()


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
        self._windows: Windows | None = None
        self._windows_lock = threading.Lock()
        self._breaker = Breaker(backoff, clock)

    def open(self) -> None:
        """Import `limits` and open the counter store now rather than on the first request."""
        self._opened()

    def _opened(self) -> Windows:
        if self._windows is None:
            with self._windows_lock:
                if self._windows is None:
                    self._windows = _open_windows(self._storage_uri)
        return self._windows

    def hit(self, item: RateLimitItem, *key: str) -> LimitState | None:
        """Count one request; None (allow, unlimited) while the counter store is unreachable."""
        if not self._breaker.attempt():
            return None
        windows = self._opened()
        try:
            state = windows.hit(item, *key)
        except Exception as error:  # a down Redis must not take the API down with it
            self._breaker.failed(error)
            return None
        self._breaker.succeeded()
        return state

    def reset(self) -> None:
        self._opened().reset()


def _open_windows(storage_uri: str) -> Windows:
    if storage_uri.startswith(("redis://", "rediss://")):
        return SharedWindows(storage_uri)
    import limits  # noqa: F401  # the limits' items come from it: loaded now, not by a request

    return LocalWindows()


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
