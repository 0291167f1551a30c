"""Concurrent writers on the live server: uniqueness, one final state, exactly-once deletes,
listings that hold every user that existed throughout, and deletes racing device assignments."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from rosterd.core.devices import DevicesService
from rosterd.core.entities import User
from rosterd.storage import SqlDirectoryStore
from rosterd.storage import tables as t
from tests.api.kandji.conftest import Directory
from tests.api.thousandeyes.test_users import new_user, unique_email
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer, start_server

WRITERS = 8


def in_parallel(
    live_server: LiveServer, token: str, calls: list[tuple[str, str, Any]]
) -> list[httpx.Response]:
    def run(call: tuple[str, str, Any]) -> httpx.Response:
        method, path, body = call
        with httpx.Client(
            base_url=live_server.thousandeyes_url,
            timeout=60,
            headers={"Authorization": f"Bearer {token}"},
        ) as c:
            return c.request(method, path, json=body)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def unlimited_org(orgs: OrgFactory) -> TestOrg:
    return orgs.create(rate_limit_per_minute=100_000)


def test_parallel_creates_with_one_email_make_exactly_one_user(
    live_server: LiveServer, orgs: OrgFactory
) -> None:
    org = unlimited_org(orgs)
    email = unique_email("race")
    calls = [("POST", "/users", {"name": f"Racer {i}", "email": email}) for i in range(WRITERS)]

    responses = in_parallel(live_server, org.token, calls)

    assert Counter(r.status_code for r in responses) == {201: 1, 400: WRITERS - 1}
    for refused in (r for r in responses if r.status_code == 400):
        assert refused.json()["errors"][0]["field"] == "email"
    with httpx.Client(
        base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as c:
        emails = [u["email"] for u in c.get("/users").json()["users"]]
    assert emails.count(email) == 1


def test_parallel_updates_end_in_one_of_the_requested_states(
    live_server: LiveServer, orgs: OrgFactory
) -> None:
    org = unlimited_org(orgs)
    group = org.add_account_group("Race")
    with httpx.Client(
        base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as c:
        user = new_user(c).json()
    bodies = [
        {
            "name": f"Name {i}",
            "accountGroupRoles": [
                {"accountGroupId": org.aid if i % 2 else str(group.aid), "roleIds": ["3"]}
            ],
        }
        for i in range(WRITERS)
    ]

    responses = in_parallel(
        live_server, org.token, [("PUT", f"/users/{user['uid']}", b) for b in bodies]
    )

    assert [r.status_code for r in responses] == [200] * WRITERS
    with httpx.Client(
        base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as c:
        final = c.get(f"/users/{user['uid']}").json()
    index = int(final["name"].split()[-1])
    expected_group = bodies[index]["accountGroupRoles"][0]["accountGroupId"]  # type: ignore[index]
    assert [g["accountGroup"]["aid"] for g in final["accountGroupRoles"]] == [expected_group]
    with org.store.read() as tx:
        events = [
            e
            for e in tx.list_audit_events(org.account_group.org_id)
            if e.action == "user.update" and e.new_state and e.new_state["uid"] == user["uid"]
        ]
    assert len(events) == WRITERS


def test_parallel_deletes_succeed_exactly_once(live_server: LiveServer, orgs: OrgFactory) -> None:
    org = unlimited_org(orgs)
    with httpx.Client(
        base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as c:
        user = new_user(c).json()

    responses = in_parallel(
        live_server, org.token, [("DELETE", f"/users/{user['uid']}", None)] * WRITERS
    )

    assert Counter(r.status_code for r in responses) == {204: 1, 404: WRITERS - 1}
    with org.store.read() as tx:
        deletes = [
            e for e in tx.list_audit_events(org.account_group.org_id) if e.action == "user.delete"
        ]
    assert len(deletes) == 1


def test_listings_while_writers_run_hold_every_steady_user_once(
    live_server: LiveServer, orgs: OrgFactory
) -> None:
    org = unlimited_org(orgs)
    headers = {"Authorization": f"Bearer {org.token}"}
    with httpx.Client(base_url=live_server.thousandeyes_url, headers=headers) as c:
        steady = {new_user(c).json()["uid"] for _ in range(30)}
    stop = threading.Event()
    churned = Counter[str]()

    def churn() -> None:
        with httpx.Client(base_url=live_server.thousandeyes_url, headers=headers) as other:
            while not stop.is_set():
                uid = new_user(other).json()["uid"]
                churned["created"] += 1
                if other.delete(f"/users/{uid}").status_code == 204:
                    churned["deleted"] += 1

    writers = [threading.Thread(target=churn) for _ in range(2)]
    for writer in writers:
        writer.start()
    try:
        with httpx.Client(base_url=live_server.thousandeyes_url, headers=headers) as c:
            listings = [[u["uid"] for u in c.get("/users").json()["users"]] for _ in range(15)]
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=30)

    assert churned["created"] > 0
    assert churned["deleted"] > 0
    for uids in listings:
        assert len(uids) == len(set(uids))
        assert steady <= set(uids)


# A delete racing a device assignment: one of the two loses. The server runs each request in its
# own thread on its own database connection, as every worker of `rosterd serve` does; without
# rate limits, since a race sends Kandji's requests faster than its per-second limit allows.


@pytest.fixture(scope="module")
def unthrottled(store: SqlDirectoryStore, database_url: str) -> Iterator[LiveServer]:
    with start_server(database_url, store, rate_limits=False) as server:
        yield server


RACE_ROUNDS = 40
STILL_ASSIGNED = {"detail": "User still assigned to one or more devices."}
NOT_FOUND = {"detail": "Not found."}


@dataclass(frozen=True)
class Contender:
    """A user and an unassigned device of its own, fresh for one round of a race."""

    user: User
    device_id: str


def contenders(org: TestOrg, count: int) -> list[Contender]:
    directory = Directory(org, org.store)
    users = directory.add_users(directory.integration(), count, prefix="racer")
    device_ids = [str(uuid.uuid4()) for _ in users]
    DevicesService(org.store).import_devices(
        org_subdomain=org.subdomain,
        records=[{"serial_number": d[:12].upper(), "device_id": d} for d in device_ids],
    )
    return [Contender(u, d) for u, d in zip(users, device_ids, strict=True)]


Call = Callable[[], httpx.Response]


def at_once(pool: ThreadPoolExecutor, *calls: Call) -> list[httpx.Response]:
    """The calls from threads released together by one barrier, each on its own connection."""
    barrier = threading.Barrier(len(calls))

    def run(call: Call) -> httpx.Response:
        barrier.wait()
        return call()

    return [f.result() for f in [pool.submit(run, call) for call in calls]]


@contextmanager
def clients(base_url: str, token: str, count: int) -> Iterator[list[httpx.Client]]:
    """Clients with warm keep-alive connections, so that a race sends requests, not handshakes."""
    with ExitStack() as stack:
        made = [
            stack.enter_context(
                httpx.Client(
                    base_url=base_url, timeout=60, headers={"Authorization": f"Bearer {token}"}
                )
            )
            for _ in range(count)
        ]
        for client in made:
            assert client.get("/devices", params={"limit": "1"}).status_code == 200
        yield made


def unknown_user(user: User) -> dict[str, str]:
    return {"detail": f'Invalid pk "{user.id}" - object does not exist.'}


def answer(response: httpx.Response) -> tuple[int, Any]:
    """Status and body; of a device only its user's id ("" when nobody is assigned), of a user
    only its device count."""
    body = response.json() if response.content else None
    if isinstance(body, dict) and "device_id" in body:
        body = body["user"] and body["user"]["id"]
    elif isinstance(body, dict) and "device_count" in body:
        body = body["device_count"]
    return response.status_code, body


def dangling_devices(org: TestOrg) -> list[str]:
    """Devices of the organization that point at a user that is not there."""
    devices, users = t.devices, t.users
    with org.store.engine.connect() as conn:
        rows = conn.execute(
            select(devices.c.device_id).where(
                devices.c.org_id == org.account_group.org_id,
                devices.c.user_uid.is_not(None),
                ~select(users.c.uid).where(users.c.uid == devices.c.user_uid).exists(),
            )
        )
        return [str(device_id) for device_id in rows.scalars()]


# (delete answer, assignment answer, user lookup, device lookup)
Outcome = tuple[tuple[int, Any], tuple[int, Any], tuple[int, Any], tuple[int, Any]]


def race_deletes_with_assignments(
    rounds: list[Contender],
    delete: Callable[[Contender], httpx.Response],
    kandji: tuple[httpx.Client, httpx.Client],
    allowed: Callable[[Contender], list[Outcome]],
) -> list[str]:
    """Each round: the delete and the assignment at once, then what the directory shows.

    Returns the outcomes of the rounds that ended in none of the allowed ones.
    """
    patcher, reader = kandji
    failures: list[str] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for one in rounds:
            assign = partial(
                patcher.patch, f"/devices/{one.device_id}", json={"user": str(one.user.id)}
            )
            deleted, patched = at_once(pool, partial(delete, one), assign)
            user = reader.get(f"/users/{one.user.id}")
            device = reader.get(f"/devices/{one.device_id}")
            outcome = (answer(deleted), answer(patched), answer(user), answer(device))
            if outcome not in allowed(one):
                failures.append(repr(outcome))
    return failures


def test_a_kandji_delete_racing_an_assignment_loses_or_wins_whole(
    unthrottled: LiveServer, orgs: OrgFactory
) -> None:
    org = orgs.create()
    rounds = contenders(org, RACE_ROUNDS)

    def allowed(one: Contender) -> list[Outcome]:
        user_id = str(one.user.id)
        assignment_won = ((400, STILL_ASSIGNED), (200, user_id), (200, 1), (200, user_id))
        delete_won = ((204, None), (400, unknown_user(one.user)), (404, NOT_FOUND), (200, ""))
        return [assignment_won, delete_won]

    with clients(unthrottled.kandji_url, org.token, 3) as (deleter, patcher, reader):
        failures = race_deletes_with_assignments(
            rounds, lambda one: deleter.delete(f"/users/{one.user.id}"), (patcher, reader), allowed
        )

    assert failures == [], f"{len(failures)} of {RACE_ROUNDS} rounds: {failures}"
    assert dangling_devices(org) == []


def test_a_thousandeyes_delete_racing_an_assignment_unassigns_it_or_refuses_it(
    unthrottled: LiveServer, orgs: OrgFactory
) -> None:
    org = orgs.create()
    rounds = contenders(org, RACE_ROUNDS)

    def allowed(one: Contender) -> list[Outcome]:
        # The assignment landed first (and the delete unassigned it), or found the user gone.
        landed_first = ((204, None), (200, str(one.user.id)), (404, NOT_FOUND), (200, ""))
        refused = ((204, None), (400, unknown_user(one.user)), (404, NOT_FOUND), (200, ""))
        return [landed_first, refused]

    with (
        clients(unthrottled.kandji_url, org.token, 2) as (patcher, reader),
        httpx.Client(
            base_url=unthrottled.thousandeyes_url,
            timeout=60,
            headers={"Authorization": f"Bearer {org.token}"},
        ) as deleter,
    ):
        assert deleter.get("/users/current").status_code == 200
        failures = race_deletes_with_assignments(
            rounds, lambda one: deleter.delete(f"/users/{one.user.uid}"), (patcher, reader), allowed
        )

    assert failures == [], f"{len(failures)} of {RACE_ROUNDS} rounds: {failures}"
    assert dangling_devices(org) == []
