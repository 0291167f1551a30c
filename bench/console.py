"""Server time per console page on a seeded directory (docs/performance.md, "The console").

    uv run python -m bench.console [--database-url URL] [--users N] [--rounds R] [--smoke]

Without `--database-url` it builds a fresh SQLite directory of `--users` users in a temporary
folder with `bench.email_search build` (every email contains `example`, every tenth `tenth`;
every name is `User N`); with one, it measures that directory as built before. Either way it
first adds, once, what the pages show and filter on (`bench.console_seed`): account groups and
a role held by every tenth user and by ten, an audit log of 1.1 events per user, one device
per user, an integration of ten users, and every thousandth user archived. It signs in once and
then times each page through the console's ASGI app in this process (no socket, so the time is
rosterd's own: session check, token lookup, permission check, the core call, the template),
`--rounds` times (`--only TEXT`: only the pages whose label contains TEXT), and prints
min / median / max in milliseconds, after the date, the commit and the load average. It exits 1
if a page does not answer 200.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import make_url

from bench.console_seed import Seeded, seed_filters
from bench.email_search import _organization, build
from rosterd.server import Settings, create_app
from rosterd.storage import make_engine


def pages(middle: int, user_id: str, seeded: Seeded = Seeded()) -> dict[str, str]:
    return {
        "sign-in form": "/console/signin",
        "users, first page": "/console/users",
        "users, deep page": f"/console/users?after={middle}",
        "users, search 10%": "/console/users?q=tenth",
        "users, search as you type (rows)": "/console/users?q=tenth&hx=1",
        "users, search none": "/console/users?q=zzzz",
        "users, name search 11%": "/console/users?q=USER+1",
        "users, name search, one": "/console/users?q=user+500000",
        "users, account group 10%": f"/console/users?account_group={seeded.tenth_group}",
        "users, account group, ten users": f"/console/users?account_group={seeded.rare_group}",
        "users, role 10%, deep": f"/console/users?role={seeded.tenth_role}&after={middle}",
        "users, role 10% and name search": f"/console/users?role={seeded.tenth_role}&q=user+5",
        "users, integration, everyone": f"/console/users?integration={seeded.integration}",
        "users, integration, ten users": f"/console/users?integration={seeded.few_integration}",
        "users, archived 0.1%": "/console/users?archived=yes",
        "users, not archived, deep": f"/console/users?archived=no&after={middle}",
        "a user": f"/console/users/{user_id}",
        "devices, first page": "/console/devices",
        # The console's pages are keyset pages (after a device's id) since the API's offset.
        "devices, deep page (middle)": f"/console/devices?after={seeded.middle_device}",
        "devices, platform 25%": "/console/devices?platform=iPad",
        "devices, platform, ten devices": "/console/devices?platform=Vision",
        "devices, name contains, one": "/console/devices?name=Device+777777",
        "devices, serial contains, one": "/console/devices?serial=0000777777",
        "devices, name contains 11%": "/console/devices?name=device+1",
        "devices, serial contains, none": "/console/devices?serial=zzzz",
        "devices, model contains 25%": "/console/devices?model=ipad",
        "devices, OS version contains 14%": "/console/devices?os=17.3",
        "devices, user email contains 10%": "/console/devices?user=tenth",
        "devices, user email contains, ten": "/console/devices?user=rare",
        "devices, user email contains, none": "/console/devices?user=zzzz",
        "devices, asset tag, one": "/console/devices?asset_tag=AT-500000",
        "devices, tag 10%": "/console/devices?tag=bench-tenth",
        "a device": f"/console/devices/{seeded.device}",
        "integrations": "/console/integrations",
        "an integration": f"/console/integrations/{seeded.integration}",
        "account groups (member counts)": "/console/account-groups",
        "account group held by 10% (members)": f"/console/account-groups/{seeded.tenth_group}",
        "account group held by ten (members)": f"/console/account-groups/{seeded.rare_group}",
        "roles": "/console/roles",
        "a role (custom)": f"/console/roles/{seeded.tenth_role}",
        "a role (built-in)": f"/console/roles/{seeded.builtin_role}",
        "audit, first page": "/console/audit",
        "audit, by actor 10%": "/console/audit?actor=admin%40search.test",
        "audit, by target": f"/console/audit?target={user_id}",
        "audit, action prefix user.": "/console/audit?action=user.",
        "audit, action 10%, time range": (
            "/console/audit?action=user.update&from=2000-01-01T00:00&to=2999-01-01T00:00"
        ),
    }


async def measure(
    database_url: str, token: str, rounds: int, seeded: Seeded, only: str = ""
) -> dict[str, list[float]]:
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
        for label, path in pages(middle, user_id, seeded).items():
            if only not in label:
                continue
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
    parser.add_argument("--only", default="", help="only the pages whose label contains this")
    args = parser.parse_args(argv)
    users, rounds = (300, 3) if args.smoke else (args.users, args.rounds)
    with tempfile.TemporaryDirectory() as folder:
        token_file = args.token_file or Path(folder) / "token.json"
        database_url = args.database_url
        if database_url is None:
            database_url = f"sqlite:///{Path(folder) / 'console.db'}"
            build(database_url, users, token_file)
        token = json.loads(token_file.read_text(encoding="utf-8"))["token"]
        seeded = seed_filters(database_url)
        before = os.getloadavg()[0]
        times = asyncio.run(measure(database_url, token, rounds, seeded, args.only))
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()}, {make_url(database_url)!r}")
    print(f"{rounds} rounds; load average {before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"{'page':38} {'min ms':>7} {'median':>7} {'max':>7}")
    for label, values in times.items():
        print(f"{label:38} {min(values):7.2f} {statistics.median(values):7.2f} {max(values):7.2f}")
    return 0


def _commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return found.stdout.strip() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
