"""`python -m bench.cli_help` (docs/performance.md, "The command line's help") still runs and
measures every command: the instrument, not its numbers, in one round."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.cli_help import COMMANDS

ROOT = Path(__file__).parent.parent


def test_one_round_times_every_command(tmp_path: Path) -> None:
    output = tmp_path / "help.json"

    # The timeout only stops a hung run; nothing here depends on how fast it is.
    result = subprocess.run(
        [sys.executable, "-m", "bench.cli_help", "--rounds", "1", "--json", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    doc = json.loads(output.read_text())
    assert doc["rounds"] == 1
    assert [row["command"] for row in doc["rows"]] == list(COMMANDS)
    for row in doc["rows"]:
        for timing in ("wall_s", "cpu_s"):
            assert 0 < row[timing]["min"] <= row[timing]["median"] <= row[timing]["max"], row
    assert doc["rows"][0]["wall_x_python"] == 1
    assert doc["rows"][0]["met"] is None
    assert all(isinstance(row["met"], bool) for row in doc["rows"][1:])
    table = [line for line in result.stdout.splitlines() if line.startswith("| `")]
    assert [line.split("`")[1] for line in table] == list(COMMANDS)
