"""Server time per console page on a seeded directory (docs/performance.md, "The console").

    uv run python -m bench.console [--database-url URL] [--users N] [--rounds R] [--smoke]

Without `--database-url` it builds a fresh SQLite directory of `--users` users in a temporary
folder with `bench.email_search build` (every email contains `example`, every tenth `tenth`);
with one, it measures that directory as built before. It signs in once and then times each
page through the console's ASGI app in this process (no socket, so the time is rosterd's own:
session check, token lookup, permission check, the core call, the template), `--rounds` times,
and prints min / median / max in milliseconds. It exits 1 if a page does not answer 200.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.email_search import _organization, build
from rosterd.server import Settings, create_app
from rosterd.storage import make_engine


def pages(middle: int, user_id: str) -> dict[str, str]:
    return {
        "sign-in form": "/console/signin",
        "users, first page": "/console/users",
        "users, deep page": f"/console/users?after={middle}",
        "users, search 10%": "/console/users?q=tenth",
        "users, search as you type (rows)": "/console/users?q=tenth&hx=1",
        "users, search none": "/console/users?q=zzzz",
        "a user": f"/console/users/{user_id}",
    }


async def measure(database_url: str, token: str, rounds: int) -> dict[str, list[float]]:
    settings = Settings(database_url=database_url, rate_limits=False)
    app = create_app(settings)
    _, middle = _organization(make_engine(database_url))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        signed_in = await client.post("/console/signin", data={"token": token})
        if signed_in.status_code != 303:
            raise SystemExit(f"sign-in answered {signed_in.status_code}")
        listing = await client.get("/console/users")
        user_id = listing.text.split('href="/console/users/', 1)[1].split('"', 1)[0]
        times: dict[str, list[float]] = {}
        for label, path in pages(middle, user_id).items():
            headers = {"HX-Request": "true"} if "hx=1" in path else {}
            await client.get(path, headers=headers)  # warm: the first render compiles
            times[label] = []
            for _ in range(rounds):
                started = time.perf_counter()
                response = await client.get(path, headers=headers)
                times[label].append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.console")
    parser.add_argument("--database-url")
    parser.add_argument("--token-file", type=Path)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--smoke", action="store_true", help="300 users, 3 rounds")
    args = parser.parse_args(argv)
    users, rounds = (300, 3) if args.smoke else (args.users, args.rounds)
    with tempfile.TemporaryDirectory() as folder:
        token_file = args.token_file or Path(folder) / "token.json"
        database_url = args.database_url
        if database_url is None:
            database_url = f"sqlite:///{Path(folder) / 'console.db'}"
            build(database_url, users, token_file)
        token = json.loads(token_file.read_text(encoding="utf-8"))["token"]
        times = asyncio.run(measure(database_url, token, rounds))
    print(f"{'page':36} {'min ms':>7} {'median':>7} {'max':>7}")
    for label, values in times.items():
        print(f"{label:36} {min(values):7.2f} {statistics.median(values):7.2f} {max(values):7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
