"""The parts of a user import that need no database: the duplicate check in small memory, the
spill the import reads back, the ids of bulk writes and the JSON text of bulk audit events."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from functools import reduce
from operator import and_, or_
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ulid import ULID

from rosterd.core import directory_sync
from rosterd.core.bulk_ids import new_time_ordered_uuids, new_ulids
from rosterd.core.directory_sync import (
    DirectoryRecord,
    check_records,
    checked_record,
    fast_email_key,
    parse_record,
)
from rosterd.core.errors import Invalid
from rosterd.core.import_files import Spill
from rosterd.core.validation import email_key
from rosterd.storage._bulk import json_text


def records(*rows: tuple[str, str | None]) -> list[DirectoryRecord]:
    return [DirectoryRecord(email=email, external_id=external_id) for email, external_id in rows]


FILE = records(
    ("ana@acme.test", "e-1"),
    ("bo@acme.test", "e-2"),
    ("ANA@acme.test", "e-3"),  # Ana's email again, in other letter case
    ("cy@acme.test", "e-2"),  # Bo's external id again
    ("dee@acme.test", None),
    ("Ana@Acme.test", "e-1"),  # both again
)
EXPECTED = [
    ("record 3: email", "DUPLICATE", "ANA@acme.test is listed twice"),
    ("record 4: external_id", "DUPLICATE", "external id e-2 is listed twice"),
    ("record 6: email", "DUPLICATE", "Ana@Acme.test is listed twice"),
    ("record 6: external_id", "DUPLICATE", "external id e-1 is listed twice"),
]


def problems(rows: list[DirectoryRecord]) -> list[tuple[str, str, str]]:
    with pytest.raises(Invalid) as refused:
        check_records(lambda: rows)
    assert refused.value.message == "The file lists people twice"
    return [(p.field, p.code, p.message) for p in refused.value.errors]


def test_check_records_names_every_repeat_in_file_order() -> None:
    assert problems(FILE) == EXPECTED
    assert check_records(lambda: FILE[:2] + FILE[4:5]) == 3


def test_colliding_hashes_are_told_apart_by_the_keys_themselves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every key hashes alike: the check must compare the keys, and find only the real repeats.
    monkeypatch.setattr(directory_sync, "hash", lambda _: 42, raising=False)

    assert problems(FILE) == EXPECTED
    assert check_records(lambda: FILE[:2] + FILE[4:5]) == 3


def test_check_records_reports_at_most_twenty_problems() -> None:
    rows = records(*[("same@acme.test", None)] * 30)
    assert len(problems(rows)) == directory_sync.MAX_REPORTED_PROBLEMS


def test_a_spill_gives_back_what_its_first_pass_saw(tmp_path: Path) -> None:
    source = tmp_path / "people.txt"
    source.write_text("".join(f"p{i}@acme.test\n" for i in range(2500)))
    reads = 0

    def parsed() -> list[DirectoryRecord]:
        nonlocal reads
        reads += 1
        return [DirectoryRecord(email=line) for line in source.read_text().split()]

    with Spill(DirectoryRecord._make) as spill:
        passes = spill.passes(parsed)
        first = list(passes())
        source.write_text("changed@acme.test\n")  # the file changes after the check
        second, third = list(passes()), list(passes())

    assert reads == 1
    assert first == second == third
    assert len(first) == 2500
    assert first[1234] == DirectoryRecord(email="p1234@acme.test")


def test_an_empty_spill_is_empty() -> None:
    with Spill(DirectoryRecord._make) as spill:
        passes = spill.passes(list)
        assert list(passes()) == []
        assert list(passes()) == []


@pytest.mark.parametrize("count", [1, 3, 1000])
def test_bulk_event_ids_are_increasing_ulids_of_their_time(count: int) -> None:
    when = datetime(2026, 12, 1, 12, 30, 45, 678901, tzinfo=UTC)

    ids = new_ulids(when, count)

    assert len(ids) == count
    assert ids == sorted(ids)
    assert len(set(ids)) == count
    parsed: list[Any] = [ULID.from_str(i) for i in ids]
    assert [str(u) for u in parsed] == ids  # canonical Crockford base32, as python-ulid writes
    assert {u.milliseconds for u in parsed} == {int(when.timestamp() * 1000)}
    randomness = [int.from_bytes(u.bytes[6:], "big") for u in parsed]
    assert randomness == list(range(randomness[0], randomness[0] + count))


def test_new_users_get_canonical_time_ordered_uuids() -> None:
    """Version 7 (RFC 9562): the millisecond they were made, then random bits; increasing in the
    list and from one call to the next."""
    before = time.time_ns() // 1_000_000
    ids = new_time_ordered_uuids(2000)
    later = new_time_ordered_uuids(3)
    after = time.time_ns() // 1_000_000

    parsed = [uuid.UUID(i) for i in ids]
    assert [str(u) for u in parsed] == ids  # canonical text, as str(uuid.UUID(...)) writes it
    assert {u.version for u in parsed} == {7}
    assert {u.variant for u in parsed} == {uuid.RFC_4122}
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert max(ids) < min(later)
    assert all(before <= u.int >> 80 <= after for u in parsed)  # 48 bits of Unix milliseconds
    # The 62 bits after the variant are random: each takes both values across 2,000 ids.
    tails = [u.int & (2**62 - 1) for u in parsed]
    assert reduce(or_, tails) == 2**62 - 1
    assert reduce(and_, tails) == 0


STATES: list[dict[str, Any] | None] = [
    None,
    {},
    {"archived": True},
    {
        "email": 'Jos\u00e9."quoted"\\back@acme.test',
        "name": "\u00c5sa \u00d6berg \U0001f600 \u2028",
        "department": "",
        "job_title": "R&D <Lab>\ttab",
        "active": False,
        "external_id": None,
    },
    {"count": 3, "ratio": 0.5, "nested": {"a": [1, "b"]}, "flag": True},  # json.dumps itself
]


@pytest.mark.parametrize("state", STATES)
def test_bulk_audit_states_are_written_as_json_dumps_writes_them(
    state: dict[str, Any] | None,
) -> None:
    assert json_text(state) == (None if state is None else json.dumps(state))


_TEXT_VALUES = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.sampled_from(["ana@acme.test", " Bo@Acme.test ", "jos\u00e9@acme.test", "x" * 256]),
    st.sampled_from(["true", " No ", "maybe", "", "  "]),
    st.integers(),
    st.booleans(),
)
ROWS = st.dictionaries(
    st.sampled_from(["email", "name", "department", "job_title", "external_id", "active"]),
    _TEXT_VALUES,
)


def _outcome(parse: Any, row: dict[str, Any]) -> Any:
    try:
        return parse(row, "line 7")
    except Invalid as refused:
        return refused.message, [(p.field, p.code, p.message) for p in refused.errors]


@given(ROWS)
@settings(max_examples=500)
def test_the_fast_parse_takes_and_refuses_exactly_what_the_checked_one_does(
    row: dict[str, Any],
) -> None:
    assert _outcome(parse_record, row) == _outcome(checked_record, row)


@given(st.text(max_size=12))
def test_fast_email_keys_are_email_keys(email: str) -> None:
    assert fast_email_key(email) == email_key(email)
