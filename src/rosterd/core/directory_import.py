"""Reading a directory file for an import: every row parsed and the whole file checked
(people listed twice) before anything is written, for `rosterd users import` and the console's
import alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rosterd.core.directory_sync import DirectoryRecord, check_records, parse_record
from rosterd.core.import_files import Format, Places, Spill, read_rows


@dataclass(frozen=True, slots=True)
class DirectoryFile:
    """A checked file's records, read afresh (from the spill) each time `records` is called."""

    records: Callable[[], Iterator[DirectoryRecord]]
    total: int


@contextmanager
def checked_directory_file(path: Path, *, format: Format | None) -> Iterator[DirectoryFile]:
    """The file's records once every row is parsed and the whole file checked; an `Invalid`
    names the first broken row (or each person listed twice) by its line."""
    places = Places()

    def parsed() -> Iterator[DirectoryRecord]:
        for where, row in read_rows(path, format=format, columns=DirectoryRecord._fields):
            places.add(where)
            yield parse_record(row, where)

    with Spill(DirectoryRecord._make) as spill:
        records = spill.passes(parsed)
        total = check_records(records, places.of)
        yield DirectoryFile(records, total)
