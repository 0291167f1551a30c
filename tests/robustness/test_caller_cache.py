"""A change to what a caller may do takes effect at once in every worker process.

Each rosterd process keeps organizations' catalogues and tokens' endpoint permissions in memory
(`storage/_access.py`). Two `rosterd serve` processes on one database stand for two workers (or
two hosts): both answer the caller first, so both have it cached; then the change is made
through one of them, or behind both of their backs, and the very next request to each must
honour it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import text

from rosterd.core import permissions as perm
from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.storage import SqlDirectoryStore
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.process import ServerProcess, start_processes


@pytest.fixture(scope="module")
def workers(database_url: str, store: SqlDirectoryStore) -> Iterator[list[str]]:
    started: list[ServerProcess] = []
    try:
        started = start_processes(2, database_url, ROSTERD_RATE_LIMITS="off")
        yield [s.base_url for s in started]
    finally:
        for server in started:
            server.stop()


@dataclass(frozen=True)
class Viewer:
    """A Regular User's token, allowed to read users through a custom role."""

    org: TestOrg
    uid: int
    role_id: int
    token: str

    def statuses(self, workers: list[str]) -> list[int]:
        """What each worker answers the viewer's read of the admin, in turn."""
        headers = {"Authorization": f"Bearer {self.token}"}
        return [
            httpx.get(f"{base}/v7/users/{self.org.admin.uid}", headers=headers).status_code
            for base in workers
        ]


@pytest.fixture
def viewer(orgs: OrgFactory, workers: list[str]) -> Viewer:
    org = orgs.create()
    role = org.add_role("Viewer", perm.API_ACCESS, perm.VIEW_ALL_USERS)
    created = httpx.post(
        f"{workers[0]}/v7/users",
        headers={"Authorization": f"Bearer {org.token}"},
        json={
            "name": "Vera Viewer",
            "email": f"viewer@{org.subdomain}.example",
            "accountGroupRoles": [{"accountGroupId": org.aid, "roleIds": [str(role.role_id)]}],
        },
    )
    assert created.status_code == 201, created.text
    token = org.token_for(f"viewer@{org.subdomain}.example")
    found = Viewer(org, int(created.json()["uid"]), role.role_id, token)
    assert found.statuses(workers) == [200, 200]  # both workers have the viewer cached now
    return found


def run_sql(store: SqlDirectoryStore, sql: str, **params: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


CHANGES: dict[str, tuple[Callable[[Viewer, SqlDirectoryStore, list[str]], object], int]] = {
    "its token is revoked": (
        lambda v, store, _: AuthService(store).revoke_token(
            org_subdomain=v.org.subdomain, token=v.token, actor=CLI_ACTOR
        ),
        401,
    ),
    "its user is deactivated": (
        lambda v, store, _: run_sql(
            store, "UPDATE users SET active = false WHERE uid = :u", u=v.uid
        ),
        401,
    ),
    "its role is taken away, through the other worker": (
        lambda v, _, workers: httpx.put(
            f"{workers[1]}/v7/users/{v.uid}",
            headers={"Authorization": f"Bearer {v.org.token}"},
            json={"accountGroupRoles": [{"accountGroupId": v.org.aid, "roleIds": ["3"]}]},
        ).raise_for_status(),
        403,
    ),
    "its role loses the permission": (
        lambda v, store, _: run_sql(
            store,
            "DELETE FROM role_permissions WHERE role_id = :r AND permission_id = "
            "(SELECT permission_id FROM permissions WHERE code = :code)",
            r=v.role_id,
            code=perm.VIEW_ALL_USERS,
        ),
        403,
    ),
    "its token is limited to other endpoints": (
        lambda v, store, _: run_sql(
            store,
            "INSERT INTO api_token_permissions (token_id, path, http_method) "
            "SELECT id, '/v7/users', 'POST' FROM api_tokens WHERE user_uid = :u",
            u=v.uid,
        ),
        403,
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_the_next_request_to_every_worker_honours_the_change(
    viewer: Viewer, store: SqlDirectoryStore, workers: list[str], change: str
) -> None:
    make_change, refused_with = CHANGES[change]

    make_change(viewer, store, workers)

    assert viewer.statuses(workers) == [refused_with, refused_with]
