"""Import files: JSON lines (one object per line) or CSV with a header row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rosterd.core.errors import FieldError, Invalid


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
