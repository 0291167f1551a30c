"""How long `rosterd --help` and a subcommand's `--help` take, from launch to exit.

    uv run python -m bench.cli_help [--rounds 10] [--json FILE]

Each round runs, in turn, a bare interpreter (`python -c pass`, the floor any command starts
from), `rosterd --help`, `rosterd users import --help` and `rosterd devices import --help`,
each as its own process, and takes its wall time and the CPU time (user + system) the process
used (`os.wait4`), which a shared machine's load disturbs less. It prints min / median / max of
each, and the median of each command over the bare interpreter's. The target (issue 15): every
`--help` well under half a second. Python compiles modules it has no bytecode for: run it once
before (the first round's numbers show it) or set `PYTHONPYCACHEPREFIX` to a warmed folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROSTERD = shutil.which("rosterd", path=str(Path(sys.executable).parent)) or shutil.which("rosterd")
COMMANDS: dict[str, list[str]] = {
    "python": [sys.executable, "-c", "pass"],
    "rosterd --help": ["--help"],
    "rosterd users import --help": ["users", "import", "--help"],
    "rosterd devices import --help": ["devices", "import", "--help"],
}
TARGET = 0.5  # seconds, for every --help


@dataclass
class Timings:
    """One command's runs: wall and CPU seconds each."""

    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def command_line(args: list[str]) -> list[str]:
    if args[0] == sys.executable:
        return args
    if ROSTERD is None:
        sys.exit("the rosterd command is not installed here (uv sync)")
    return [ROSTERD, *args]


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `argv`, which must succeed and print something."""
    # Files, not pipes: the process is reaped by `wait4` (for its CPU time), not by Popen.
    with tempfile.TemporaryFile() as output, tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=output, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        output.seek(0)
        errors.seek(0)
        if code != 0 or (argv[-1] == "--help" and b"Usage:" not in output.read()):
            sys.exit(f"{' '.join(argv)} failed ({code}): {errors.read().decode()[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(rounds: int) -> list[Timings]:
    timings = [Timings(name) for name in COMMANDS]
    for _ in range(rounds):
        for timing in timings:  # interleaved, so that each command sees the same load
            wall, cpu = run_once(command_line(COMMANDS[timing.name]))
            timing.wall.append(wall)
            timing.cpu.append(cpu)
    return timings


def report(timings: list[Timings]) -> list[dict[str, object]]:
    floor = timings[0]
    rows = []
    for timing in timings:
        wall, cpu = statistics.median(timing.wall), statistics.median(timing.cpu)
        rows.append(
            {
                "command": timing.name,
                "wall_s": {"min": min(timing.wall), "median": wall, "max": max(timing.wall)},
                "cpu_s": {"min": min(timing.cpu), "median": cpu, "max": max(timing.cpu)},
                "wall_x_python": wall / statistics.median(floor.wall),
                "cpu_x_python": cpu / statistics.median(floor.cpu),
                "met": None if timing is floor else max(timing.wall) < TARGET,
            }
        )
    return rows


def table(rows: list[dict[str, object]], rounds: int) -> str:
    lines = [
        f"{rounds} rounds; load average {os.getloadavg()[0]:.1f}",
        "| command | wall: min / **median** / max | CPU: median | over python (wall / CPU) "
        f"| every run < {TARGET} s |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        wall, cpu = row["wall_s"], row["cpu_s"]
        assert isinstance(wall, dict)
        assert isinstance(cpu, dict)
        met = {None: "", True: "yes", False: "no"}[row["met"]]  # type: ignore[index]
        lines.append(
            f"| `{row['command']}` | {wall['min'] * 1000:.0f} / **{wall['median'] * 1000:.0f}** /"
            f" {wall['max'] * 1000:.0f} ms | {cpu['median'] * 1000:.0f} ms"
            f" | {row['wall_x_python']:.1f}x / {row['cpu_x_python']:.1f}x | {met} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    rows = report(measure(args.rounds))
    print(table(rows, args.rounds), flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps({"rounds": args.rounds, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
