"""SIGKILL mid-stream of /v7 and SCIM writes: every acknowledged write survives, and the database
stays consistent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from sqlalchemy import text

from rosterd.storage import SqlDirectoryStore
from tests.api.scim.conftest import USER, patch_op, scim_integration
from tests.api.thousandeyes.test_users import unique_email
from tests.support.orgs import OrgFactory
from tests.support.process import start_process


@dataclass
class Acknowledged:
    """What the server confirmed with a 2xx before it died: uid → the name it last accepted."""

    names: dict[str, str] = field(default_factory=dict)
    # A rename sent but not answered when the server died may or may not have committed.
    in_flight: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def stream_writes(
    seen: Acknowledged,
    stop: threading.Event,
    create: Callable[[str], str | None],
    rename: Callable[[str, str], bool],
) -> None:
    """Creates, each followed by a rename, until `stop` or the server is gone; `create` gives the
    new user's key (None when refused), `rename` whether it was acknowledged."""
    i = 0
    while not stop.is_set():
        i += 1
        name, new_name = f"User {i}", f"User {i} renamed"
        try:
            key = create(name)
            if key is None:
                continue
            with seen.lock:
                seen.names[key] = name
                seen.in_flight[key] = new_name
            if rename(key, new_name):
                with seen.lock:
                    seen.names[key] = new_name
        except httpx.TimeoutException:
            # Slow, not gone: on a loaded machine the first request of a dialect waits for it to
            # be built. The write may have landed; a rename's is covered by `in_flight`.
            continue
        except httpx.TransportError:
            return  # the server is gone


def stream_api_writes(base_url: str, token: str, seen: Acknowledged, stop: threading.Event) -> None:
    """/v7 creates and PUT renames; `names` maps uid → name."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{base_url}/v7", headers=headers, timeout=5) as c:

        def create(name: str) -> str | None:
            created = c.post("/users", json={"name": name, "email": unique_email()})
            return created.json()["uid"] if created.status_code == 201 else None

        def rename(uid: str, name: str) -> bool:
            return c.put(f"/users/{uid}", json={"name": name}).status_code == 200

        stream_writes(seen, stop, create, rename)


def stream_scim_writes(
    base_url: str, token: str, seen: Acknowledged, stop: threading.Event
) -> None:
    """SCIM creates and PATCHes of displayName; `names` maps id → displayName."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
    with httpx.Client(base_url=f"{base_url}/api/v1/scim", headers=headers, timeout=5) as c:

        def create(name: str) -> str | None:
            body = {"schemas": [USER], "userName": unique_email(), "displayName": name}
            created = c.post("/Users", json=body)
            return created.json()["id"] if created.status_code == 201 else None

        def rename(user_id: str, name: str) -> bool:
            operation = {"op": "replace", "path": "displayName", "value": name}
            return c.patch(f"/Users/{user_id}", json=patch_op(operation)).status_code in (200, 204)

        stream_writes(seen, stop, create, rename)


def lost_writes(seen: Acknowledged, stored: dict[str, str]) -> dict[str, str]:
    return {
        key: name
        for key, name in seen.names.items()
        if stored.get(key) not in (name, seen.in_flight.get(key))
    }


def check_integrity(store: SqlDirectoryStore) -> None:
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
        duplicates = conn.execute(
            text(
                "SELECT org_id, email_key FROM users GROUP BY org_id, email_key HAVING count(*) > 1"
            )
        ).fetchall()
        assert duplicates == []
        orphans = conn.execute(
            text(
                "SELECT count(*) FROM user_account_group_roles r "
                "LEFT JOIN users u ON u.uid = r.uid WHERE u.uid IS NULL"
            )
        ).scalar()
        assert orphans == 0


def test_acknowledged_writes_survive_sigkill(
    database_url: str, store: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    org = orgs.create()
    scim_token = scim_integration(store, org).token
    server = start_process(database_url, ROSTERD_RATE_LIMITS="off")
    api_seen, scim_seen, stop = Acknowledged(), Acknowledged(), threading.Event()
    writers = [
        threading.Thread(
            target=stream_api_writes, args=(server.base_url, org.token, api_seen, stop)
        )
        for _ in range(3)
    ] + [
        threading.Thread(
            target=stream_scim_writes, args=(server.base_url, scim_token, scim_seen, stop)
        )
        for _ in range(2)
    ]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 30
    while min(len(api_seen.names), len(scim_seen.names)) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()
    stop.set()
    for writer in writers:
        writer.join(timeout=10)
    assert len(api_seen.names) >= 30, "too few API writes were acknowledged before the kill"
    assert len(scim_seen.names) >= 30, "too few SCIM writes were acknowledged before the kill"

    check_integrity(store)
    restarted = start_process(database_url, ROSTERD_RATE_LIMITS="off")
    try:
        api_stored, scim_stored = stored_names(restarted.base_url, org.token, scim_token)
    finally:
        restarted.stop()
    assert lost_writes(api_seen, api_stored) == {}, "acknowledged /v7 writes lost or changed"
    assert lost_writes(scim_seen, scim_stored) == {}, "acknowledged SCIM writes lost or changed"


def stored_names(
    base_url: str, api_token: str, scim_token: str
) -> tuple[dict[str, str], dict[str, str]]:
    """uid → name of every user under /v7, and id → displayName of the integration's users."""
    with httpx.Client(base_url=base_url, timeout=30) as c:
        users = c.get("/v7/users", headers={"Authorization": f"Bearer {api_token}"})
        scim = c.get(
            "/api/v1/scim/Users",
            params={"count": 1000},
            headers={"Authorization": f"Bearer {scim_token}"},
        )
    assert scim.json()["totalResults"] <= 1000
    return (
        {u["uid"]: u["name"] for u in users.json()["users"]},
        {u["id"]: u["displayName"] for u in scim.json()["Resources"]},
    )
