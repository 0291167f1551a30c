"""Server time per console page on a seeded directory (docs/performance.md, "The console").

    uv run python -m bench.console [--database-url URL] [--users N] [--rounds R] [--smoke]

Without `--database-url` it builds a fresh SQLite directory of `--users` users in a temporary
folder with `bench.email_search build` (every email contains `example`, every tenth `tenth`;
every name is `User N`); with one, it measures that directory as built before. Either way it
first adds, once, what the filtered pages filter on (`seed_filters`): an account group and a
role held by every tenth user, an account group held by ten users, and an audit log of one
`user.create` per user and a `user.update` by the admin for every tenth. It signs in once and
then times each page through the console's ASGI app in this process (no socket, so the time is
rosterd's own: session check, token lookup, permission check, the core call, the template),
`--rounds` times (`--only TEXT`: only the pages whose label contains TEXT), and prints
min / median / max in milliseconds. It exits 1 if a page does not
answer 200.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, insert, select, text

from bench.email_search import _organization, build
from rosterd.server import Settings, create_app
from rosterd.storage import make_engine
from rosterd.storage import tables as t


@dataclass(frozen=True)
class Seeded:
    """What `seed_filters` added: the account groups' aids and the role's id."""

    tenth_group: int = 0
    rare_group: int = 0
    tenth_role: int = 0


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
        "a user": f"/console/users/{user_id}",
        "account groups (member counts)": "/console/account-groups",
        "account group held by 10% (members)": f"/console/account-groups/{seeded.tenth_group}",
        "audit, first page": "/console/audit",
        "audit, by actor 10%": "/console/audit?actor=admin%40search.test",
        "audit, by target": f"/console/audit?target={user_id}",
        "audit, action prefix user.": "/console/audit?action=user.",
        "audit, action 10%, time range": (
            "/console/audit?action=user.update&from=2000-01-01T00:00&to=2999-01-01T00:00"
        ),
    }


_BATCH = 50_000


def seed_filters(database_url: str) -> Seeded:
    """Adds (once) the account groups, role, role assignments and audit events the filtered
    pages filter on, and answers their ids."""
    engine = make_engine(database_url)
    org_id, _ = _organization(engine)
    groups, roles = t.account_groups, t.roles
    with engine.connect() as conn:
        found = dict(
            conn.execute(select(groups.c.name, groups.c.aid).where(groups.c.org_id == org_id)).all()
        )
    if "Bench tenth" not in found:
        with engine.begin() as conn:  # its first statement writes: SQLite locks at once
            _seed(conn, org_id)
        engine.dispose()
        return seed_filters(database_url)
    with engine.connect() as conn:
        role = conn.execute(
            select(roles.c.role_id).where(roles.c.org_id == org_id, roles.c.name == "Bench")
        ).scalar_one()
    engine.dispose()
    return Seeded(found["Bench tenth"], found["Bench rare"], role)


def _seed(conn: Connection, org_id: int) -> None:
    started = time.perf_counter()
    aids = [
        conn.execute(
            insert(t.account_groups)
            .values(org_id=org_id, name=name, is_default=False, account_token="")
            .returning(t.account_groups.c.aid)
        ).scalar_one()
        for name in ("Bench tenth", "Bench rare")
    ]
    role = conn.execute(
        insert(t.roles)
        .values(org_id=org_id, name="Bench", is_builtin=False)
        .returning(t.roles.c.role_id)
    ).scalar_one()
    users = conn.execute(
        select(t.users.c.uid, t.users.c.id)
        .where(t.users.c.org_id == org_id)
        .order_by(t.users.c.uid)
    ).all()
    admin = conn.execute(
        select(t.users.c.uid).where(t.users.c.email == "admin@search.test")
    ).scalar_one()
    holders = [{"uid": uid, "aid": aids[0], "role_id": role} for uid, _ in users[::10]]
    holders += [{"uid": uid, "aid": aids[1], "role_id": role} for uid, _ in users[5::100_000]]
    for start in range(0, len(holders), _BATCH):
        conn.execute(insert(t.user_account_group_roles), holders[start : start + _BATCH])
    first = datetime(2026, 1, 1, tzinfo=UTC)
    events: list[dict[str, Any]] = []
    for n, (_, user_id) in enumerate(users):
        at = first + timedelta(seconds=n)
        events.append(_event(f"C{n:025d}", org_id, at, "integration", None, "user.create", user_id))
        if n % 10 == 0:
            events.append(
                _event(f"U{n:025d}", org_id, at, "user", str(admin), "user.update", user_id)
            )
        if len(events) >= _BATCH:
            conn.execute(insert(t.audit_events), events)
            events = []
    if events:
        conn.execute(insert(t.audit_events), events)
    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE"))
    print(f"seeded the filters in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _event(
    event_id: str,
    org_id: int,
    at: datetime,
    actor_type: str,
    actor_id: str | None,
    action: str,
    user_id: Any,
) -> dict[str, Any]:
    return {
        "id": event_id,
        "org_id": org_id,
        "occurred_at": at,
        "actor_type": actor_type,
        "actor_id": actor_id,
        "action": action,
        "target_type": "user",
        "target_id": str(user_id),
        "new_state": {"email": "…"} if action == "user.create" else {"active": True},
        "request_id": None,
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
        times = asyncio.run(measure(database_url, token, rounds, seeded, args.only))
    print(f"{'page':36} {'min ms':>7} {'median':>7} {'max':>7}")
    for label, values in times.items():
        print(f"{label:36} {min(values):7.2f} {statistics.median(values):7.2f} {max(values):7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
