"""Kandji `GET /api/v1/users?email=TERM` pages at scale, timed in storage and over HTTP.

    uv run python -m bench.email_search build --database-url URL --users 1000000
    uv run python -m bench.email_search measure --database-url URL [--out pages.json]
    uv run python -m bench.email_search compare --database-url URL [--against main]

`build` migrates an empty database, makes an organization and an integration with the CLI,
and inserts the users with plain `executemany` (SQLite's triggers keep `users_email_fts` in
step): the import is not what is measured here. Every user's email contains `example`; every
tenth contains `tenth`; one in 100,000 contains `rare` and `qz` (the only `q` anywhere).

`measure` times, for each term, the first page, a page deep in the keyset order (below the
middle uid, by cursor) and the previous page from there, as the listing runs them: in storage
(one read transaction, `limit` 301 as the core asks) and over HTTP through `rosterd serve`
(rate limits off). It prints min / median / max of `--rounds` runs in milliseconds, and writes
the uids of every page to `--out`, so that two runs can be compared for identical results.

`compare` times the same pages in storage only, with this tree's `_directory.py` and with the
one of git revision `--against`, run by run in turn (so that both see the same load on a
shared machine), and prints the median wall and CPU milliseconds of each as a table; it checks
that both return the same users.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from sqlalchemy import Engine, func, insert, select, text

from bench.processes import start_rosterd
from bench.seed import cli
from rosterd.core.ports import Keyset, UserQuery
from rosterd.core.validation import email_key
from rosterd.storage import SqlDirectoryStore, _directory, make_engine, upgrade
from rosterd.storage import tables as t

SUBDOMAIN = "search"
PAGE = 300
TERMS = {
    "everyone": "example",
    "10%": "tenth",
    "rare": "rare",
    "none": "zzzz",
    "2-char, everyone": "ex",
    "2-char, rare": "qz",
    "1-char, rare": "q",
}
_FIRST = ("ana", "bo", "cy", "dee", "eli", "fay", "gus", "hal", "ivy", "jo", "kai", "lu", "mo")
_LAST = ("lima", "berg", "chen", "diaz", "eng", "fox", "gray", "hill", "ito", "jones", "khan")
_BATCH = 10_000


def _email(i: int) -> str:
    if i % 100_000 == 50_000:
        return f"rare.qz.{i}@mail.example.com"
    where = "tenth" if i % 10 == 0 else "mail"
    return f"{_FIRST[i % 13]}.{_LAST[i % 11]}.{i}@{where}.example.com"


def user_rows(count: int, org_id: int, integration_id: int) -> Iterator[list[dict[str, Any]]]:
    now = datetime.now(UTC)
    for start in range(0, count, _BATCH):
        batch = []
        for i in range(start, min(start + _BATCH, count)):
            email = _email(i)
            batch.append(
                {
                    "id": uuid.uuid4(),
                    "org_id": org_id,
                    "email": email,
                    "email_key": email_key(email),
                    "email_confirmed": True,
                    "name": f"User {i}",
                    "active": True,
                    "archived": False,
                    "department": "",
                    "job_title": "",
                    "integration_id": integration_id,
                    "login_account_group_id": None,
                    "created_at": now,
                    "updated_at": now,
                    "last_login": None,
                    "external_id": f"ext-{i}",
                }
            )
        yield batch


def build(database_url: str, users: int, token_file: Path) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    org = cli(
        "orgs",
        "create",
        "--name",
        "Search",
        "--subdomain",
        SUBDOMAIN,
        "--admin-email",
        "admin@search.test",
        "--json",
        database_url=database_url,
    )
    integration = cli(
        "integrations",
        "create",
        "--org",
        SUBDOMAIN,
        "--name",
        "Directory",
        "--type",
        "office365",
        "--json",
        database_url=database_url,
    )
    token_file.write_text(json.dumps({"token": org["token"]}), encoding="utf-8")
    started = time.perf_counter()
    with engine.connect() as conn:
        org_id = conn.execute(
            select(t.organizations.c.id).where(t.organizations.c.subdomain == SUBDOMAIN)
        ).scalar_one()
        integration_uuid = uuid.UUID(integration["uuid"])
        integration_id = conn.execute(
            select(t.integrations.c.id).where(t.integrations.c.uuid == integration_uuid)
        ).scalar_one()
    for batch in user_rows(users, org_id, integration_id):
        with engine.begin() as conn:
            conn.execute(insert(t.users), batch)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE users"))  # what autovacuum does soon after a load
        total = conn.execute(select(func.count()).select_from(t.users)).scalar_one()
    print(f"inserted {users} users in {time.perf_counter() - started:.0f} s; {total} in all")
    engine.dispose()


@dataclass(frozen=True)
class Case:
    label: str
    term: str
    page: str  # first, deep, back
    keyset: Keyset


def cases(middle: int) -> list[Case]:
    found = []
    for label, term in TERMS.items():
        found += [
            Case(label, term, "first", Keyset(limit=PAGE + 1)),
            Case(label, term, "deep", Keyset(position=middle, limit=PAGE + 1)),
            Case(label, term, "back", Keyset(position=middle, reverse=True, limit=PAGE + 1)),
        ]
    return found


def _params(case: Case) -> dict[str, str]:
    from rosterd.dialects.kandji._pagination import encode_user_cursor

    params = {"email": case.term}
    if case.keyset.position is not None:
        params["cursor"] = encode_user_cursor(case.keyset.position, reverse=case.keyset.reverse)
    return params


def _timed(run: Callable[[], Any], rounds: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def _summary(times: list[float]) -> str:
    return f"{min(times):7.1f} {statistics.median(times):7.1f} {max(times):7.1f}"


def _organization(engine: Engine) -> tuple[int, int]:
    """The organization's id, and the middle of its uids (where the deep pages start)."""
    with engine.connect() as conn:
        org_id, middle = conn.execute(
            select(t.organizations.c.id, func.max(t.users.c.uid) / 2)
            .join(t.users, t.users.c.org_id == t.organizations.c.id)
            .where(t.organizations.c.subdomain == SUBDOMAIN)
            .group_by(t.organizations.c.id)
        ).one()
    return int(org_id), int(middle)


def measure(database_url: str, token_file: Path, rounds: int, out: Path | None) -> None:
    engine = make_engine(database_url)
    store = SqlDirectoryStore(engine)
    org_id, middle = _organization(engine)
    token = json.loads(token_file.read_text(encoding="utf-8"))["token"]
    print(f"load average {os.getloadavg()[0]:.2f}; {rounds} rounds; ms: min median max")
    print(f"{'term':<22}{'page':<7}{'storage':>24}{'http':>24}  matches")
    results: dict[str, Any] = {}
    server = start_rosterd(database_url)
    try:
        with httpx.Client(
            base_url=f"{server.base_url}/api/v1", headers={"Authorization": f"Bearer {token}"}
        ) as client:
            for case in cases(middle):

                def stored(case: Case = case) -> Any:
                    with store.read() as tx:
                        query = UserQuery(email_contains=case.term)
                        return tx.list_directory_users(org_id, query, case.keyset)

                def http(case: Case = case) -> bytes:
                    response = client.get("/users", params=_params(case), timeout=120)
                    assert response.status_code == 200, response.text
                    # The links name the server's port, which changes from run to run.
                    return response.content.replace(server.base_url.encode(), b"BASE")

                stored_times, rows = _timed(stored, rounds)
                http_times, body = _timed(http, rounds)
                uids = [r.user.uid for r in rows]
                results[f"{case.term} {case.page}"] = {
                    "uids": uids,
                    "body_sha256": hashlib.sha256(body).hexdigest(),
                }
                print(
                    f"{case.label + ' (' + case.term + ')':<22}{case.page:<7}"
                    f"{_summary(stored_times):>24}{_summary(http_times):>24}  {len(uids)}",
                    flush=True,
                )
    finally:
        server.stop()
        engine.dispose()
    print(f"load average {os.getloadavg()[0]:.2f}")
    if out:
        out.write_text(json.dumps(results, indent=1), encoding="utf-8")


def _directory_at(revision: str) -> ModuleType:
    """`rosterd.storage._directory` as it is at `revision`, imported under another name."""
    source = subprocess.run(
        ["git", "show", f"{revision}:src/rosterd/storage/_directory.py"],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = ModuleType(f"directory_at_{revision}")
    exec(compile(source, module.__name__, "exec"), module.__dict__)
    return module


def _once(engine: Engine, directory: ModuleType, org_id: int, case: Case) -> tuple[float, ...]:
    with engine.connect() as conn, conn.begin():
        wall, cpu = time.perf_counter(), time.process_time()
        query = UserQuery(email_contains=case.term)
        rows = directory.list_directory_users(conn, org_id, query, case.keyset)
        elapsed = ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)
    return (*elapsed, *(r.user.uid for r in rows))


def compare(database_url: str, against: str, rounds: int) -> None:
    engine = make_engine(database_url)
    org_id, middle = _organization(engine)
    before, after = _directory_at(against), _directory
    print(f"load average {os.getloadavg()[0]:.2f}; median of {rounds} runs in turn")
    print(f"| term | page | {against}: ms (CPU ms) | this tree: ms (CPU ms) |\n|---|---|---|---|")
    for case in cases(middle):
        runs: dict[str, list[tuple[float, ...]]] = {"before": [], "after": []}
        for _ in range(rounds + 1):  # the first of each warms up
            runs["before"].append(_once(engine, before, org_id, case))
            runs["after"].append(_once(engine, after, org_id, case))
        if runs["before"][-1][2:] != runs["after"][-1][2:]:
            raise SystemExit(f"different users for {case}")
        cells = [
            f"{statistics.median(r[0] for r in timed[1:]):.1f} "
            f"({statistics.median(r[1] for r in timed[1:]):.1f})"
            for timed in runs.values()
        ]
        print(f"| {case.label} (`{case.term}`) | {case.page} | {' | '.join(cells)} |", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f}")
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.email_search", description=__doc__)
    parser.add_argument("step", choices=("build", "measure", "compare"))
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--token-file", type=Path)
    parser.add_argument("--against", default="main", help="compare: the git revision")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.step == "compare":
        compare(args.database_url, args.against, args.rounds)
    elif args.token_file is None:
        parser.error(f"{args.step} needs --token-file")
    elif args.step == "build":
        build(args.database_url, args.users, args.token_file)
    else:
        measure(args.database_url, args.token_file, args.rounds, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
