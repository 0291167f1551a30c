"""The retry hook: a policy looks at each failed attempt and says how long to wait, or to stop.

`RateLimitRetry` is the policy both SDKs use. It honours the server's own word on when to come
back (`Retry-After`, or rate-limit reset headers given as epoch seconds or as seconds from now),
never waits longer than `max_wait`, and keeps every kind of retry bounded.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

from rosterd_sdk_transport._response import Response

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
_SECONDS = re.compile(r"^\s*[0-9]+(\.[0-9]+)?\s*$")
_EPOCH = re.compile(r"^\s*[0-9]+\s*$")
# A request that never reached the server can be sent again whatever its method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One failed try of a request: a response the policy may retry, or a transport error."""

    method: str
    url: str
    response: Response | None
    error: httpx.TransportError | None
    history: tuple[Attempt, ...] = ()  # the earlier failed tries of the same request

    @property
    def retries_so_far(self) -> int:
        return len(self.history)


class RetryPolicy(Protocol):
    def next_delay(self, attempt: Attempt) -> float | None:
        """Seconds to wait before trying again, or None to stop (return the response / raise)."""
        ...

    def sleep(self, seconds: float) -> None: ...


def _default_sleep(seconds: float) -> None:
    time.sleep(seconds)


@dataclass(frozen=True, slots=True)
class RateLimitRetry:
    """Bounded retries for rate limits, brief unavailability and connection failures.

    - `status` retries for a response whose status is in `retry_statuses` (any method; a 429
      means the request was not processed), or in `retry_after_statuses` with a `Retry-After`
      header (idempotent methods only).
    - `connect` retries when the request never reached the server (any method), `read` retries
      when the connection failed after sending (idempotent methods only).
    - `total` caps all of them together.
    - The wait is the server's: `Retry-After` (seconds or an HTTP date), else the latest of the
      `epoch_reset_headers` (absolute Unix seconds), else the `relative_reset_headers` (seconds
      from now), else exponential backoff `backoff_factor * 2**retries_so_far`. A wait longer
      than `max_wait` is not taken: the response is returned at once instead.
    """

    total: int = 3
    connect: int | None = None
    read: int | None = None
    status: int = 1
    backoff_factor: float = 0.5
    max_wait: float = 120.0
    retry_statuses: frozenset[int] = frozenset({429})
    retry_after_statuses: frozenset[int] = frozenset({413, 503})
    epoch_reset_headers: tuple[str, ...] = ()
    relative_reset_headers: tuple[str, ...] = ()
    sleep_function: Callable[[float], None] = field(default=_default_sleep, repr=False)
    clock: Callable[[], float] = field(default=time.time, repr=False)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.sleep_function(seconds)

    def next_delay(self, attempt: Attempt) -> float | None:
        if attempt.retries_so_far >= self.total:
            return None
        if attempt.error is not None:
            return self._after_error(attempt, attempt.error)
        if attempt.response is None or not self._retryable(attempt.method, attempt.response):
            return None
        used = sum(1 for a in attempt.history if a.response is not None)
        if used >= self.status:
            return None
        wait = self.server_wait(attempt.response)
        if wait is None:
            wait = self._backoff(attempt)
        return wait if wait <= self.max_wait else None

    def server_wait(self, response: Response) -> float | None:
        """How long the server asked us to wait, in seconds, if it said so."""
        retry_after = _retry_after(response.header("retry-after"), self.clock())
        if retry_after is not None:
            return retry_after
        now = self.clock()
        epochs = [
            max(0.0, int(v) - now)
            for name in self.epoch_reset_headers
            if (v := response.header(name)) is not None and _EPOCH.match(v)
        ]
        if epochs:
            return max(epochs)
        relative = [
            float(v)
            for name in self.relative_reset_headers
            if (v := response.header(name)) is not None and _SECONDS.match(v)
        ]
        return max(relative) if relative else None

    def _retryable(self, method: str, response: Response) -> bool:
        if response.status in self.retry_statuses:
            return True
        return (
            response.status in self.retry_after_statuses
            and method.upper() in IDEMPOTENT_METHODS
            and response.header("retry-after") is not None
        )

    def _after_error(self, attempt: Attempt, error: httpx.TransportError) -> float | None:
        not_sent = isinstance(error, _NOT_SENT)
        if not not_sent and attempt.method.upper() not in IDEMPOTENT_METHODS:
            return None
        configured = self.connect if not_sent else self.read
        limit = self.total if configured is None else configured
        same_kind = sum(
            1
            for a in attempt.history
            if a.error is not None and isinstance(a.error, _NOT_SENT) == not_sent
        )
        return self._backoff(attempt) if same_kind < limit else None

    def _backoff(self, attempt: Attempt) -> float:
        return float(self.backoff_factor * 2**attempt.retries_so_far)


def _retry_after(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP date; None if unusable."""
    if value is None:
        return None
    if _SECONDS.match(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = when.timestamp() - now
    return max(0.0, math.ceil(seconds * 1000) / 1000)
