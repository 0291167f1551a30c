"""The passes of a user import that need no database: the duplicate check in small memory, the
spill the import reads back, and the ids of bulk audit events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ulid import ULID

from rosterd.cli._files import Spill
from rosterd.core import directory_sync
from rosterd.core.audit import ulids
from rosterd.core.directory_sync import DirectoryRecord, astuple_record, check_records
from rosterd.core.errors import Invalid


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

    with Spill(astuple_record, DirectoryRecord) as spill:
        passes = spill.passes(parsed)
        first = list(passes())
        source.write_text("changed@acme.test\n")  # the file changes after the check
        second, third = list(passes()), list(passes())

    assert reads == 1
    assert first == second == third
    assert len(first) == 2500
    assert first[1234] == DirectoryRecord(email="p1234@acme.test")


def test_an_empty_spill_is_empty() -> None:
    with Spill(astuple_record, DirectoryRecord) as spill:
        passes = spill.passes(list)
        assert list(passes()) == []
        assert list(passes()) == []


@pytest.mark.parametrize("count", [1, 3, 1000])
def test_bulk_event_ids_are_increasing_ulids_of_their_time(count: int) -> None:
    when = datetime(2026, 12, 1, 12, 30, 45, 678901, tzinfo=UTC)

    ids = ulids(when, count)

    assert len(ids) == count
    assert ids == sorted(ids)
    assert len(set(ids)) == count
    parsed: list[Any] = [ULID.from_str(i) for i in ids]
    assert [str(u) for u in parsed] == ids  # canonical Crockford base32, as python-ulid writes
    assert {u.milliseconds for u in parsed} == {int(when.timestamp() * 1000)}
    randomness = [int.from_bytes(u.bytes[6:], "big") for u in parsed]
    assert randomness == list(range(randomness[0], randomness[0] + count))
