"""What SCIM searches and PATCHes cost at rosterd's bounds (and past them), timed one by one.

    uv run python bench/scim_filters.py [--users 1000] [--repeat 3]

rosterd runs on 127.0.0.1 (SQLite, rate limits off) with one integration of `--users` users and
a group of all of them; each request is sent `--repeat` times and the median time printed with
its status. The bounds are in src/rosterd/dialects/scim/_limits.py; run the script before and
after a change to them. These machines are noisy: compare rows of one run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.integrations import IntegrationsService
from rosterd.core.organizations import OrganizationsService
from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from tests.support.server import start_server

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIMIT = 4096  # characters of a filter


def padded(template: str, count: int, joiner: str = " or ") -> str:
    """`count` copies of `template` ({} is a number padded so the filter is LIMIT long)."""
    width = (LIMIT - count * len(template.format("")) - (count - 1) * len(joiner)) // count
    return joiner.join(template.format(f"{i:0{width}d}") for i in range(count))


def searches() -> dict[str, dict[str, Any]]:
    review = " or ".join(f'userName eq "u{i:06d}@example.com"' for i in range(23_000))
    few = ["userName", "displayName", "title", "emails.value", "name.givenName"]
    return {
        "no filter, a page of 100": {},
        'userName eq "…" (what IdPs send)': {"filter": 'userName eq "u7@example.com"'},
        "1 comparison that narrows nothing": {"filter": 'title co "x"'},
        "20 such comparisons, 4096 characters": {"filter": padded('title co "{}"', 20)},
        "20 in value filters, 4096 characters": {"filter": padded('emails[value co "{}"]', 20)},
        "21 comparisons (refused)": {"filter": padded('title co "{}"', 21)},
        "the review's 855 KB filter (refused)": {"filter": review},
        "a page of 1000": {"count": 1000},
        "a page of 1000, 20 attributes": {"count": 1000, "attributes": few * 4},
        "30,000 attributes (refused)": {"attributes": few * 6000},
    }


def patches(members: list[str]) -> dict[str, list[dict[str, Any]]]:
    def removal(count: int) -> dict[str, Any]:
        chosen = " or ".join(f'display eq "x{i}"' for i in range(count))
        return {"op": "remove", "path": f"members[{chosen}]"}

    return {
        "group PATCH, 1 path filter of 1": [removal(1)],
        "group PATCH, 50 comparisons in 3 paths": [removal(20), removal(20), removal(10)],
        "group PATCH, 100 paths of 20 (refused)": [removal(20)] * 100,
        "group PATCH, 1000 removals by id": [
            {"op": "remove", "path": f'members[value eq "{m}"]'} for m in members[:1000]
        ],
    }


def timed(send: Callable[[], httpx.Response], repeat: int) -> tuple[int, float]:
    times, status = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        status = send().status_code
        times.append(time.perf_counter() - start)
    return status, statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        store = SqlDirectoryStore(engine)
        OrganizationsService(store).create_organization(
            name="Bench", subdomain="bench", admin_email="bench@example.com", actor=CLI_ACTOR
        )
        token = (
            IntegrationsService(store)
            .create_integration(org_subdomain="bench", name="Okta", type="scim", actor=CLI_ACTOR)
            .scim_token
        )
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
        with (
            start_server(url, store, rate_limits=False) as server,
            httpx.Client(base_url=server.scim_url, headers=headers, timeout=900) as scim,
        ):
            members = [
                scim.post(
                    "/Users", json={"schemas": [USER], "userName": f"u{i}@example.com"}
                ).json()["id"]
                for i in range(args.users)
            ]
            group = scim.post(
                "/Groups",
                json={
                    "schemas": [GROUP],
                    "displayName": "Everyone",
                    "members": [{"value": m, "display": "d"} for m in members],
                },
            ).json()["id"]
            print(f"{args.users} users; median of {args.repeat}")
            for name, parameters in searches().items():
                body = {"schemas": [SEARCH]} | parameters
                status, ms = timed(lambda b=body: scim.post("/Users/.search", json=b), args.repeat)
                print(f"  POST /Users/.search  {name:42} {status}  {ms:9.1f} ms")
            for name, operations in patches(members).items():
                body = {"schemas": [PATCH], "Operations": operations}
                status, ms = timed(lambda b=body: scim.patch(f"/Groups/{group}", json=b), 1)
                print(f"  PATCH /Groups/{{id}}  {name:42} {status}  {ms:9.1f} ms")
        engine.dispose()


if __name__ == "__main__":
    main()
