"""Bulk user imports (`rosterd users import` of hundreds of users a batch): the email search
index after bulk writes, a failed batch and a crash inside one; the counts and audit events;
the indexes the matching queries use on both databases."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event, select, text
from ulid import ULID

from rosterd.core import directory_sync
from rosterd.core.entities import AuditEvent
from rosterd.core.errors import Conflict
from rosterd.core.ports import (
    DeviceQuery,
    DirectoryUserUpdate,
    NewUser,
    ProvisionedUserQuery,
    UserQuery,
)
from rosterd.storage import SqlDirectoryStore, _statements, make_engine, upgrade
from rosterd.storage import _devices as storage_devices
from rosterd.storage import _directory as storage_directory
from rosterd.storage import _provisioning as storage_provisioning
from rosterd.storage import tables as t
from rosterd.storage._prepared import PreparedStatements
from tests.api.kandji.conftest import Directory
from tests.cli.test_cli import create_org, rosterd
from tests.cli.test_directory_cli import kandji, new_integration
from tests.conftest import new_postgres_database
from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer

BULK = 150  # users a batch: enough for the bulk path (100 and more)
_0002 = importlib.import_module("rosterd.storage.migrations.versions.0002_kandji_directory")
_0006 = importlib.import_module(
    "rosterd.storage.migrations.versions.0006_email_index_on_key_change"
)
_0009 = importlib.import_module("rosterd.storage.migrations.versions.0009_console_filters")
SEARCH_TRIGGERS = {
    statement.split()[2]: statement
    for statement in (
        *_0002._SQLITE_EMAIL_FTS,
        _0006.SQLITE_EMAIL_UPDATE_TRIGGER,
        *_0009._SQLITE_NAME_FTS,
    )
    if statement.startswith("CREATE TRIGGER")
}  # 0006 replaced 0002's users_email_fts_au; 0009 added the names' index


def people(tag: str, count: int, start: int = 0, **fields: Any) -> list[dict[str, Any]]:
    return [
        {"email": f"p{i:04d}.{tag}@bulk.example", "external_id": f"{tag}-{i}", **fields}
        for i in range(start, start + count)
    ]


@dataclass
class CliDirectory:
    """A new organization and office365 integration, fed by `rosterd users import`."""

    database_url: str
    files: Path
    org: str
    token: str
    integration: str
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def people(self, count: int, start: int = 0, **fields: Any) -> list[dict[str, Any]]:
        return people(self.tag, count, start, **fields)

    def import_rows(self, rows: list[dict[str, Any]], *extra: str) -> dict[str, int]:
        path = self.files / f"{uuid.uuid4().hex}.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
        result = rosterd(
            "users", "import", "--org", self.org, "--integration", self.integration, str(path),
            "--json", *extra, database_url=self.database_url,
        )  # fmt: skip
        counts: dict[str, int] = json.loads(result.stdout)
        return counts


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> CliDirectory:
    created = create_org(database_url)
    org = created["org"]["subdomain"]  # type: ignore[index]
    integration = new_integration(database_url, org)["uuid"]
    return CliDirectory(database_url, tmp_path, org, str(created["token"]), integration)


def search(client: httpx.Client, term: str) -> list[str]:
    """Every email the Kandji listing finds for `term`, following `next` links."""
    emails: list[str] = []
    url: str | None = "/users"
    params: dict[str, str] | None = {"email": term}
    while url:
        response = client.get(url, params=params)
        assert response.status_code == 200, response.text
        emails += [u["email"] for u in response.json()["results"]]
        url, params = response.json()["next"], None
    return sorted(emails)


def assert_email_index_whole(engine: Engine) -> None:
    """SQLite: the trigram indexes hold exactly the users' email keys and names, and their six
    triggers are there as migrations 0002, 0006 and 0009 made them (PostgreSQL's indexes are
    the database's business)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        # Raises "database disk image is malformed" when a row is missing or extra.
        for index in ("users_email_fts", "users_name_fts"):
            conn.exec_driver_sql(
                f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)"
            )
        triggers = dict(
            conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'users'"
            ).all()
        )
    assert triggers == SEARCH_TRIGGERS


def test_bulk_imported_users_are_found_by_email_search(
    cli: CliDirectory, live_server: LiveServer, store: SqlDirectoryStore
) -> None:
    tag, token = cli.tag, cli.token
    rows = cli.people(BULK)

    counts = cli.import_rows(rows)

    assert counts == {"created": BULK, "updated": 0, "unchanged": 0, "archived": 0}
    assert_email_index_whole(store.engine)
    with kandji(live_server, token) as client:
        assert search(client, tag) == sorted(r["email"] for r in rows)
        assert search(client, f"p0042.{tag}") == [f"p0042.{tag}@bulk.example"]
        # The row trigger is back: a user created afterwards, one by one, is found too.
        with httpx.Client(
            base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {token}"}
        ) as te:
            added = te.post("/users", json={"name": "Late", "email": f"late.{tag}@bulk.example"})
        assert added.status_code == 201, added.text
        assert search(client, f"late.{tag}") == [f"late.{tag}@bulk.example"]
    assert_email_index_whole(store.engine)


def test_bulk_updates_keep_the_email_index_exact(
    cli: CliDirectory, live_server: LiveServer, store: SqlDirectoryStore
) -> None:
    tag = cli.tag
    rows = cli.people(BULK)
    cli.import_rows(rows)
    # Every user renamed; the first half also gets a new address (matched by external id), and
    # the second half the same address in other letter case (the same email key).
    changed = [
        row | {"name": "Renamed", "email": row["email"].replace("@", ".new@")}
        if i < BULK // 2
        else row | {"name": "Renamed", "email": row["email"].upper()}
        for i, row in enumerate(rows)
    ]

    counts = cli.import_rows(changed)

    assert counts == {"created": 0, "updated": BULK, "unchanged": 0, "archived": 0}
    assert_email_index_whole(store.engine)
    with kandji(live_server, cli.token) as client:
        assert search(client, f"{tag}.new@") == sorted(r["email"] for r in changed[: BULK // 2])
        assert search(client, tag) == sorted(r["email"] for r in changed)


def test_a_batch_that_fails_rolls_back_with_the_email_index(
    store: SqlDirectoryStore, orgs: OrgFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(directory_sync, "BATCH_SIZE", BULK)
    monkeypatch.setattr(directory_sync, "COMMIT_SIZE", BULK)  # a transaction per batch
    directory = Directory(orgs.create(), store)
    integration = directory.integration()
    tag = uuid.uuid4().hex[:8]
    first, second = people(tag, BULK), people(tag, BULK, start=BULK)
    # Two spellings of one address in the second batch: its insert fails on the unique key,
    # after the bulk path dropped the row trigger.
    second[-1]["email"] = second[0]["email"].upper()

    with pytest.raises(Conflict) as refused:
        directory.import_users(integration, first + second)

    assert refused.value.errors[0].code == "DUPLICATE"
    assert_email_index_whole(store.engine)
    with store.read() as tx:
        org_id = tx.get_organization_by_subdomain(directory.org.subdomain).id  # type: ignore[union-attr]
        imported = {
            u.email
            for u in tx.list_users(org_id, after_uid=None, limit=10_000)
            if u.integration_id == integration.id
        }
    assert imported == {r["email"] for r in first}  # the first batch committed, not the second


CRASHING_IMPORT = """
import os, signal, sys
from rosterd.core import directory_sync
from rosterd.core.directory_sync import DirectorySyncService, parse_record
from rosterd.storage import SqlDirectoryStore, _bulk, make_engine
from rosterd.storage import tables as t

database_url, org, integration, count, batch = sys.argv[1:]
directory_sync.BATCH_SIZE = directory_sync.COMMIT_SIZE = int(batch)
insert_rows = _bulk.insert_rows
batches = 0

def insert_then_die(conn, table, columns, rows):
    # The second batch's users are in, its row trigger dropped, nothing committed: SIGKILL.
    global batches
    insert_rows(conn, table, columns, rows)
    if table is t.users:
        batches += 1
        if batches == 2:
            os.kill(os.getpid(), signal.SIGKILL)

_bulk.insert_rows = insert_then_die
records = [
    parse_record({"email": f"p{i:04d}.{org}@bulk.example", "external_id": f"x-{i}"}, "row")
    for i in range(int(count))
]
DirectorySyncService(SqlDirectoryStore(make_engine(database_url))).import_users(
    org_subdomain=org, integration_uuid=integration, records=records
)
"""


def test_a_crash_inside_a_batch_loses_that_batch_and_nothing_else(
    cli: CliDirectory, live_server: LiveServer, store: SqlDirectoryStore
) -> None:
    org, token, integration = cli.org, cli.token, cli.integration

    command = [sys.executable, "-c", CRASHING_IMPORT, cli.database_url, org, integration]
    crashed = subprocess.run(
        [*command, "450", str(BULK)], capture_output=True, text=True, timeout=120, check=False
    )

    assert crashed.returncode == -9, crashed.stderr
    assert_email_index_whole(store.engine)
    with kandji(live_server, token) as client:
        assert len(search(client, f".{org}@bulk")) == BULK  # the first batch, whole
    # The same people again, through the command: what the crash lost is created now.
    rows = [{"email": f"p{i:04d}.{org}@bulk.example", "external_id": f"x-{i}"} for i in range(450)]
    counts = cli.import_rows(rows)
    assert counts == {"created": 300, "updated": 0, "unchanged": BULK, "archived": 0}
    assert_email_index_whole(store.engine)
    with kandji(live_server, token) as client:
        assert len(search(client, f".{org}@bulk")) == 450


def audit_events(store: SqlDirectoryStore, org: str, integration: str) -> list[Any]:
    with store.read() as tx:
        org_id = tx.get_organization_by_subdomain(org).id  # type: ignore[union-attr]
        return [e for e in tx.list_audit_events(org_id) if e.actor_id == integration]


def test_bulk_imports_count_and_audit_each_user_once(
    cli: CliDirectory, store: SqlDirectoryStore
) -> None:
    org, integration, tag = cli.org, cli.integration, cli.tag
    rows = cli.people(BULK, department="IT")
    first = cli.import_rows(rows)
    # 100 renamed, 50 as they were, 120 new; then a full sync that lists only the 120 new.
    again = [r | {"name": "Renamed"} for r in rows[:100]] + rows[100:] + cli.people(120, BULK)
    second = cli.import_rows(again)
    newest = again[BULK:]
    full = cli.import_rows(newest, "--full", "--yes")

    assert first == {"created": BULK, "updated": 0, "unchanged": 0, "archived": 0}
    assert second == {"created": 120, "updated": 100, "unchanged": 50, "archived": 0}
    assert full == {"created": 0, "updated": 0, "unchanged": 120, "archived": BULK}
    events = audit_events(store, org, integration)
    with store.read() as tx:
        org_id = tx.get_organization_by_subdomain(org).id  # type: ignore[union-attr]
        listed = tx.list_users(org_id, after_uid=None, limit=10_000)
        by_email = {u.email: u for u in listed}
    ids = [str(by_email[r["email"]].id) for r in rows]
    new_ids = [str(by_email[r["email"]].id) for r in newest]
    assert [(e.action, e.target_id) for e in events] == (
        [("user.create", i) for i in ids]
        + [("user.update", i) for i in ids[:100]]
        + [("user.create", i) for i in new_ids]
        + [("user.archive", i) for i in ids]
    )
    assert events[0].new_state == {
        "email": rows[0]["email"],
        "name": rows[0]["email"].split("@")[0],
        "department": "IT",
        "job_title": "",
        "active": True,
        "external_id": f"{tag}-0",
    }
    assert events[BULK].new_state == events[0].new_state | {"name": "Renamed"}
    assert {e.new_state["archived"] for e in events[-BULK:]} == {True}  # type: ignore[index]
    assert all(e.target_type == "user" and e.actor_type == "integration" for e in events)
    # Ids are ULIDs of the event's time, increasing in the order of the changes.
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert all(ULID.from_str(e.id).timestamp == pytest.approx(
        e.occurred_at.timestamp(), abs=0.001) for e in events)  # fmt: skip


def explained(engine: Engine, run: Any) -> list[str]:
    """The plans of the SELECTs `run(conn)` sends."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    with engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", capture)
        run(conn)
        event.remove(conn, "before_cursor_execute", capture)
        prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        return [
            "\n".join(str(row[-1]) for row in conn.exec_driver_sql(prefix + sql, params))
            for sql, params in sent
        ]


@pytest.fixture
def fresh_engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A new database, migrated, whose users table PostgreSQL has never analyzed (as on a
    first import, before autovacuum gets to it)."""
    if database_url.startswith("sqlite"):
        engine = make_engine(f"sqlite:///{tmp_path}/plans.db")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    with new_postgres_database() as url:
        engine = make_engine(url)
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE users SET (autovacuum_enabled = false)"))
        yield engine
        engine.dispose()


def test_matching_looks_users_up_by_external_id_and_email_indexes(
    fresh_engine: Engine,
) -> None:
    store = SqlDirectoryStore(fresh_engine)
    directory = Directory(OrgFactory(store).create(), store)
    integration = directory.integration()
    tag = uuid.uuid4().hex[:8]
    directory.import_users(integration, people(tag, 2000))
    with store.read() as tx:
        org_id = tx.get_organization_by_subdomain(directory.org.subdomain).id  # type: ignore[union-attr]

    def find(conn: Any) -> None:
        storage_directory.find_directory_matches(
            conn, org_id, integration.id, [f"{tag}-1", "unknown"], ["someone@else.example"]
        )

    plans = explained(fresh_engine, find)

    assert len(plans) == 2
    by_external_id, by_email = plans
    assert "ix_users_integration_id_external_id" in by_external_id
    # SQLite's only index on email keys is the unique (org_id, email_key) (migration 0010).
    sqlite = fresh_engine.dialect.name == "sqlite"
    assert ("(org_id=? AND email_key=?)" if sqlite else "ix_users_email_key") in by_email
    assert "ix_users_email_key_trgm" not in by_email
    for plan in plans:  # never an index that lists a whole organization or integration
        assert "ix_users_org_id_integration_id_uid" not in plan
        assert "ix_users_org_id_uid" not in plan
        assert "Seq Scan on users" not in plan


def test_sqlite_finds_every_email_key_in_the_organizations_unique_index(
    fresh_engine: Engine,
) -> None:
    """Migration 0010 dropped SQLite's index on email_key alone: each lookup by email key names
    the organization, and is answered from the unique (org_id, email_key) index."""
    if fresh_engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps ix_users_email_key (migration 0010)")
    store = SqlDirectoryStore(fresh_engine)
    directory = Directory(OrgFactory(store).create(), store)
    integration = directory.integration()
    directory.import_users(integration, people(uuid.uuid4().hex[:8], 2000))
    org_id = directory_org_id(store, directory)
    email = "someone@else.example"

    def look_up(conn: Any) -> None:
        conn.execute(_statements.USER_BY_EMAIL_KEY, {"org_id": org_id, "email_key": email})
        storage_devices.find_assignee(conn, org_id, id=None, email=email, lock=False)
        storage_devices.list_devices(
            conn, org_id, DeviceQuery(user_email_exact=email), limit=10, offset=0
        )
        storage_provisioning.find_provisioned_users(
            conn, PreparedStatements(conn.dialect), org_id, integration.id,
            ProvisionedUserQuery(user_name_key=email),
        )  # fmt: skip

    plans = explained(fresh_engine, look_up)

    assert len(plans) >= 4
    for plan in plans[:4]:
        assert "(org_id=? AND email_key=?)" in plan, plan
        assert "SCAN users" not in plan, plan
        assert "SCAN other" not in plan, plan
    # Past a search's walk, the organization's email keys come from the same index, alone.
    past_the_walk = select(t.users.c.uid).where(
        *storage_directory._from_email_keys(org_id, UserQuery(email_contains="p1"))
    )
    (keys,) = explained(fresh_engine, lambda conn: conn.execute(past_the_walk))
    assert "SEARCH keys USING COVERING INDEX" in keys, keys
    assert "(org_id=?)" in keys, keys


def raw_rows(engine: Engine, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Rows as the database stores them (no SQLAlchemy type processing)."""
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


def test_bulk_writes_store_what_the_row_by_row_writes_store(
    store: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    """The executemany/COPY path against SQLAlchemy's own INSERTs (`add_user`,
    `add_audit_events`, as every import wrote before): the same stored values, to the byte."""
    org = orgs.create()
    directory = Directory(org, store)
    integration = directory.integration()
    tag = uuid.uuid4().hex[:8]
    directory.import_users(integration, people(tag, BULK, name="Ana Lima", department="IT"))
    bulk_user = raw_rows(
        store.engine, "SELECT * FROM users WHERE email = :e", e=f"p0000.{tag}@bulk.example"
    )[0]
    bulk_event = raw_rows(
        store.engine,
        "SELECT *, CAST(new_state AS TEXT) AS state FROM audit_events WHERE target_id = :t",
        t=str(uuid.UUID(str(bulk_user["id"]))),  # SQLite keeps 32 hex digits, PostgreSQL a uuid
    )[0]
    one = NewUser(
        id=uuid.uuid4(),
        org_id=bulk_user["org_id"],
        email=f"one.{tag}@bulk.example",
        name="Ana Lima",
        login_account_group_id=bulk_user["login_account_group_id"],
        created_at=_rows_time(bulk_user["created_at"]),
        department="IT",
        integration_id=integration.id,
        external_id=f"{tag}-one",
    )
    event = AuditEvent(
        id=str(ULID()),
        org_id=bulk_event["org_id"],
        occurred_at=_rows_time(bulk_event["occurred_at"]),
        actor_type="integration",
        actor_id=str(integration.uuid),
        action="user.create",
        target_type="user",
        target_id=str(one.id),
        new_state=json.loads(bulk_event["state"])
        | {"email": one.email, "external_id": one.external_id},
        request_id=None,
    )
    with store.write() as tx:
        tx.add_user(one)
        tx.add_audit_events([event])
    single_user = raw_rows(store.engine, "SELECT * FROM users WHERE email = :e", e=one.email)[0]
    single_event = raw_rows(
        store.engine,
        "SELECT *, CAST(new_state AS TEXT) AS state FROM audit_events WHERE target_id = :t",
        t=str(one.id),
    )[0]

    def same(row: dict[str, Any], *own: str) -> dict[str, Any]:
        return {k: (type(v), v) for k, v in row.items() if k not in own}

    assert same(bulk_user, "uid", "id", "email", "email_key", "external_id") == same(
        single_user, "uid", "id", "email", "email_key", "external_id"
    )
    assert type(bulk_user["id"]) is type(single_user["id"])
    assert len(str(bulk_user["id"])) == len(str(single_user["id"]))
    assert same(bulk_event, "id", "target_id", "new_state", "state") == same(
        single_event, "id", "target_id", "new_state", "state"
    )
    # The state as JSON text, key for key and space for space, but for the user's own values.
    assert bulk_event["state"].replace(f"p0000.{tag}", "X").replace(f"{tag}-0", "Y") == (
        single_event["state"].replace(f"one.{tag}", "X").replace(f"{tag}-one", "Y")
    )


def test_bulk_updates_store_what_an_update_a_user_stores(
    store: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    """PostgreSQL updates a batch's users from arrays (`UPDATE … FROM unnest(…)`): the stored
    rows are those of one UPDATE a user (SQLite's path, and every import's before), to the
    byte, for every column an import sets."""
    directory = Directory(orgs.create(), store)
    bulk, single = directory.integration("bulk"), directory.integration("single")
    tags = {bulk.id: uuid.uuid4().hex[:8], single.id: uuid.uuid4().hex[:8]}
    for integration in (bulk, single):
        directory.import_users(integration, people(tags[integration.id], BULK))

    def changed(tag: str) -> list[dict[str, Any]]:
        return [
            {
                # Every third user moves to a new address (found by external id).
                "email": f"{'moved' if i % 3 == 0 else 'p'}{i:04d}.{tag}@bulk.example",
                "external_id": f"{tag}-{i}",
                "name": f"Zoë {i}",
                "department": "Ünit" if i % 2 else "",
                "job_title": f"Title {i % 7}",
                "active": i % 5 != 0,
            }
            for i in range(BULK)
        ]

    sent: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        result = directory.import_users(bulk, changed(tags[bulk.id]))
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    assert (result.created, result.updated, result.unchanged) == (0, BULK, 0)
    if store.engine.dialect.name == "postgresql":
        assert any(s.startswith("UPDATE users") and "unnest(" in s for s in sent)

    def stored(integration_id: int) -> list[dict[str, Any]]:
        return raw_rows(
            store.engine,
            "SELECT * FROM users WHERE integration_id = :i ORDER BY external_id",
            i=integration_id,
        )

    when = _rows_time(stored(bulk.id)[0]["updated_at"])
    records = [directory_sync.parse_record(row, "row") for row in changed(tags[single.id])]
    uids = {row["external_id"]: row["uid"] for row in stored(single.id)}
    updates = [
        DirectoryUserUpdate(
            uid=uids[r.external_id or ""], email=r.email, name=r.name or "",
            department=r.department, job_title=r.job_title, active=r.active, archived=False,
            integration_id=single.id, external_id=r.external_id, updated_at=when,
        )
        for r in records
    ]  # fmt: skip
    fields = list(storage_directory._UPDATE_FIELDS)
    with store.engine.begin() as conn:
        rows = storage_directory._update_rows(conn, fields, updates)
        storage_directory._update_users(conn, directory_org_id(store, directory), [
            *fields, "email_key", "updated_at"], rows)  # fmt: skip

    def comparable(row: dict[str, Any]) -> dict[str, Any]:
        own = ("uid", "id", "integration_id", "created_at")
        tag = tags[row["integration_id"]]
        return {
            k: (type(v), v.replace(tag, "T") if isinstance(v, str) else v)
            for k, v in row.items()
            if k not in own
        }

    assert [comparable(r) for r in stored(bulk.id)] == [comparable(r) for r in stored(single.id)]


def directory_org_id(store: SqlDirectoryStore, directory: Directory) -> int:
    with store.read() as tx:
        org = tx.get_organization_by_subdomain(directory.org.subdomain)
    assert org is not None
    return org.id


def _rows_time(stored: Any) -> datetime:
    """A timestamp column's raw value (SQLite: naive UTC text) as an aware datetime."""
    if isinstance(stored, datetime):
        return stored
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


def test_a_user_matched_twice_in_one_batch_ends_as_the_later_record_says(
    store: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    directory = Directory(orgs.create(), store)
    integration = directory.integration()
    tag = uuid.uuid4().hex[:8]
    old, new = f"x.{tag}@bulk.example", f"x.new.{tag}@bulk.example"
    directory.import_users(integration, [{"email": old, "external_id": f"{tag}-x"}])
    # The first row finds the user by external id and moves it to a new address; the second
    # finds it by the old address (no external id) and only renames it: two updates, in order.
    result = directory.import_users(
        integration,
        [
            {"email": new, "external_id": f"{tag}-x", "department": "IT"},
            {"email": old, "name": "Later"},
        ],
    )

    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    with store.read() as tx:
        org_id = directory.org.admin.org_id
        user = tx.find_user_by_email(org_id, old)
        assert tx.find_user_by_email(org_id, new) is None
    assert user is not None
    assert (user.name, user.department, user.external_id) == ("Later", "", f"{tag}-x")
    updates = audit_events(store, directory.org.subdomain, str(integration.uuid))
    assert [(e.action, e.new_state["email"]) for e in updates[1:]] == [  # type: ignore[index]
        ("user.update", new),
        ("user.update", old),
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "bad.jsonl",
            '{"email": "a@acme.test"}\n\n{"email": "b@acme.test", "active": "maybe"}\n',
            ["error: line 3: active must be true or false"],
        ),
        (
            "bad.jsonl",
            '{"email": "a@acme.test"}\nnot json\n',
            ["error: line 2: not a JSON object:"],
        ),
        (
            "bad.csv",
            "email,name\na@acme.test,Ana\nb@acme.test,Bo,extra\n",
            ["error: line 3: the row has more values than columns"],
        ),
        (
            "twice.jsonl",
            '{"email": "a@acme.test"}\n{"email": "b@acme.test"}\n{"email": "A@acme.test"}\n',
            ["error: line 3: email: A@acme.test is listed twice"],
        ),
    ],
)
def test_bad_files_are_refused_whole_with_where_the_problem_is(
    cli: CliDirectory, store: SqlDirectoryStore, name: str, content: str, expected: list[str]
) -> None:
    path = cli.files / name
    path.write_text(content)

    result = rosterd(
        "users", "import", "--org", cli.org, "--integration", cli.integration, str(path),
        database_url=cli.database_url, check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [" ".join(line.split()) for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1  # one line per problem, its place said once
    assert lines[0].startswith(expected[0])
    assert audit_events(store, cli.org, cli.integration) == []  # nothing was written
