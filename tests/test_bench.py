"""The benchmark (`python -m bench`, docs/performance.md) still runs and measures every row.

This checks the instrument, not its numbers: one very short round on a small directory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
ROSTERD_ROWS = [
    "sqlite.v7_get_user",
    "sqlite.kandji_get_user",
    "sqlite.scim_get_user",
    "sqlite.kandji_list_users",
    "sqlite.v7_post_user",
    "sqlite.startup",
]
PRISM_ROWS = ["prism.get_user", "sqlite.v7_get_user_vs_prism"]


def python_m(module: str, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """`python -m MODULE ARGS` from the checkout; the timeout only stops a hung run."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.skipif(
    shutil.which("wrk") is None,
    reason="the benchmark measures with wrk, which is not installed (apt-get install -y wrk)",
)
def test_smoke_run_measures_every_row(tmp_path: Path) -> None:
    output = tmp_path / "bench.json"

    result = python_m("bench", "--smoke", "--json", str(output), timeout=900)

    assert result.returncode == 0, result.stderr
    doc = json.loads(output.read_text())
    with_prism = shutil.which("prism") is not None
    expected = ["hello", *ROSTERD_ROWS, "startup.hello", *(PRISM_ROWS if with_prism else [])]
    assert sorted(row["key"] for row in doc["rows"]) == sorted(expected)
    skipped = [s["key"] for s in doc["skipped"]]
    assert skipped == ([] if with_prism else ["prism.get_user"])
    assert doc["config"]["smoke"] is True
    for row in doc["rows"]:
        assert row["unit"] in ("req/s", "s"), row
        assert len(row["values"]) == doc["config"]["rounds"] == 1, row
        numbers = [*row["values"], row["min"], row["median"], row["max"]]
        assert all(n > 0 for n in numbers), row
        if row["key"] not in ("hello", "startup.hello"):
            assert row["ratio"]["to"], row
            assert all(n > 0 for n in [*row["ratio"]["values"], row["ratio"]["median"]]), row
            if row["key"] != "prism.get_user":  # a reference, compared to by the vs-Prism row
                assert row["target"], row
                assert isinstance(row["meets"], bool), row
        assert row["label"] in result.stdout  # the table has every row
    post = next(row for row in doc["rows"] if row["key"] == "sqlite.v7_post_user")
    assert post["p99_ms"]["median"] > 0


def test_the_call_count_measures_every_hot_path() -> None:
    # The instrument, not its numbers: every path answered as it should (200, a POST 201; it
    # exits 1 otherwise) and has a positive count of calls and of CPU time.
    result = python_m("bench.calls", "--requests", "10", "--users", "300", timeout=600)

    assert result.returncode == 0, result.stderr
    rows = [line.rsplit(None, 2) for line in result.stdout.splitlines()[1:]]
    assert [name for name, _, _ in rows] == [
        "GET /v7/users/{id}",
        "GET /api/v1/users/{id}",
        "GET /api/v1/scim/Users/{id}",
        "GET /api/v1/users (300 users)",
        "POST /v7/users",
    ]
    assert all(float(calls) > 0 and float(cpu) > 0 for _, calls, cpu in rows)


def test_the_console_bench_times_every_page() -> None:
    # The instrument, not its numbers: every console page answered 200 (it exits 1 otherwise).
    from bench.console import pages

    result = python_m("bench.console", "--smoke", timeout=600)

    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()[-len(pages(0, "")) :]
    assert [row.rsplit(None, 3)[0] for row in rows] == list(pages(0, ""))
    assert all(float(n) > 0 for row in rows for n in row.rsplit(None, 3)[1:])
