"""Storage on both databases: migrations, durability settings, types and constraints."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text

from rosterd.core.errors import Conflict
from rosterd.core.permissions import BUILTIN_ROLES, CATALOGUE
from rosterd.core.ports import NewUser, UserChanges
from rosterd.storage import SqlDirectoryStore, is_current, make_engine, upgrade
from tests.support.orgs import OrgFactory

EXPECTED_TABLES = {
    "organizations",
    "account_groups",
    "permissions",
    "roles",
    "role_permissions",
    "users",
    "user_account_group_roles",
    "user_all_account_group_roles",
    "api_tokens",
    "audit_events",
    "alembic_version",
}


def test_migrations_create_the_schema_and_the_catalogue(store: SqlDirectoryStore) -> None:
    assert is_current(store.engine)
    assert set(inspect(store.engine).get_table_names()) >= EXPECTED_TABLES
    with store.read() as tx:
        assert [p.code for p in tx.list_permissions()] == [p.code for p in CATALOGUE]
        builtins = [r for r in tx.list_roles(-1) if r.is_builtin]
    assert [(r.role_id, r.name) for r in builtins] == [(r.role_id, r.name) for r in BUILTIN_ROLES]
    assert builtins[0].permission_codes == {p.code for p in CATALOGUE}


def test_upgrade_is_idempotent(store: SqlDirectoryStore) -> None:
    upgrade(store.engine)
    assert is_current(store.engine)


def test_sqlite_runs_in_wal_with_full_sync_and_foreign_keys(
    store: SqlDirectoryStore, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite pragmas")
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_datetimes_round_trip_as_aware_utc(store: SqlDirectoryStore, orgs: OrgFactory) -> None:
    org = orgs.create()
    moment = datetime(2024, 9, 6, 23, 0, 4, 304248, tzinfo=timezone(timedelta(hours=2)))
    with store.write() as tx:
        user = tx.add_user(
            NewUser(
                id=uuid.uuid4(),
                org_id=org.account_group.org_id,
                email=f"{uuid.uuid4().hex}@x.io",
                name="T",
                login_account_group_id=None,
                created_at=moment,
            )
        )
    with store.read() as tx:
        loaded = tx.get_user(org.account_group.org_id, user.uid)
    assert loaded is not None
    assert loaded.created_at == moment
    assert loaded.created_at.tzinfo == UTC
    assert loaded.created_at.microsecond == 304248


def test_duplicate_email_in_one_org_is_a_conflict(
    store: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    org = orgs.create()
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.add_user(
            NewUser(
                id=uuid.uuid4(),
                org_id=org.account_group.org_id,
                email=org.admin.email.upper(),
                name="Twin",
                login_account_group_id=None,
                created_at=datetime.now(UTC),
            )
        )
    assert caught.value.errors[0].field == "email"


def test_an_email_change_to_a_taken_address_is_a_conflict_and_changes_nothing(
    store: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    org = orgs.create()
    org_id = org.account_group.org_id
    with store.write() as tx:
        other = tx.add_user(
            NewUser(
                id=uuid.uuid4(),
                org_id=org_id,
                email=f"{uuid.uuid4().hex}@x.io",
                name="Other",
                login_account_group_id=None,
                created_at=datetime.now(UTC),
            )
        )

    def rename_then_take_the_admins_email() -> None:
        with store.write() as tx:
            tx.update_user(org_id, other.uid, UserChanges(name="Renamed"))
            tx.update_user(org_id, other.uid, UserChanges(email=org.admin.email.upper()))

    with pytest.raises(Conflict) as caught:
        rename_then_take_the_admins_email()

    assert caught.value.errors[0].field == "email"
    with store.read() as tx:
        kept = tx.get_user(org_id, other.uid)
    assert kept is not None
    assert (kept.name, kept.email) == ("Other", other.email)


def test_a_failed_write_leaves_nothing_behind(store: SqlDirectoryStore, orgs: OrgFactory) -> None:
    org = orgs.create()
    org_id = org.account_group.org_id
    with store.read() as tx:
        before = tx.count_users(org_id)

    def add_then_fail() -> None:
        with store.write() as tx:
            tx.add_user(
                NewUser(
                    id=uuid.uuid4(),
                    org_id=org_id,
                    name="Ghost",
                    email=f"{uuid.uuid4().hex}@x.io",
                    login_account_group_id=None,
                    created_at=datetime.now(UTC),
                )
            )
            raise RuntimeError("abort the transaction")

    with pytest.raises(RuntimeError):
        add_then_fail()
    with store.read() as tx:
        assert tx.count_users(org_id) == before


def test_update_changes_only_given_fields(store: SqlDirectoryStore, orgs: OrgFactory) -> None:
    org = orgs.create()
    with store.write() as tx:
        updated = tx.update_user(
            org.account_group.org_id, org.admin.uid, UserChanges(name="New Name")
        )
    assert updated.name == "New Name"
    assert updated.email == org.admin.email
    assert updated.login_account_group_id == org.admin.login_account_group_id


def test_make_engine_refuses_other_databases() -> None:
    with pytest.raises(ValueError, match="unsupported database 'mysql'"):
        make_engine("mysql://localhost/x")
