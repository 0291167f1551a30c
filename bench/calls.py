"""Python function calls and CPU time per request, in-process: `uv run python -m bench.calls`.

wrk's numbers move with whatever else the machine runs; the number of Python function calls a
request makes does not, so it compares two revisions on a shared machine where timings cannot
(docs/performance.md). Seeds a directory as the benchmark does, then calls rosterd's ASGI app
directly (no HTTP server, rate limits off, the access log on, into a temporary file) and counts,
for each hot path, the calls of N requests under cProfile and the CPU time of N more without it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import pstats
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.asgi import get_many
from bench.databases import sqlite_url
from bench.paths import prepare
from bench.processes import BenchError, start_rosterd
from bench.seed import seed


@dataclass(frozen=True)
class HotPath:
    name: str
    path: str  # with its query string
    token: str


@dataclass(frozen=True)
class Cost:
    name: str
    calls_per_request: float
    cpu_us_per_request: float


def measure(
    app: Any, target: HotPath, requests: int, *, top: int = 0, sort: str = "tottime"
) -> Cost:
    headers = [(b"authorization", f"Bearer {target.token}".encode()), (b"accept", b"*/*")]

    def run(count: int) -> None:
        asyncio.run(get_many(app, target.path, headers, count))

    run(50)  # warm: caches filled, statements prepared
    profile = cProfile.Profile()
    profile.enable()
    run(requests)
    profile.disable()
    stats = pstats.Stats(profile)
    calls = stats.total_calls  # type: ignore[attr-defined]
    if top:
        print(f"\nprofile of {target.name}, {requests} requests, by {sort}:", flush=True)
        stats.sort_stats(sort).print_stats(top)
    started = time.process_time()
    run(requests)
    cpu = time.process_time() - started
    return Cost(target.name, calls / requests, cpu / requests * 1e6)


def _targets(workdir: Path, users: int) -> tuple[str, list[HotPath]]:
    url = sqlite_url(workdir)
    server = start_rosterd(url)
    try:
        seeded = seed(url, users=users, workdir=workdir)
        user = prepare(seeded, server)
    finally:
        server.stop()
    admin, scim = seeded.admin_token, seeded.scim_token
    return url, [
        HotPath("GET /v7/users/{id}", f"/v7/users/{user.uid}", admin),
        HotPath("GET /api/v1/users/{id}", f"/api/v1/users/{user.uuid}", admin),
        HotPath("GET /api/v1/scim/Users/{id}", f"/api/v1/scim/Users/{user.scim_id}", scim),
        HotPath("GET /api/v1/users (300 users)", "/api/v1/users?limit=300", admin),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.calls", description=__doc__)
    parser.add_argument("--requests", type=int, default=500, help="per path (default 500)")
    parser.add_argument("--users", type=int, default=2000, help="directory users (default 2000)")
    parser.add_argument(
        "--top", type=int, default=0, help="also print the N functions of most self time per path"
    )
    parser.add_argument(
        "--sort",
        choices=["tottime", "cumulative", "ncalls"],
        default="tottime",
        help="how --top ranks the functions (default tottime: self time)",
    )
    args = parser.parse_args(argv)
    from rosterd.server import Settings, create_app

    with tempfile.TemporaryDirectory(prefix="rosterd-calls-") as tmp:
        workdir = Path(tmp)
        logging.basicConfig(level=logging.INFO, filename=workdir / "access.log")
        url, targets = _targets(workdir, args.users)
        app = create_app(Settings(database_url=url, rate_limits=False))
        print(f"{'request':<32} {'calls/request':>14} {'CPU µs/request':>15}")
        for target in targets:
            # The page is 20 to 30 times the work of a single read: fewer of it.
            count = max(20, args.requests // 10) if "300" in target.name else args.requests
            cost = measure(app, target, count, top=args.top, sort=args.sort)
            calls, cpu = cost.calls_per_request, cost.cpu_us_per_request
            print(f"{cost.name:<32} {calls:>14.0f} {cpu:>15.0f}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench.calls: {exc}", file=sys.stderr)
        sys.exit(1)
