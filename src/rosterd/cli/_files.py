"""Import files: JSON lines (one object per line) or CSV with a header row; spilling what a
first pass over one checked."""

from __future__ import annotations

import csv
import json
import marshal
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from rosterd.core.errors import FieldError, Invalid

T = TypeVar("T")
_SPILL_CHUNK: Final = 1000  # items per marshal record
_LENGTH: Final = struct.Struct("<Q")  # of a marshal record


def read_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, row) for each record; CSV when the name ends in .csv, JSON lines otherwise."""
    if path.suffix.lower() == ".csv":
        yield from _csv_rows(path)
    else:
        yield from _json_rows(path)


def _csv_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            where = f"line {reader.line_num}"
            if None in row:
                raise Invalid(
                    f"Invalid record at {where}",
                    [FieldError(where, "EXTRA_COLUMNS", "the row has more values than columns")],
                )
            # An empty cell means "not given", as an absent key does in JSON lines.
            yield where, {k.strip(): v for k, v in row.items() if v is not None and v != ""}


def _json_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                row = json.loads(line)
            except (ValueError, RecursionError) as exc:
                raise Invalid(
                    f"Invalid record at {where}",
                    [FieldError(where, "INVALID_JSON", f"not a JSON object: {exc}")],
                ) from exc
            if not isinstance(row, dict):
                raise Invalid(
                    f"Invalid record at {where}",
                    [FieldError(where, "INVALID_JSON", "each line must be one JSON object")],
                )
            yield where, row


class Spill(Generic[T]):
    """Tuples kept in a temporary file by a first pass over them, for the passes after it.

    An import checks the whole file, then writes: the second pass reads back exactly what the
    first one checked (even if the file changes meanwhile), at marshal's speed rather than the
    parser's, without holding the file in memory. The file has no name (deleted when closed,
    or when the process dies) and takes about as much room in $TMPDIR as the input.
    """

    def __init__(self, make: Callable[[Iterable[Any]], T]) -> None:
        self._make = make  # a tuple of values back into an item, e.g. a NamedTuple's `_make`
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by __exit__
        self._complete = False

    def __enter__(self) -> Spill[T]:
        return self

    def __exit__(self, *_: object) -> None:
        self._file.close()

    def passes(self, first: Callable[[], Iterable[T]]) -> Callable[[], Iterator[T]]:
        """The items as often as asked for: from `first()` the first time (kept as they
        pass), from the spill afterwards."""
        return lambda: self._replay() if self._complete else self._keep(first())

    def _keep(self, items: Iterable[T]) -> Iterator[T]:
        self._file.seek(0)
        self._file.truncate()
        chunk: list[Any] = []
        for item in items:
            chunk.append(tuple(item))  # type: ignore[arg-type]  # items are tuples
            if len(chunk) == _SPILL_CHUNK:
                self._write(chunk)
                chunk = []
            yield item
        self._write(chunk)  # the last one, or an empty one: the end
        if chunk:
            self._write([])
        self._complete = True

    def _write(self, chunk: list[Any]) -> None:
        # Length-prefixed: marshal.load reads a file in many small pieces, loads a block at once.
        blob = marshal.dumps(chunk)
        self._file.write(_LENGTH.pack(len(blob)))
        self._file.write(blob)

    def _replay(self) -> Iterator[T]:
        self._file.seek(0)
        make = self._make
        while True:
            (length,) = _LENGTH.unpack(self._file.read(_LENGTH.size))
            chunk = marshal.loads(self._file.read(length))  # noqa: S302 - our own file, unnamed
            if not chunk:
                return
            for values in chunk:
                yield make(values)
