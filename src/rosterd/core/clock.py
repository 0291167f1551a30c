"""Time as the directory records it: timezone-aware UTC, microsecond precision.

The clock may be stopped (`freeze`) by rosterd's control plane, so that a test double writes
the same timestamps on every run; it is the process's one clock, as the control plane runs in
one process. Rate-limit windows keep real time.
"""

from __future__ import annotations

from datetime import UTC, datetime

_frozen: datetime | None = None


def utcnow() -> datetime:
    frozen = _frozen
    return frozen if frozen is not None else datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Stop the clock at `at` (a naive time is taken as UTC), or let it run again (None)."""
    global _frozen  # noqa: PLW0603 - the process's one clock
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    _frozen = at.astimezone(UTC) if at is not None else None


def is_frozen() -> bool:
    return _frozen is not None
