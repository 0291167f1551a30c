"""SIGKILL mid-stream: every acknowledged write survives, and the database stays consistent."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import httpx
from sqlalchemy import text

from rosterd.storage import SqlDirectoryStore
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


def stream_writes(base_url: str, token: str, seen: Acknowledged, stop: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{base_url}/v7", headers=headers, timeout=5) as c:
        i = 0
        while not stop.is_set():
            i += 1
            try:
                created = c.post("/users", json={"name": f"User {i}", "email": unique_email()})
                if created.status_code != 201:
                    continue
                uid = created.json()["uid"]
                with seen.lock:
                    seen.names[uid] = f"User {i}"
                with seen.lock:
                    seen.in_flight[uid] = f"User {i} renamed"
                renamed = c.put(f"/users/{uid}", json={"name": f"User {i} renamed"})
                if renamed.status_code == 200:
                    with seen.lock:
                        seen.names[uid] = f"User {i} renamed"
            except httpx.TransportError:
                return  # the server is gone


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
    server = start_process(database_url, ROSTERD_RATE_LIMITS="off")
    seen, stop = Acknowledged(), threading.Event()
    writers = [
        threading.Thread(target=stream_writes, args=(server.base_url, org.token, seen, stop))
        for _ in range(4)
    ]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 20
    while len(seen.names) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()
    stop.set()
    for writer in writers:
        writer.join(timeout=10)
    assert len(seen.names) >= 40, "too few writes were acknowledged before the kill"

    check_integrity(store)
    restarted = start_process(database_url, ROSTERD_RATE_LIMITS="off")
    try:
        with httpx.Client(
            base_url=f"{restarted.base_url}/v7", headers={"Authorization": f"Bearer {org.token}"}
        ) as c:
            stored = {u["uid"]: u["name"] for u in c.get("/users").json()["users"]}
    finally:
        restarted.stop()
    lost = {
        uid: name
        for uid, name in seen.names.items()
        if stored.get(uid) not in (name, seen.in_flight.get(uid))
    }
    assert lost == {}, f"acknowledged writes lost or changed: {lost}"
