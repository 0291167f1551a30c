"""`python -m bench.rate_limits` (docs/performance.md, "Rate limits are counted without a
thread") still runs and measures both counters: the instrument, not its numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_one_round_measures_both_counters() -> None:
    # The timeout only stops a hung run; nothing here depends on how fast it is.
    result = subprocess.run(
        [sys.executable, "-m", "bench.rate_limits", "--counts", "200", "--paced", "3",
         "--gap-ms", "1", "--rounds", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert [row[:2] for row in rows] == [["rosterd", "LocalWindows"], ["limits", "MemoryStorage"]]
    assert all(float(row[2]) > 0 for row in rows)
