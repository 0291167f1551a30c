"""Load from wrk (https://github.com/wg/wrk): one thread, a few connections, a few seconds."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.processes import BenchError

POST_USER_SCRIPT = Path(__file__).with_name("post_user.lua")
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Load:
    """What one wrk run sends."""

    url: str
    headers: dict[str, str]
    connections: int = 16
    script: Path | None = None
    script_args: tuple[str, ...] = ()


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    requests: int
    p99_ms: float
    socket_errors: int


def wrk_command() -> str | None:
    return shutil.which("wrk")


def run_wrk(load: Load, seconds: float) -> WrkResult:
    """Run wrk; a run with any non-2xx/3xx answer is an error, not a measurement."""
    wrk = wrk_command()
    if not wrk:
        raise BenchError("wrk is not installed: apt-get install -y wrk")
    command = [wrk, "-t1", f"-c{load.connections}", f"-d{seconds:g}s", "--latency"]
    command += ["--timeout", "10s"]
    for name, value in load.headers.items():
        command += ["-H", f"{name}: {value}"]
    if load.script:
        command += ["-s", str(load.script)]
    command.append(load.url)
    if load.script_args:
        command += ["--", *load.script_args]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchError(f"wrk failed on {load.url}:\n{result.stderr}{result.stdout}")
    return parse(result.stdout, load.url)


def parse(output: str, url: str) -> WrkResult:
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if failed:
        raise BenchError(f"{failed.group(1)} failed responses from {url}:\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    if not (rate and total and p99):
        raise BenchError(f"unexpected wrk output for {url}:\n{output}")
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests_per_second=float(rate.group(1)),
        requests=int(total.group(1)),
        p99_ms=float(p99.group(1)) * _UNITS[p99.group(2)],
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )
