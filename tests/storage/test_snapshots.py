"""Whole-database snapshots: restored exactly, ids continuing as after the snapshot, and no
worker's kept access data taken for current after a restore."""

from __future__ import annotations

import httpx

from rosterd.core.ports import Keyset, UserQuery
from rosterd.storage import SqlDirectoryStore
from rosterd.storage.snapshots import discard_snapshot, restore_snapshot, take_snapshot
from tests.api.kandji.conftest import Directory
from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer

State = tuple[list[str], list[str], list[str]]


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


def test_a_restore_brings_back_exactly_what_was_taken(store: SqlDirectoryStore) -> None:
    org = OrgFactory(store).create()
    directory = Directory(org, store)
    integration = directory.integration()
    directory.add_users(integration, 50, prefix="kept", tag="snap")
    org_id = org.admin.org_id
    before = _state(store, org_id)
    snapshot = take_snapshot(store.engine)

    directory.add_users(integration, 20, prefix="later", tag="snap")
    org.add_account_group("Later")
    other = OrgFactory(store).create()
    restore_snapshot(store.engine, snapshot)
    discard_snapshot(snapshot)

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
    live_server: LiveServer,
) -> None:
    """A catalogue kept at a version the restore undid must not match the same version number
    reached again by other changes."""
    store = live_server.store
    org = OrgFactory(store).create()
    snapshot = take_snapshot(store.engine)
    headers = {"Authorization": f"Bearer {org.token}"}
    with httpx.Client(base_url=live_server.thousandeyes_url, headers=headers) as client:

        def names() -> list[str]:
            groups = client.get("/account-groups").json()["accountGroups"]
            return [g["accountGroupName"] for g in groups]

        org.add_account_group("Undone")
        assert "Undone" in names()  # kept, at the version this change reached
        restore_snapshot(store.engine, snapshot)
        org.add_account_group("Done")  # one change again, as many as before

        assert names() == [org.name, "Done"]
    discard_snapshot(snapshot)
