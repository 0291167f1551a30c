"""One read transaction per authenticated read request (`SqlDirectoryStore.shared_read`), on
both databases: what shares it, what does not, and that a request still sees every change
committed before it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import Engine, event

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.core.tokens import hash_token
from rosterd.storage import SqlDirectoryStore
from tests.support.orgs import OrgFactory
from tests.support.server import start_server


@contextmanager
def transactions_begun(engine: Engine) -> Iterator[list[int]]:
    """A list that counts every transaction the engine begins while the block runs."""
    begun: list[int] = []

    def count(_: object) -> None:
        begun.append(threading.get_ident())

    event.listen(engine, "begin", count)
    try:
        yield begun
    finally:
        event.remove(engine, "begin", count)


def test_reads_in_the_block_share_one_transaction(
    store: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    org = orgs.create()
    with transactions_begun(store.engine) as begun, store.shared_read():
        with store.read() as first:
            principal = first.find_principal(hash_token(org.token))
        with store.read() as second:
            catalogue = second.get_catalogue(org.admin.org_id)
    assert first is second
    assert len(begun) == 1
    assert principal is not None
    assert org.account_group.aid in catalogue.account_groups


def test_another_thread_and_a_write_take_their_own(
    store: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    org = orgs.create()
    seen: list[object] = []
    with store.shared_read(), store.read() as shared:

        def elsewhere() -> None:
            with store.read() as own:
                seen.append(own)

        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
        with store.write() as writing:
            # A write reads the version afresh: its own change may move it.
            before = writing.get_catalogue(org.admin.org_id)
            writing.add_role(org_id=org.admin.org_id, name="Helpdesk", permission_codes=frozenset())
            after = writing.get_catalogue(org.admin.org_id)
    assert len(seen) == 1
    assert seen[0] is not shared
    assert writing is not shared
    assert {r.name for r in after.roles.values()} - {r.name for r in before.roles.values()} == {
        "Helpdesk"
    }


def test_a_read_request_runs_one_transaction_and_a_revoked_token_stops_at_once(
    database_url: str, store: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    org = orgs.create()
    reader = org.token_for(org.admin.email)
    with (
        start_server(database_url, store, rate_limits=False) as server,
        httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {reader}"}) as c,
    ):
        path = f"/v7/users/{org.admin.uid}"
        assert c.get(path).status_code == 200  # warm: caches filled
        # The token's first use is written off the request, by another thread: done now.
        store.flush_token_uses()
        with transactions_begun(store.engine) as begun:
            for endpoint in (path, f"/api/v1/users/{org.admin.id}", "/v7/roles"):
                assert c.get(endpoint).status_code == 200
        # One each: the token, the caller and the answer read in one transaction.
        assert len(begun) == 3
        AuthService(store).revoke_token(org_subdomain=org.subdomain, actor=CLI_ACTOR, token=reader)
        # The next request's transaction begins after the revocation committed.
        assert c.get(path).status_code == 401
