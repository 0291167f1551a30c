"""Concurrent writers on the live server: uniqueness, one final state, exactly-once deletes,
and listings that hold every user that existed throughout."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.api.thousandeyes.test_users import new_user, unique_email
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer

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
