"""What counting one request against a rate limit costs: `uv run python -m bench.rate_limits`.

Compares, in one run, rosterd's in-process windows (`server.ratelimit.LocalWindows`) with the
`limits` library's MemoryStorage and FixedWindowRateLimiter, which rosterd used before, counting
the same way (a hit, then the window's state, as a request needs for its headers). Two rates:
back to back, and one count every `--gap-ms`, a directory's usual pace, where MemoryStorage
starts a timer thread on every count. CPU time is the whole process's (every thread's), less
the same loop's sleeping alone.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from rosterd.server.ratelimit import LocalWindows

Count = Callable[[], object]
ITEM = RateLimitItemPerMinute(10**9)


def local_windows() -> Count:
    windows = LocalWindows()
    return lambda: windows.hit(ITEM, "thousandeyes", "org")


def limits_memory() -> Count:
    limiter = FixedWindowRateLimiter(MemoryStorage())

    def count() -> object:
        limiter.hit(ITEM, "thousandeyes", "org")
        return limiter.get_window_stats(ITEM, "thousandeyes", "org")

    return count


def cpu_us_per_count(count: Count, counts: int, gap: float) -> float:
    started = time.process_time()
    for _ in range(counts):
        count()
        if gap:
            time.sleep(gap)
    return (time.process_time() - started) / counts * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rate_limits", description=__doc__)
    parser.add_argument("--counts", type=int, default=20000, help="back to back (default 20000)")
    parser.add_argument("--paced", type=int, default=200, help="counts at the slow pace")
    parser.add_argument("--gap-ms", type=float, default=20.0, help="the slow pace (default 20)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    gap = args.gap_ms / 1000
    print(f"{'counter':<28} {'back to back µs':>16} {'every ' + str(args.gap_ms) + ' ms µs':>18}")
    for round_ in range(args.rounds):
        sleeping = cpu_us_per_count(lambda: None, args.paced, gap)
        for name, make in (
            ("rosterd LocalWindows", local_windows),
            ("limits MemoryStorage", limits_memory),
        ):
            fast = cpu_us_per_count(make(), args.counts, 0)
            paced = cpu_us_per_count(make(), args.paced, gap) - sleeping
            print(f"{name:<28} {fast:>16.1f} {paced:>18.1f}   (round {round_ + 1})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
