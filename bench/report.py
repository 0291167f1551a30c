"""The rounds' samples as a table and as JSON: min, median and max of each row and its ratio."""

from __future__ import annotations

import json
import os
import platform
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.paths import Target


@dataclass
class Row:
    """One measured thing, one value per round."""

    key: str
    label: str
    unit: str  # "req/s", or "s" for startup times
    baseline: str | None = None  # the key of the row each round's value is divided by
    target: Target | None = None
    values: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    socket_errors: int = 0


def spread(values: list[float]) -> dict[str, Any]:
    return {
        "values": [round(v, 4) for v in values],
        "min": round(min(values), 4),
        "median": round(statistics.median(values), 4),
        "max": round(max(values), 4),
    }


def ratios(row: Row, rows: dict[str, Row]) -> list[float]:
    """Each round's value over the baseline's value in the same round."""
    if row.baseline is None:
        return []
    base = rows[row.baseline].values
    return [v / b for v, b in zip(row.values, base, strict=True)]


def meets(target: Target, ratio: float, p99_ms: float | None) -> bool:
    return (
        (target.min_ratio is None or ratio >= target.min_ratio)
        and (target.max_ratio is None or ratio <= target.max_ratio)
        and (target.max_p99_ms is None or (p99_ms is not None and p99_ms <= target.max_p99_ms))
    )


def row_json(row: Row, rows: dict[str, Row]) -> dict[str, Any]:
    ratio = ratios(row, rows)
    value: dict[str, Any] = {"key": row.key, "label": row.label, "unit": row.unit}
    value |= spread(row.values)
    value["ratio"] = {"to": row.baseline, **spread(ratio)} if ratio else None
    value["p99_ms"] = spread(row.p99_ms) if row.p99_ms else None
    value["socket_errors"] = row.socket_errors
    value["target"] = row.target.text if row.target else None
    value["meets"] = (
        meets(row.target, value["ratio"]["median"], value["p99_ms"] and value["p99_ms"]["median"])
        if row.target and ratio
        else None
    )
    return value


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages: how busy the machine was besides the benchmark."""
    return [round(n, 2) for n in os.getloadavg()]


def machine(load_at_start: list[float]) -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": load_at_start,
        "load_average_at_end": load_average(),
    }


def document(
    rows: list[Row], skipped: dict[str, str], config: dict[str, Any], load_at_start: list[float]
) -> dict[str, Any]:
    by_key = {row.key: row for row in rows}
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(load_at_start),
        "config": config,
        "rows": [row_json(row, by_key) for row in rows],
        "skipped": [{"key": key, "reason": reason} for key, reason in skipped.items()],
    }


def _number(value: float, unit: str) -> str:
    return f"{value * 1000:.0f} ms" if unit == "s" else f"{value:,.0f}"


def _triple(stats: dict[str, Any] | None, fmt: str) -> str:
    if not stats:
        return ""
    return " / ".join(format(stats[k], fmt) for k in ("min", "median", "max"))


def table(doc: dict[str, Any]) -> str:
    """A plain-text table; the ratio column is per round, against the baseline of that round."""
    header = ("row", "unit", "min / median / max", "ratio (min / med / max)", "p99 ms", "target")
    lines = [header]
    for row in doc["rows"]:
        values = " / ".join(_number(row[k], row["unit"]) for k in ("min", "median", "max"))
        ratio = row["ratio"]
        ratio_text = f"{_triple(ratio, '.3f')} x {ratio['to']}" if ratio else ""
        met = {True: " (met)", False: " (NOT met)", None: ""}[row["meets"]]
        target = f"{row['target']}{met}" if row["target"] else ""
        lines.append(
            (row["label"], row["unit"], values, ratio_text, _triple(row["p99_ms"], ".1f"), target)
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines
    ]
    text.insert(1, "  ".join("-" * w for w in widths))
    text += [f"skipped {s['key']}: {s['reason']}" for s in doc["skipped"]]
    return "\n".join(line.rstrip() for line in text)


def write_json(doc: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
