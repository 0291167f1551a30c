"""The run: seed, start every server, then measure in interleaved rounds.

Each round measures the hello-world first, then every rosterd path (and Prism), then the start
times, so that every ratio compares numbers taken moments apart on the same (noisy) machine.
"""

from __future__ import annotations

import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.databases import scratch_postgres, sqlite_url
from bench.paths import Measured, Target, hello_path, prepare, prism_path, rosterd_paths
from bench.processes import Server, prism_command, start_hello, start_prism, start_rosterd
from bench.report import Row, document, load_average
from bench.seed import seed
from bench.wrk import run_wrk

HELLO_START = "startup.hello"
PRISM = "prism.get_user"
START_TARGET = Target("≤ 2x hello start", max_ratio=2.0)
PRISM_TARGET = Target("≥ 2x Prism", min_ratio=2.0)


@dataclass(frozen=True)
class Plan:
    rounds: int
    seconds: float
    users: int
    smoke: bool
    database_url: str | None  # a PostgreSQL server to measure on too


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def started(stack: ExitStack, server: Server) -> Server:
    stack.callback(server.stop)
    return server


def run(plan: Plan) -> dict[str, Any]:
    load_at_start = load_average()
    with tempfile.TemporaryDirectory(prefix="rosterd-bench-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        databases = {"sqlite": sqlite_url(workdir)}
        if plan.database_url:
            databases["postgresql"] = stack.enter_context(scratch_postgres(plan.database_url))
        paths = [hello_path(started(stack, start_hello()))]
        for backend, url in databases.items():
            say(f"seeding {backend}: an organization with {plan.users} directory users")
            (workdir / backend).mkdir()
            # `rosterd serve` creates the schema; the CLI seeds while it runs.
            server = started(stack, start_rosterd(url))
            began = time.perf_counter()
            seeded = seed(url, users=plan.users, workdir=workdir / backend)
            say(f"seeded {backend} in {time.perf_counter() - began:.1f} s")
            paths += rosterd_paths(backend, seeded, server, prepare(seeded, server))
        skipped: dict[str, str] = {}
        prism = prism_command()
        if prism:
            paths.append(prism_path(started(stack, start_prism(prism))))
        else:
            skipped[PRISM] = "prism (Stoplight Prism) is not on the PATH"
        rows = _rows(paths, databases, with_prism=prism is not None)
        for number in range(1, plan.rounds + 1):
            _measure_round(number, plan, paths, databases, rows)
    for backend in databases:
        if prism:
            rows[f"{backend}.v7_get_user_vs_prism"].values = rows[f"{backend}.v7_get_user"].values
    config = {
        "rounds": plan.rounds,
        "seconds": plan.seconds,
        "wrk": "1 thread, 16 connections (POST: 8)",
        "users": plan.users,
        "smoke": plan.smoke,
        "backends": list(databases),
    }
    return document(list(rows.values()), skipped, config, load_at_start)


def _rows(paths: list[Measured], databases: dict[str, str], *, with_prism: bool) -> dict[str, Row]:
    rows = [
        Row(p.key, p.label, "req/s", None if p.key == "hello" else "hello", p.target) for p in paths
    ]
    if with_prism:
        rows += [
            Row(
                f"{backend}.v7_get_user_vs_prism",
                f"GET /v7/users/{{id}} [{backend}] vs Prism",
                "req/s",
                PRISM,
                PRISM_TARGET,
            )
            for backend in databases
        ]
    rows.append(Row(HELLO_START, "uvicorn hello-world start (until /healthz)", "s"))
    rows += [
        Row(
            f"{backend}.startup",
            f"rosterd serve start, migrated [{backend}]",
            "s",
            HELLO_START,
            START_TARGET,
        )
        for backend in databases
    ]
    return {row.key: row for row in rows}


def _measure_round(
    number: int,
    plan: Plan,
    paths: list[Measured],
    databases: dict[str, str],
    rows: dict[str, Row],
) -> None:
    for path in paths:
        path.check(number)  # before timing: the path answers as it should
        result = run_wrk(path.load(number), plan.seconds)
        row = rows[path.key]
        row.values.append(result.requests_per_second)
        row.p99_ms.append(result.p99_ms)
        row.socket_errors += result.socket_errors
        errors = f", {result.socket_errors} socket errors" if result.socket_errors else ""
        say(
            f"round {number}/{plan.rounds}  {path.label}: {result.requests_per_second:,.0f} req/s,"
            f" p99 {result.p99_ms:.1f} ms{errors}"
        )
    starts = {HELLO_START: start_hello}
    starts |= {f"{b}.startup": (lambda url=url: start_rosterd(url)) for b, url in databases.items()}
    for key, start in starts.items():
        server = start()
        server.stop()
        rows[key].values.append(server.started_in)
        say(f"round {number}/{plan.rounds}  {rows[key].label}: {server.started_in * 1000:.0f} ms")
