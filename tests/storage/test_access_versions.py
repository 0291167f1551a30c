"""The access version and the caches it guards, on both databases.

Each worker keeps every organization's catalogue (account groups, roles and their permissions)
and every token's endpoint permissions in memory; the store's triggers move the organization's
`access_version` in the same transaction as any change to them. A second store on its own
engine stands in for another worker process (or host) with a cache of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from sqlalchemy import text

from rosterd.core import permissions as perm
from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.core.entities import EndpointPermission
from rosterd.core.errors import Unauthenticated
from rosterd.core.tokens import hash_token
from rosterd.storage import SqlDirectoryStore, make_engine
from tests.support.orgs import OrgFactory, TestOrg


@pytest.fixture
def other_worker(database_url: str) -> Iterator[SqlDirectoryStore]:
    engine = make_engine(database_url)
    yield SqlDirectoryStore(engine)
    engine.dispose()


def version(store: SqlDirectoryStore, org: TestOrg) -> int:
    with store.engine.connect() as conn:
        found: int = conn.execute(
            text("SELECT access_version FROM organizations WHERE subdomain = :s"),
            {"s": org.subdomain},
        ).scalar_one()
        return found


def run_sql(store: SqlDirectoryStore, sql: str, **params: object) -> None:
    """A change made behind rosterd's back, as an operator's UPDATE would."""
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def org_id(org: TestOrg) -> int:
    return org.admin.org_id


CHANGES: dict[str, Callable[[SqlDirectoryStore, TestOrg], object]] = {
    "add an account group": lambda s, o: o.add_account_group("Added"),
    "rename an account group": lambda s, o: run_sql(
        s, "UPDATE account_groups SET name = 'Renamed' WHERE aid = :aid", aid=o.account_group.aid
    ),
    "add a custom role": lambda s, o: o.add_role("Helpdesk", perm.API_ACCESS),
    "remove a permission from a custom role": lambda s, o: run_sql(
        s,
        "DELETE FROM role_permissions WHERE role_id = :role",
        role=o.add_role("Auditor", perm.API_ACCESS, perm.VIEW_ALL_USERS).role_id,
    ),
    "delete a custom role": lambda s, o: run_sql(
        s, "DELETE FROM roles WHERE role_id = :role", role=o.add_role("Gone").role_id
    ),
    "limit a token to an endpoint": lambda s, o: run_sql(
        s,
        "INSERT INTO api_token_permissions (token_id, path, http_method) "
        "SELECT id, '/v7/users', 'GET' FROM api_tokens WHERE token_hash = :h",
        h=hash_token(o.token),
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_to_what_callers_may_do_moves_the_version(
    store: SqlDirectoryStore, orgs: OrgFactory, change: str
) -> None:
    org, bystander = orgs.create(), orgs.create()
    before, bystander_before = version(store, org), version(store, bystander)

    CHANGES[change](store, org)

    assert version(store, org) > before
    assert version(store, bystander) == bystander_before  # other organizations keep theirs


def test_changes_to_users_and_their_roles_leave_the_version_alone(
    store: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    # They are read fresh on every request, so writers of users never queue on the org row.
    org = orgs.create()
    before = version(store, org)
    run_sql(store, "UPDATE users SET name = 'Renamed' WHERE uid = :uid", uid=org.admin.uid)
    run_sql(store, "DELETE FROM user_all_account_group_roles WHERE uid = :uid", uid=org.admin.uid)
    assert version(store, org) == before


def test_a_built_in_role_changed_by_a_migration_moves_every_version(
    store: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    first, second = orgs.create(), orgs.create()
    before = version(store, first), version(store, second)
    with store.engine.connect() as conn, conn.begin() as tx:
        conn.execute(text("UPDATE roles SET name = name WHERE role_id = 3"))  # Regular User
        after = [
            conn.execute(
                text("SELECT access_version FROM organizations WHERE subdomain = :s"),
                {"s": o.subdomain},
            ).scalar_one()
            for o in (first, second)
        ]
        tx.rollback()
    assert after[0] > before[0]
    assert after[1] > before[1]


def test_the_catalogue_is_kept_until_another_worker_changes_it(
    store: SqlDirectoryStore, other_worker: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    org = orgs.create()
    with store.read() as tx:
        first = tx.get_catalogue(org_id(org))
    with store.read() as tx:
        assert tx.get_catalogue(org_id(org)) is first  # kept: no reload while nothing changed

    helpdesk = replace(org, store=other_worker).add_role("Helpdesk", perm.API_ACCESS).role_id

    with store.read() as tx:
        fresh = tx.get_catalogue(org_id(org))
    assert fresh is not first
    assert helpdesk in fresh.roles
    assert list(fresh.account_groups) == [org.account_group.aid]


def test_a_token_limited_by_another_worker_is_limited_at_once(
    store: SqlDirectoryStore, other_worker: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    org = orgs.create()
    auth = AuthService(store)
    assert auth.authenticate(org.token).endpoints == frozenset()

    run_sql(
        other_worker,
        "INSERT INTO api_token_permissions (token_id, path, http_method) "
        "SELECT id, '/v7/users', 'GET' FROM api_tokens WHERE token_hash = :h",
        h=hash_token(org.token),
    )

    assert auth.authenticate(org.token).endpoints == {EndpointPermission("/v7/users", "GET")}


def test_revoking_a_token_in_another_worker_is_seen_at_once(
    store: SqlDirectoryStore, other_worker: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    org = orgs.create()
    auth = AuthService(store)
    auth.authenticate(org.token)

    AuthService(other_worker).revoke_token(
        org_subdomain=org.subdomain, token=org.token, actor=CLI_ACTOR
    )

    with pytest.raises(Unauthenticated):
        auth.authenticate(org.token)
