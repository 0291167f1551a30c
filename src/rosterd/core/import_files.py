"""Import files: CSV with a header row, JSON lines (one object a line) or one JSON array of
objects; spilling what a first pass over one checked. The CLI's imports and the console's
read files with these."""

from __future__ import annotations

import csv
import json
import marshal
import struct
import tempfile
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import Any, Final, Generic, Literal, TypeVar, get_args

from rosterd.core.errors import FieldError, Invalid

T = TypeVar("T")
Format = Literal["csv", "jsonl", "json"]
FORMATS: Final[tuple[str, ...]] = get_args(Format)
_SPILL_CHUNK: Final = 1000  # items per marshal record
_LENGTH: Final = struct.Struct("<Q")  # of a marshal record
_SNIFF_SIZE: Final = 4096  # characters read to tell a file's format


def read_rows(
    path: Path, *, format: Format | None, columns: Collection[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, row) for each record of the file, in `format` or the one its content shows;
    `columns` are the names a row may have (CSV headers in any letter case), any other is an
    error naming it."""
    accepted = tuple(columns)
    rows = {"csv": _csv_rows, "jsonl": _json_lines, "json": _json_document}[
        format or sniff_format(path)
    ]
    try:
        yield from rows(path, accepted)
    except UnicodeDecodeError as exc:
        raise _not_text(path, exc) from None


def sniff_format(path: Path) -> Format:
    """The format the file's first character shows: `[` one JSON array, `{` JSON lines,
    anything else a CSV header (an empty file: JSON lines, no records)."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            start = handle.read(_SNIFF_SIZE).lstrip()
    except UnicodeDecodeError as exc:
        raise _not_text(path, exc) from None
    if not start or start[0] == "{":
        return "jsonl"
    return "json" if start[0] == "[" else "csv"


def _not_text(path: Path, exc: UnicodeDecodeError) -> Invalid:
    return Invalid(f"{path.name} is not UTF-8 text (byte {exc.start} cannot be read)")


def _unknown(where: str, kind: str, names: Iterable[str], accepted: tuple[str, ...]) -> Invalid:
    listed = [repr(n) for n in names]
    unknown = f"unknown {kind}{'s' if len(listed) > 1 else ''} {', '.join(listed)}"
    return Invalid(
        f"Unknown {kind} at {where}",
        [FieldError(where, "UNKNOWN_COLUMN", f"{unknown}; the {kind}s are: {', '.join(accepted)}")],
    )


def _csv_rows(path: Path, accepted: tuple[str, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        reader.fieldnames = _csv_header(list(reader.fieldnames or ()), accepted)
        for row in reader:
            where = f"line {reader.line_num}"
            if None in row:
                raise Invalid(
                    f"Invalid record at {where}",
                    [FieldError(where, "EXTRA_COLUMNS", "the row has more values than columns")],
                )
            # An empty cell means "not given", as an absent key does in JSON lines.
            yield where, {k: v for k, v in row.items() if v is not None and v != ""}


def _csv_header(header: list[str], accepted: tuple[str, ...]) -> list[str]:
    """The header's names as `accepted` spells them (any letter case, spaces around them)."""
    names = [name.strip().lower() for name in header]
    unknown = [given for given, name in zip(header, names, strict=True) if name not in accepted]
    if unknown:
        raise _unknown("line 1", "column", unknown, accepted)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise Invalid(
            "Repeated column at line 1",
            [FieldError("line 1", "REPEATED_COLUMN", f"column {repeated[0]!r} is given twice")],
        )
    return names


def _json_lines(path: Path, accepted: tuple[str, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    keys = frozenset(accepted)
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
            yield where, _json_row(row, where, keys, accepted)


def _json_document(path: Path, accepted: tuple[str, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    """One JSON array of objects, read whole (JSON lines stream, for files of any size)."""
    with path.open(encoding="utf-8-sig") as handle:
        try:
            document = json.load(handle)
        except (ValueError, RecursionError) as exc:
            raise Invalid(
                "Invalid JSON document",
                [FieldError("the file", "INVALID_JSON", f"not a JSON document: {exc}")],
            ) from exc
    if not isinstance(document, list):
        raise Invalid(
            "Invalid JSON document",
            [FieldError("the file", "INVALID_JSON", "the document must be an array of objects")],
        )
    keys = frozenset(accepted)
    for number, row in enumerate(document, start=1):
        where = f"record {number}"
        yield where, _json_row(row, where, keys, accepted)


def _json_row(
    row: Any, where: str, keys: frozenset[str], accepted: tuple[str, ...]
) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise Invalid(
            f"Invalid record at {where}",
            [FieldError(where, "INVALID_JSON", "each record must be one JSON object")],
        )
    if not row.keys() <= keys:
        raise _unknown(where, "field", sorted(row.keys() - keys), accepted)
    return row


class Places:
    """Where each record of a file is (`line 4`), kept as it is read, 8 bytes a record: to name
    a record found wrong in a later pass (a person listed twice)."""

    def __init__(self) -> None:
        self._numbers = array("q")
        self._unit = "record"

    def add(self, where: str) -> None:
        unit, _, number = where.partition(" ")
        self._unit = unit
        self._numbers.append(int(number))

    def of(self, count: int) -> str:
        """The place of the `count`-th record (from 1)."""
        return f"{self._unit} {self._numbers[count - 1]}"


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
