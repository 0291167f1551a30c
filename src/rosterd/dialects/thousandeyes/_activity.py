"""The query of `GET /audit-user-events`: its time range (`window`, or `startDate`/`endDate`)
and its paging cursor, as the vendor documents them."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final
from urllib.parse import urlencode

from rosterd.core.audit_log import ActivityQuery
from rosterd.core.clock import utcnow
from rosterd.core.entities import AuditEvent
from rosterd.core.errors import FieldError, Invalid

WINDOW_PATTERN: Final = r"^\d+[smhdw]?$"
EVENTS_PER_PAGE: Final = 100
_UNITS: Final = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class TimeRange:
    start: datetime | None
    end: datetime | None


def time_range(
    window: str | None, start: datetime | None, end: datetime | None, now: datetime | None = None
) -> TimeRange:
    """The range asked for: a window up to now, or from `start` (up to `end`, else now), or up
    to `end`; nothing given, the whole log."""
    if window is not None and (start is not None or end is not None):
        raise _invalid("window", "CONFLICT", "window cannot be used with startDate or endDate")
    now = now or utcnow()
    if window is not None:
        return TimeRange(now - _duration(window, now), now)
    start, end = _utc(start), _utc(end)
    if start is not None and end is not None and start > end:
        raise _invalid("startDate", "INVALID", "startDate must not be after endDate")
    if start is not None and end is None:
        end = max(start, now)  # a range that starts later than now is empty, not an error
    return TimeRange(start, end)


def _duration(window: str, now: datetime) -> timedelta:
    match = re.fullmatch(WINDOW_PATTERN, window)
    if match is None:
        raise _invalid("window", "INVALID", "window is a number and an optional unit: s m h d w")
    number, unit = (window[:-1], window[-1]) if window[-1] in _UNITS else (window, "s")
    try:
        duration = timedelta(**{_UNITS[unit]: int(number)})
    except OverflowError:
        duration = timedelta.max
    # A window longer than the clock has run reaches back to the epoch, no further.
    return min(duration, now - _EPOCH)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def encode_cursor(event: AuditEvent) -> str:
    raw = f"{event.occurred_at.isoformat()}|{event.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        occurred_at, event_id = raw.split("|")
        when = datetime.fromisoformat(occurred_at)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _invalid("cursor", "INVALID", "cursor is not one this server gave") from None
    if when.tzinfo is None or not event_id:
        raise _invalid("cursor", "INVALID", "cursor is not one this server gave")
    return when, event_id


def activity_query(
    *, aid: str | None, all_permitted: bool, period: TimeRange, cursor: str | None
) -> ActivityQuery:
    return ActivityQuery(
        aid=aid,
        all_permitted_account_groups=all_permitted,
        start=period.start,
        end=period.end,
        after=decode_cursor(cursor) if cursor is not None else None,
        limit=EVENTS_PER_PAGE,
    )


def next_query(query: ActivityQuery, last: AuditEvent) -> str:
    """The query string of the page after `last`: the range fixed as resolved for the first
    page (a window does not slide between pages), and the cursor."""
    params: dict[str, str] = {}
    if query.aid is not None:
        params["aid"] = query.aid
    if query.all_permitted_account_groups:
        params["useAllPermittedAids"] = "true"
    if query.start is not None:
        params["startDate"] = _iso(query.start)
    if query.end is not None:
        params["endDate"] = _iso(query.end)
    params["cursor"] = encode_cursor(last)
    return urlencode(params)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _invalid(field: str, code: str, message: str) -> Invalid:
    return Invalid(
        "Your request object contains invalid fields.", [FieldError(field, code, message)]
    )
