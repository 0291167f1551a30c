"""Data migrations, run on a database of the previous revision with rows in it, on SQLite and
PostgreSQL."""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.organizations import OrganizationsService
from rosterd.core.ports import Keyset, UserQuery
from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from rosterd.storage.migrate import alembic_config
from tests.api.kandji.conftest import Directory
from tests.conftest import BACKENDS, new_postgres_database
from tests.support.orgs import OrgFactory

SQLITE_EMAIL_UPDATE_TRIGGER = importlib.import_module(
    "rosterd.storage.migrations.versions.0006_bulk_import_indexes"
).SQLITE_EMAIL_UPDATE_TRIGGER


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own for one test, with no schema yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rosterd.db'}"
        return
    with new_postgres_database() as url:
        yield url


def test_0004_gives_every_user_a_login_group_and_nfc_email_keys(empty_database: str) -> None:
    engine = make_engine(empty_database)
    upgrade(engine, "0003")
    store = SqlDirectoryStore(engine)
    created = OrganizationsService(store).create_organization(
        name="Old",
        subdomain="old",
        admin_email="admin@old.test",
        admin_name=None,
        rate_limit_per_minute=None,
        actor=CLI_ACTOR,
    )
    nfd = unicodedata.normalize("NFD", "Jos\u00e9@Old.test")
    with engine.begin() as conn:
        # What 0003's code wrote: no login group for some users, keys only lower-cased.
        conn.execute(
            text("UPDATE users SET login_account_group_id = NULL, email = :e, email_key = :k"),
            {"e": nfd, "k": nfd.lower()},
        )

    upgrade(engine)

    with engine.connect() as conn:
        login, key = conn.execute(text("SELECT login_account_group_id, email_key FROM users")).one()
    assert login == created.account_group.aid
    assert key == unicodedata.normalize("NFC", "jos\u00e9@old.test")
    with store.read() as tx:
        assert tx.find_user_by_email(created.org.id, "JOS\u00c9@old.test") is not None
    engine.dispose()


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def _users_indexes(engine: Engine) -> set[str]:
    return {index["name"] for index in inspect(engine).get_indexes("users") if index["name"]}


def _email_update_trigger(engine: Engine) -> str | None:
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as conn:
        found: str | None = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'users_email_fts_au'"
        ).scalar()
    return found


def test_0006_matches_external_ids_on_the_organization_and_integration(
    empty_database: str,
) -> None:
    engine = make_engine(empty_database)
    upgrade(engine, "0005")
    store = SqlDirectoryStore(engine)
    directory = Directory(OrgFactory(store).create(), store)
    integration = directory.integration()
    directory.import_users(
        integration, [{"email": f"p{i}@older.test", "external_id": f"e-{i}"} for i in range(3)]
    )
    before = _email_update_trigger(engine)

    upgrade(engine)

    indexes = _users_indexes(engine)
    assert "ix_users_org_id_integration_id_external_id" in indexes
    assert "ix_users_integration_id_external_id" not in indexes
    if engine.dialect.name == "sqlite":
        assert before is not None
        assert "WHEN" not in before
        assert _email_update_trigger(engine) == SQLITE_EMAIL_UPDATE_TRIGGER
    # The users imported before it are matched by external id through the new index: a
    # renamed address is an update, not a new user, and the email search finds it.
    renamed = [{"email": "p0.new@older.test", "external_id": "e-0"}] + [
        {"email": f"p{i}@older.test", "external_id": f"e-{i}"} for i in (1, 2)
    ]
    result = directory.import_users(integration, renamed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    org_id = directory.org.admin.org_id
    with store.read() as tx:
        found = tx.list_directory_users(org_id, UserQuery(email_contains="0.new@"), Keyset())
        assert [u.user.email for u in found] == ["p0.new@older.test"]
        assert tx.list_directory_users(org_id, UserQuery(email_contains="p0@old"), Keyset()) == []
    engine.dispose()


def test_0006_downgrades_to_0005_and_back(empty_database: str) -> None:
    engine = make_engine(empty_database)
    upgrade(engine, "0005")
    at_0005 = (_users_indexes(engine), _email_update_trigger(engine))
    upgrade(engine)

    downgrade(engine, "0005")

    assert (_users_indexes(engine), _email_update_trigger(engine)) == at_0005
    upgrade(engine)
    assert "ix_users_org_id_integration_id_external_id" in _users_indexes(engine)
    engine.dispose()
