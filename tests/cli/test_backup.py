"""`rosterd db backup`: a consistent copy of a live SQLite database that rosterd can serve."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import httpx

from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from tests.api.thousandeyes.test_users import unique_email
from tests.cli.test_cli import rosterd
from tests.support.orgs import OrgFactory
from tests.support.process import running


def test_backup_of_a_live_database_is_consistent_and_servable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/live.db"
    engine = make_engine(url)
    upgrade(engine)
    org = OrgFactory(SqlDirectoryStore(engine)).create(rate_limit_per_minute=100_000)
    stop = threading.Event()

    with running(url) as server:

        def write() -> None:
            with httpx.Client(
                base_url=f"{server.base_url}/v7", headers={"Authorization": f"Bearer {org.token}"}
            ) as c:
                while not stop.is_set():
                    c.post("/users", json={"name": "W", "email": unique_email()})

        writer = threading.Thread(target=write)
        writer.start()
        try:
            result = rosterd("db", "backup", str(tmp_path / "copy.db"), database_url=url)
        finally:
            stop.set()
            writer.join()
    assert "backed up" in result.stderr

    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    users_in_copy = copy.execute("SELECT count(*) FROM users").fetchone()[0]
    copy.close()
    assert users_in_copy >= 1
    with running(f"sqlite:///{tmp_path}/copy.db") as restored:
        response = httpx.get(
            f"{restored.base_url}/v7/users", headers={"Authorization": f"Bearer {org.token}"}
        )
    assert response.status_code == 200
    assert len(response.json()["users"]) == users_in_copy


def test_backup_refuses_to_overwrite_and_postgresql(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/live.db"
    upgrade(make_engine(url))
    (tmp_path / "exists.db").write_bytes(b"")

    refused = rosterd("db", "backup", str(tmp_path / "exists.db"), database_url=url, check=False)
    assert refused.returncode == 2
    assert "already exists" in refused.stderr

    postgres = rosterd(
        "db",
        "backup",
        str(tmp_path / "pg.db"),
        database_url="postgresql://u:p@127.0.0.1:1/x",
        check=False,
    )
    assert postgres.returncode == 2
    assert "pg_dump" in postgres.stderr
