"""The control plane's own costs: `uv run python -m bench.control [--users N] [--database-url PG]`.

Seeds a directory as the benchmark does (`--users` directory users, default 5,000), starts
`rosterd serve --control` on it, and times, over HTTP as a test suite calls them: taking a
snapshot, a restore after 100 changes, and a reset; then `rosterd serve --ephemeral --control`
from the command to a healthy answer, beside a bare uvicorn hello-world's start in the same run.
Medians of `--rounds` (default 5). See docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import httpx

from bench.databases import scratch_postgres, sqlite_url
from bench.processes import BenchError, launch, start_hello
from bench.seed import seed
from tests.support.process import ROSTERD, free_port

CONTROL_TOKEN = "rstc_bench"


def _ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _changes(api: httpx.Client, round_: int) -> None:
    for i in range(100):
        made = api.post("/v7/users", json={"name": "B", "email": f"b{round_}.{i}@bench.test"})
        if made.status_code != 201:
            raise BenchError(f"a change failed: {made.status_code} {made.text}")


def measure_database(database_url: str, users: int, rounds: int, workdir: Path) -> dict[str, float]:
    workdir.mkdir()
    upgrade = [str(ROSTERD), "db", "upgrade", "--database-url", database_url]
    subprocess.run(upgrade, check=True, capture_output=True)
    seeded = seed(database_url, users=users, workdir=workdir)
    port = free_port()
    env = {
        "ROSTERD_DATABASE_URL": database_url,
        "ROSTERD_RATE_LIMITS": "off",
        "ROSTERD_CONTROL_TOKEN": CONTROL_TOKEN,
    }
    command = [str(ROSTERD), "serve", "--control", "--port", str(port)]
    server = launch("rosterd --control", command, env=env, port=port)
    times: dict[str, list[float]] = {"snapshot": [], "restore": [], "reset": []}
    control_headers = {"Authorization": f"Bearer {CONTROL_TOKEN}"}
    try:
        with (
            httpx.Client(
                base_url=f"{server.base_url}/_rosterd", headers=control_headers
            ) as control,
            httpx.Client(
                base_url=server.base_url, headers={"Authorization": f"Bearer {seeded.admin_token}"}
            ) as api,
        ):
            for round_ in range(rounds):
                name = f"r{round_}"
                take = partial(control.post, "/snapshots", json={"name": name})
                times["snapshot"].append(_ms(take))
                _changes(api, round_)
                times["restore"].append(_ms(partial(control.post, f"/snapshots/{name}/restore")))
                _changes(api, round_)
                times["reset"].append(_ms(partial(control.post, "/reset")))
                control.delete(f"/snapshots/{name}")
    finally:
        server.stop()
    return {name: statistics.median(values) for name, values in times.items()}


def measure_startup(rounds: int) -> dict[str, float]:
    ephemeral: list[float] = []
    hello: list[float] = []
    for _ in range(rounds):
        port = free_port()
        command = [str(ROSTERD), "serve", "--ephemeral", "--control", "--port", str(port)]
        server = launch("rosterd --ephemeral", command, port=port)
        ephemeral.append(server.started_in * 1000)
        server.stop()
        baseline = start_hello()
        hello.append(baseline.started_in * 1000)
        baseline.stop()
    return {"ephemeral": statistics.median(ephemeral), "hello": statistics.median(hello)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.control", description=__doc__)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", help="a PostgreSQL server to measure as well")
    args = parser.parse_args(argv)
    try:
        with ExitStack() as stack:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            databases = {"sqlite": sqlite_url(workdir)}
            if args.database_url:
                databases["postgresql"] = stack.enter_context(scratch_postgres(args.database_url))
            for kind, url in databases.items():
                found = measure_database(url, args.users, args.rounds, workdir / kind)
                line = ", ".join(f"{k} {v:.1f} ms" for k, v in found.items())
                print(f"{kind} ({args.users} directory users): {line}")
            start = measure_startup(args.rounds)
            print(
                f"start to healthy: serve --ephemeral --control {start['ephemeral']:.0f} ms, "
                f"hello-world {start['hello']:.0f} ms "
                f"({start['ephemeral'] / start['hello']:.1f}x)"
            )
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
