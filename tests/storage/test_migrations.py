"""Data migrations, run on a database of the previous revision with rows in it, on SQLite and
PostgreSQL."""

from __future__ import annotations

import importlib
import unicodedata
import uuid
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Engine, insert, inspect, text, update

from bench.console_seed import device_row
from rosterd.core.ports import DeviceQuery, Keyset, UserQuery
from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from rosterd.storage import tables as t
from rosterd.storage._devices import list_devices
from rosterd.storage.migrate import alembic_config
from tests.api.kandji.conftest import Directory
from tests.support.orgs import OrgFactory

SQLITE_EMAIL_UPDATE_TRIGGER = importlib.import_module(
    "rosterd.storage.migrations.versions.0006_email_index_on_key_change"
).SQLITE_EMAIL_UPDATE_TRIGGER


def test_0004_gives_every_user_a_login_group_and_nfc_email_keys(own_database_url: str) -> None:
    engine = make_engine(own_database_url)
    upgrade(engine, "0003")
    nfd = unicodedata.normalize("NFD", "Jos\u00e9@Old.test")
    with engine.begin() as conn:
        # What 0003's code wrote (in its own schema): no login group, keys only lower-cased.
        org_id = conn.execute(
            text(
                "INSERT INTO organizations (name, subdomain, created_at) "
                "VALUES ('Old', 'old', :now) RETURNING id"
            ),
            {"now": "2026-01-01 00:00:00.000000"},
        ).scalar_one()
        aid = conn.execute(
            text(
                "INSERT INTO account_groups (org_id, name, is_default) "
                "VALUES (:org, 'Old', true) RETURNING aid"
            ),
            {"org": org_id},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO users (id, org_id, email, email_key, email_confirmed, name, active,"
                " archived, department, job_title, created_at, updated_at) VALUES (:id, :org,"
                " :e, :k, true, 'José', true, false, '', '', :now, :now)"
            ),
            {
                "id": "0" * 32 if engine.dialect.name == "sqlite" else str(uuid.UUID(int=1)),
                "org": org_id,
                "e": nfd,
                "k": nfd.lower(),
                "now": "2026-01-01 00:00:00.000000",
            },
        )

    upgrade(engine)

    with engine.connect() as conn:
        login, key = conn.execute(text("SELECT login_account_group_id, email_key FROM users")).one()
    assert login == aid
    assert key == unicodedata.normalize("NFC", "jos\u00e9@old.test")
    store = SqlDirectoryStore(engine)
    with store.read() as tx:
        assert tx.find_user_by_email(org_id, "JOS\u00c9@old.test") is not None
    engine.dispose()


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def _email_update_trigger(engine: Engine) -> str | None:
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as conn:
        found: str | None = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'users_email_fts_au'"
        ).scalar()
    return found


def _search(store: SqlDirectoryStore, org_id: int, term: str) -> list[str]:
    with store.read() as tx:
        found = tx.list_directory_users(org_id, UserQuery(email_contains=term), Keyset())
    return sorted(u.user.email for u in found)


def test_0006_rewrites_sqlite_email_trigrams_only_for_a_new_key(own_database_url: str) -> None:
    engine = make_engine(own_database_url)
    upgrade(engine)
    store = SqlDirectoryStore(engine)
    directory = Directory(OrgFactory(store).create(), store)
    integration = directory.integration()
    rows = [{"email": f"p{i}@older.test", "external_id": f"e-{i}"} for i in range(3)]
    directory.import_users(integration, rows)
    # Written by today's code, then taken back: inserts index the same under 0005's triggers
    # as under 0006's; only updates differ.
    store.close()
    downgrade(engine, "0005")
    sqlite = engine.dialect.name == "sqlite"
    before = _email_update_trigger(engine)

    upgrade(engine)

    if sqlite:
        assert before is not None
        assert "WHEN" not in before
        assert _email_update_trigger(engine) == SQLITE_EMAIL_UPDATE_TRIGGER
    # The key of p0 changes, p1's address only in letter case (the same key), p2 is renamed:
    # every update sets email_key; the search index holds exactly the keys after it.
    changed = [
        {"email": "p0.new@older.test", "external_id": "e-0"},
        {"email": "P1@Older.test", "external_id": "e-1"},
        {"email": "p2@older.test", "name": "Renamed", "external_id": "e-2"},
    ]
    result = directory.import_users(integration, changed)
    assert (result.created, result.updated, result.unchanged) == (0, 3, 0)
    org_id = directory.org.admin.org_id
    assert _search(store, org_id, "older.test") == [
        "P1@Older.test",
        "p0.new@older.test",
        "p2@older.test",
    ]
    assert _search(store, org_id, "0.new@") == ["p0.new@older.test"]
    assert _search(store, org_id, "p0@old") == []
    if sqlite:
        with engine.connect() as conn:  # raises "database disk image is malformed" if not
            conn.exec_driver_sql(
                "INSERT INTO users_email_fts(users_email_fts, rank) VALUES ('integrity-check', 1)"
            )
    engine.dispose()


def test_0006_downgrades_to_0005_and_back(own_database_url: str) -> None:
    engine = make_engine(own_database_url)
    upgrade(engine, "0005")
    at_0005 = _email_update_trigger(engine)
    upgrade(engine)

    downgrade(engine, "0005")

    assert _email_update_trigger(engine) == at_0005
    upgrade(engine)
    sqlite = engine.dialect.name == "sqlite"
    assert _email_update_trigger(engine) == (SQLITE_EMAIL_UPDATE_TRIGGER if sqlite else None)
    engine.dispose()


def _sqlite_triggers_on(engine: Engine, table: str) -> list[str]:
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as conn:
        return sorted(
            conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
            ).scalars()
        )


def test_0008_gives_groups_tokens_and_the_admins_delete_account(own_database_url: str) -> None:
    engine = make_engine(own_database_url)
    upgrade(engine, "0007")
    triggers = _sqlite_triggers_on(engine, "account_groups")
    with engine.begin() as conn:
        org_id = conn.execute(
            text(
                "INSERT INTO organizations (name, subdomain, created_at) "
                "VALUES ('Old', 'old', :now) RETURNING id"
            ),
            {"now": "2026-01-01 00:00:00.000000"},
        ).scalar_one()
        for name in ("One", "Two"):
            conn.execute(
                text(
                    "INSERT INTO account_groups (org_id, name, is_default) VALUES (:o, :n, false)"
                ),
                {"o": org_id, "n": name},
            )
        # As databases made before 0008 had it: the catalogue without `Delete account`.
        conn.execute(text("DELETE FROM role_permissions WHERE permission_id = 14"))
        conn.execute(text("DELETE FROM permissions WHERE permission_id = 14"))

    upgrade(engine)

    with engine.connect() as conn:
        tokens = conn.execute(text("SELECT account_token FROM account_groups")).scalars().all()
        label = conn.execute(
            text("SELECT label FROM permissions WHERE permission_id = 14")
        ).scalar()
        holders = conn.execute(
            text("SELECT role_id FROM role_permissions WHERE permission_id = 14")
        ).scalars()
        holder_ids = sorted(holders)
    assert len(set(tokens)) == 2
    assert all(len(t) == 19 and t.isalnum() for t in tokens)
    assert label == "Delete account"
    assert holder_ids == [1]  # the Organization Admin
    # Plain ALTER TABLE: the access-version triggers of account_groups are still there.
    assert _sqlite_triggers_on(engine, "account_groups") == triggers
    downgrade(engine, "0007")
    assert _sqlite_triggers_on(engine, "account_groups") == triggers
    upgrade(engine)
    engine.dispose()


def test_0010_drops_sqlites_email_key_index_only_and_downgrades(own_database_url: str) -> None:
    engine = make_engine(own_database_url)
    upgrade(engine, "0009")
    assert "ix_users_email_key" in _user_indexes(engine)

    upgrade(engine)
    sqlite = engine.dialect.name == "sqlite"
    assert ("ix_users_email_key" in _user_indexes(engine)) is not sqlite

    downgrade(engine, "0009")
    assert "ix_users_email_key" in _user_indexes(engine)
    upgrade(engine)
    engine.dispose()


def _user_indexes(engine: Engine) -> set[str]:
    return {str(index["name"]) for index in inspect(engine).get_indexes("users")}


def test_0014_indexes_the_devices_already_there_and_downgrades(own_database_url: str) -> None:
    engine = make_engine(own_database_url)
    upgrade(engine, "0013")
    now = datetime.now(UTC)
    with engine.begin() as conn:  # devices written before 0014 (its columns are 0013's)
        org_id = conn.execute(
            insert(t.organizations)
            .values(name="Old", subdomain="old", created_at=now)
            .returning(t.organizations.c.id)
        ).scalar_one()
        rows = [device_row(n, org_id, None, now) for n in range(3)]  # type: ignore[arg-type]
        conn.execute(insert(t.devices), rows)
    sqlite = engine.dialect.name == "sqlite"

    def found(term: str) -> list[str]:
        with engine.connect() as conn:
            query = DeviceQuery(serial_number_contains=term)
            return [d.device.name for d in list_devices(conn, org_id, query, limit=5, offset=0)]

    def indexes() -> set[str]:
        with engine.connect() as conn:
            if sqlite:
                names = "SELECT name FROM sqlite_master"
            else:
                names = "SELECT indexname FROM pg_indexes WHERE tablename = 'devices'"
            return set(conn.execute(text(names)).scalars())

    upgrade(engine)
    fts = {"devices_fts", "devices_fts_ai", "devices_fts_ad", "devices_fts_au"}
    trgm = {"ix_devices_name_trgm", "ix_devices_serial_number_trgm"}
    assert indexes() >= (fts if sqlite else trgm)
    assert found("00001") == ["Device 1"]  # from the index: the walk has nothing to walk
    if sqlite:
        with engine.begin() as conn:  # the backfill's index is the table's, row for row
            conn.exec_driver_sql(
                "INSERT INTO devices_fts(devices_fts, rank) VALUES ('integrity-check', 1)"
            )
            renamed = t.devices.c.name == "Device 2"
            conn.execute(update(t.devices).where(renamed).values(name="Two"))
        assert found("00002") == ["Two"]
        with engine.connect() as conn:  # the update trigger: the new name in, the old one out
            match = "SELECT count(*) FROM devices_fts WHERE devices_fts MATCH :q"
            counts = [conn.execute(text(match), {"q": q}).scalar_one() for q in ('"two"', '"e 2"')]
        assert counts == [1, 0]
    downgrade(engine, "0013")
    assert indexes() & (fts | trgm) == set()
    upgrade(engine)
    assert found("SN00000000") == ["Device 0", "Device 1", "Two" if sqlite else "Device 2"]
    engine.dispose()
