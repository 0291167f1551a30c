"""The default retry policy: the official SDK's 429 handling, bounded in time as well."""

from __future__ import annotations

from dataclasses import dataclass

from rosterd_sdk_transport import RateLimitRetry

RATE_LIMIT_RESET_HEADERS = ("x-organization-rate-limit-reset", "x-instant-test-rate-limit-reset")


@dataclass(frozen=True, slots=True)
class ThousandEyesRetry(RateLimitRetry):
    """Retry a 429 once (any method), waiting as long as the server says.

    The wait is `Retry-After` (seconds or an HTTP date) if present, else the later of
    `X-Organization-Rate-Limit-Reset` and `X-Instant-Test-Rate-Limit-Reset`, read as absolute
    Unix epoch seconds (as ThousandEyes sends them), else `backoff_factor * 2**n` seconds.
    Unlike the official SDK, a wait beyond `max_wait` seconds is not slept through: the
    `TooManyRequestsException` is raised at once. A 413/503 with `Retry-After` on an
    idempotent method is retried the same way; connection failures up to `total` times.
    Pass `ThousandEyesRetry(total=0)` (or `retries=0` to `Configuration`) to never retry.
    """

    epoch_reset_headers: tuple[str, ...] = RATE_LIMIT_RESET_HEADERS
