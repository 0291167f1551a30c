"""Kandji's rendering, checked against the plain formulas it replaces for speed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from rosterd.dialects.kandji._render import timestamp

_OFFSETS = st.integers(min_value=-23 * 60, max_value=23 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
# Wide of the ends, so that converting to UTC stays within datetime's range.
_MOMENTS = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=_OFFSETS | st.just(UTC)
)


def _isoformat(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds").removesuffix("+00:00") + "Z"


@given(_MOMENTS)
def test_a_timestamp_is_the_utc_isoformat_with_microseconds(value: datetime) -> None:
    assert timestamp(value) == _isoformat(value)


def test_timestamps_of_whole_seconds_and_early_years_keep_every_digit() -> None:
    assert timestamp(datetime(2024, 9, 6, 21, 0, 4, tzinfo=UTC)) == "2024-09-06T21:00:04.000000Z"
    assert timestamp(datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC)) == "0999-01-02T03:04:05.000006Z"
    east = timezone(timedelta(hours=2))
    assert timestamp(datetime(2024, 1, 1, 1, 0, tzinfo=east)) == "2023-12-31T23:00:00.000000Z"
