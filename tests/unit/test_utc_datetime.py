"""UTCDateTime's SQLite result processor: the values SQLAlchemy's own parse and
`process_result_value` return, made in one step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import TypeDecorator
from sqlalchemy.dialects import sqlite

from rosterd.storage._types import UTCDateTime

DIALECT = sqlite.dialect()  # type: ignore[no-untyped-call]
SQLITE_TYPE = UTCDateTime().dialect_impl(DIALECT)  # as a statement's result uses it
FAST = SQLITE_TYPE.result_processor(DIALECT, None)
CHAINED = TypeDecorator.result_processor(SQLITE_TYPE, DIALECT, None)  # SQLAlchemy's, then ours


def _stored(value: datetime) -> str:
    bind = SQLITE_TYPE.bind_processor(DIALECT)
    assert bind is not None
    return str(bind(value))


@given(st.datetimes(timezones=st.just(UTC)))
def test_every_stored_value_reads_back_as_sqlalchemy_reads_it(value: datetime) -> None:
    assert FAST is not None
    assert CHAINED is not None
    text = _stored(value)
    fast = FAST(text)
    assert fast == CHAINED(text) == value
    assert fast is not None
    assert fast.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    ["2026-12-03 16:26:00", "2026-12-03 16:26:00.5", "2026-12-03 16:26:00.000001", None],
)
def test_text_written_without_rosterd_reads_as_before(text: str | None) -> None:
    assert FAST is not None
    assert CHAINED is not None
    assert FAST(text) == CHAINED(text)


def test_text_with_an_offset_of_its_own_is_read_in_utc() -> None:
    assert FAST is not None
    value = FAST("2026-12-03 18:26:00+02:00")
    assert value == datetime(2026, 12, 3, 16, 26, tzinfo=UTC)
    assert value is not None
    assert value.utcoffset() == timedelta(0)
