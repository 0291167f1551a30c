"""Whole-database snapshots: restored exactly, ids continuing as after the snapshot, and no
worker's kept access data taken for current after a restore; on PostgreSQL also when the rows
cannot be written back one by one, and when the snapshots' own connection was lost."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from rosterd.core.ports import Keyset, UserQuery
from rosterd.storage import SqlDirectoryStore
from rosterd.storage._pg_snapshots import APPLICATION_NAME
from rosterd.storage.snapshots import DatabaseSnapshots, open_snapshots
from tests.api.kandji.conftest import Directory
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer

State = tuple[list[str], list[str], list[str]]


@pytest.fixture
def snapshots(store: SqlDirectoryStore) -> Iterator[DatabaseSnapshots]:
    kept = open_snapshots(store.engine)
    yield kept
    kept.close()


def _state(store: SqlDirectoryStore, org_id: int) -> State:
    with store.read() as tx:
        users = [f"{u.uid}:{u.email}" for u in tx.list_users(org_id, after_uid=None, limit=10_000)]
        groups = [f"{g.aid}:{g.name}:{g.account_token}" for g in tx.list_account_groups(org_id)]
        events = [e.id for e in tx.list_audit_events(org_id)]
    return users, groups, events


def _search(store: SqlDirectoryStore, org_id: int, term: str) -> list[str]:
    with store.read() as tx:
        found = tx.list_directory_users(org_id, UserQuery(email_contains=term), Keyset(limit=500))
    return sorted(u.user.email for u in found)


def test_a_restore_brings_back_exactly_what_was_taken(
    store: SqlDirectoryStore, snapshots: DatabaseSnapshots
) -> None:
    org = OrgFactory(store).create()
    directory = Directory(org, store)
    integration = directory.integration()
    directory.add_users(integration, 50, prefix="kept", tag="snap")
    org_id = org.admin.org_id
    before = _state(store, org_id)
    snapshots.take(1)

    directory.add_users(integration, 20, prefix="later", tag="snap")
    org.add_account_group("Later")
    other = OrgFactory(store).create()
    snapshots.restore(1)
    snapshots.discard(1)

    assert _state(store, org_id) == before
    with store.read() as tx:
        assert tx.get_organization_by_subdomain(other.subdomain) is None
    # The email search index came back with the rows.
    assert len(_search(store, org_id, "kept")) == 50
    assert _search(store, org_id, "later") == []
    # New rows get the ids they would have got right after the snapshot.
    again = org.add_account_group("After")
    assert again.aid == max(int(g.split(":")[0]) for g in before[1]) + 1


def test_what_a_worker_kept_from_undone_history_is_never_current(
    live_server: LiveServer, snapshots: DatabaseSnapshots
) -> None:
    """A catalogue kept at a version the restore undid must not match the same version number
    reached again by other changes."""
    store = live_server.store
    org = OrgFactory(store).create()
    snapshots.take(1)
    headers = {"Authorization": f"Bearer {org.token}"}
    with httpx.Client(base_url=live_server.thousandeyes_url, headers=headers) as client:

        def names() -> list[str]:
            groups = client.get("/account-groups").json()["accountGroups"]
            return [g["accountGroupName"] for g in groups]

        org.add_account_group("Undone")
        assert "Undone" in names()  # kept, at the version this change reached
        snapshots.restore(1)
        org.add_account_group("Done")  # one change again, as many as before

        assert names() == [org.name, "Done"]


def _directory_of(
    store: SqlDirectoryStore, users: int, *, prefix: str, tag: str
) -> tuple[TestOrg, Directory]:
    """A new organization with `users` directory users `{prefix}{i:05d}.{tag}@example.com`."""
    org = OrgFactory(store).create()
    directory = Directory(org, store)
    directory.add_users(directory.integration(), users, prefix=prefix, tag=tag)
    return org, directory


def _rename(store: SqlDirectoryStore, org_id: int, emails: dict[str, str]) -> None:
    """Give users new emails in one transaction (as a hand-written UPDATE would)."""
    with store.engine.begin() as conn:
        for old, new in emails.items():
            conn.execute(
                text("UPDATE users SET email = :new, email_key = :new WHERE email_key = :old"),
                {"old": old, "new": new},
            )


def test_each_restore_brings_back_the_same_state_whatever_changed_between(
    store: SqlDirectoryStore, snapshots: DatabaseSnapshots
) -> None:
    """Restored again and again (the rows a restore wrote count as unchanged after it), and
    after changes a unique index refuses to undo row by row: two users swapped their emails."""
    org, _ = _directory_of(store, 2, prefix="swap", tag="snap")
    org_id = org.admin.org_id
    before = _state(store, org_id)
    snapshots.take(1)
    first, second = "swap00000.snap@example.com", "swap00001.snap@example.com"

    for round_ in range(3):
        org.add_account_group(f"Round {round_}")
        _rename(store, org_id, {first: "moving@example.com"})
        _rename(store, org_id, {second: first, "moving@example.com": second})
        snapshots.restore(1)
        assert _state(store, org_id) == before
    assert _search(store, org_id, "swap0000") == [first, second]


def test_a_restore_after_the_snapshots_connection_was_lost(
    store: SqlDirectoryStore, snapshots: DatabaseSnapshots
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps its copies in this process")
    org, directory = _directory_of(store, 10, prefix="kept", tag="lost")
    org_id = org.admin.org_id
    before = _state(store, org_id)
    snapshots.take(1)
    snapshots.take(2)
    with store.engine.begin() as conn:
        ended = conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": APPLICATION_NAME},
        ).scalars()
        assert list(ended) == [True]  # the one connection holding both snapshots

    directory.add_users(directory.integration("later"), 5, prefix="later", tag="lost")
    snapshots.restore(1)
    assert _state(store, org_id) == before
    directory.add_users(directory.integration("again"), 5, prefix="again", tag="lost")
    snapshots.restore(2)  # rebuilt from its copy too, on the new connection
    assert _state(store, org_id) == before
    snapshots.discard(2)
    org.add_account_group("After")
    snapshots.restore(1)  # and kept again on it: the fast way
    assert _state(store, org_id) == before
