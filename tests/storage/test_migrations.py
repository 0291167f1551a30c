"""Data migrations, run on a database of the previous revision with rows in it, on SQLite and
PostgreSQL."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.organizations import OrganizationsService
from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from tests.conftest import BACKENDS, new_postgres_database


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
