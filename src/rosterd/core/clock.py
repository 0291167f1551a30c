"""Time as the directory records it: timezone-aware UTC, microsecond precision."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
