"""Python function calls and CPU time per request, in-process: `uv run python -m bench.calls`.

wrk's numbers move with whatever else the machine runs; the number of Python function calls a
request makes does not, so it compares two revisions on a shared machine where timings cannot
(docs/performance.md). Seeds a directory as the benchmark does, then calls rosterd's ASGI app
directly (no HTTP server, rate limits off, the access log on, into a temporary file) and counts,
for each hot path, the calls of N requests under cProfile and the CPU time of N more without it.

`POST /v7/users` runs its handler in the thread pool, as every write does: its calls are counted
with the thread pool's work made inline (a profile sees one thread), its CPU time as served, hop
included.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import logging
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.asgi import get_many, post_many
from bench.databases import sqlite_url
from bench.paths import new_user_bodies, prepare
from bench.processes import BenchError, start_rosterd
from bench.seed import seed


@dataclass(frozen=True)
class HotPath:
    name: str
    path: str  # with its query string
    token: str
    bodies: Iterator[bytes] | None = None  # a POST's bodies, one per request


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
        if target.bodies is None:
            asyncio.run(get_many(app, target.path, headers, count))
        else:
            asyncio.run(post_many(app, target.path, headers, target.bodies, count))

    run(50)  # warm: caches filled, statements prepared
    profile = cProfile.Profile()
    with _thread_pool_inline():
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


@contextlib.contextmanager
def _thread_pool_inline() -> Iterator[None]:
    """Handlers the bound routes hand to the thread pool run inline, where cProfile sees them."""
    from rosterd.server import binding

    async def inline(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    handing_off = binding.run_in_threadpool
    binding.run_in_threadpool = inline  # type: ignore[assignment]
    try:
        yield
    finally:
        binding.run_in_threadpool = handing_off


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
        HotPath("POST /v7/users", "/v7/users", admin, new_user_bodies(seeded, "calls")),
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
    parser.add_argument(
        "--rate-limits",
        action="store_true",
        help="count every request against rate limits too (limits too high to refuse any)",
    )
    args = parser.parse_args(argv)
    from rosterd.server import Settings, create_app

    unrefused = 10**9

    with tempfile.TemporaryDirectory(prefix="rosterd-calls-") as tmp:
        workdir = Path(tmp)
        logging.basicConfig(level=logging.INFO, filename=workdir / "access.log")
        url, targets = _targets(workdir, args.users)
        settings = Settings(
            database_url=url,
            rate_limits=args.rate_limits,
            thousandeyes_requests_per_minute=unrefused,
            kandji_requests_per_hour=unrefused,
            kandji_requests_per_second=unrefused,
        )
        app = create_app(settings)
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
