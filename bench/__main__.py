"""rosterd's performance benchmark: `uv run python -m bench [--smoke] [--json FILE]`.

Starts a Starlette hello-world on the server rosterd ships (the baseline), `rosterd serve` on a
freshly seeded SQLite database (and on PostgreSQL with --database-url), Stoplight Prism when
`prism` is on the PATH, and measures them with wrk in interleaved rounds. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.processes import BenchError
from bench.report import table, write_json
from bench.rounds import Plan, run
from bench.wrk import wrk_command

FULL = {"rounds": 5, "seconds": 5.0, "users": 5000}
# One short round on a small directory (still a full 300-user page): does it all still work?
SMOKE = {"rounds": 1, "seconds": 1.0, "users": 320}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="one very short round, small seed")
    parser.add_argument("--rounds", type=int, help=f"rounds (default {FULL['rounds']})")
    parser.add_argument(
        "--seconds", type=float, help=f"seconds per wrk run (default {FULL['seconds']:g})"
    )
    parser.add_argument(
        "--users", type=int, help=f"directory users to seed (default {FULL['users']}, min 300)"
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgresql://user:pass@host/db, a role that may create "
        "databases) to measure rosterd on as well, in a scratch database dropped afterwards",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    return parser.parse_args(argv)


def plan_from(args: argparse.Namespace) -> Plan:
    defaults = SMOKE if args.smoke else FULL
    users = args.users or int(defaults["users"])
    if users < 300:
        sys.exit("--users must be at least 300: one row reads a full 300-user page")
    return Plan(
        rounds=args.rounds or int(defaults["rounds"]),
        seconds=args.seconds or defaults["seconds"],
        users=users,
        smoke=args.smoke,
        database_url=args.database_url,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = plan_from(args)
    if not wrk_command():
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    try:
        doc = run(plan)
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print(table(doc))
    if args.json:
        write_json(doc, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
