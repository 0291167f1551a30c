"""The directory listing without a search (prepared statements read from the driver's cursor)
returns exactly the users SQLAlchemy's own execution of the same query returns: every field
of every entity, for every shape of the filters, position, direction and offset."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, fields

import pytest
from sqlalchemy import Connection

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.directory_sync import DirectorySyncService, parse_record
from rosterd.core.entities import DirectoryUser, Integration
from rosterd.core.integrations import IntegrationsService
from rosterd.core.ports import Keyset, UserQuery
from rosterd.storage import SqlDirectoryStore, _directory
from rosterd.storage import tables as t
from tests.support.devices import new_mac
from tests.support.orgs import OrgFactory

USERS = 30


@dataclass(frozen=True)
class Listed:
    store: SqlDirectoryStore
    org_id: int
    integrations: tuple[Integration, Integration]

    def both(self, query: UserQuery, keyset: Keyset) -> tuple[list[DirectoryUser], ...]:
        with self.store.engine.connect() as conn, conn.begin():
            found = _directory.list_directory_users(conn, self.org_id, query, keyset)
            return found, _by_sqlalchemy(conn, self.org_id, query, keyset)


def _by_sqlalchemy(
    conn: Connection, org_id: int, query: UserQuery, page: Keyset
) -> list[DirectoryUser]:
    """The listing as SQLAlchemy executes it, rows read by its result processors."""
    users = t.users
    stmt = (
        _directory.DIRECTORY_USER_SELECT.where(
            users.c.org_id == org_id,
            *_directory.user_criteria(users, org_id, query),
            *_directory._position(users.c.uid, page),
        )
        .order_by(_directory._order(users.c.uid, page))
        .offset(page.offset)
        .limit(page.limit)
    )
    return [_directory.directory_user(row) for row in conn.execute(stmt)]


def _row(i: int) -> dict[str, str]:
    """Users with and without the optional fields, some in other scripts."""
    row = {"email": f"user{i:02d}.{'ünï' if i % 4 == 0 else 'plain'}@example.com"}
    if i % 3:
        row["name"] = f"Ünïcødé 名前 {i}" if i % 2 else f"Name {i}"
    if i % 5:
        row["department"] = "Sales" if i % 2 else "Ingeniería"
    if i % 7:
        row["job_title"] = "Engineer"
    if i % 2:
        row["external_id"] = f"ext-{i}"
    if i % 6 == 0:
        row["active"] = "false"
    return row


@pytest.fixture(scope="module")
def listed(store: SqlDirectoryStore) -> Listed:
    """An organization of 30 imported users in two integrations (some archived, some with
    devices) besides its admin (in none), between another organization's users."""
    factory = OrgFactory(store)
    org, other = factory.create(), factory.create()
    integrations = IntegrationsService(store)
    made = [
        integrations.create_integration(
            org_subdomain=org.subdomain, name=name, type="office365", actor=CLI_ACTOR
        ).integration
        for name in ("first", "second")
    ]
    elsewhere = integrations.create_integration(
        org_subdomain=other.subdomain, name="elsewhere", type="gsuite", actor=CLI_ACTOR
    ).integration
    sync = DirectorySyncService(store)
    for start in range(0, USERS, 6):
        rows = [_row(i) for i in range(start, start + 6)]
        for subdomain, integration in (
            (org.subdomain, made[start % 12 // 6]),
            (other.subdomain, elsewhere),
        ):
            sync.import_users(
                org_subdomain=subdomain,
                integration_uuid=str(integration.uuid),
                records=[parse_record(r, f"row {n}") for n, r in enumerate(rows, 1)],
                full=False,
            )
    # A full sync of the second integration with two of its users archives the rest of it.
    sync.import_users(
        org_subdomain=org.subdomain,
        integration_uuid=str(made[1].uuid),
        records=[parse_record(_row(i), f"row {i}") for i in (6, 7)],
        full=True,
    )
    with store.write() as tx:
        found = tx.get_organization_by_subdomain(org.subdomain)
        assert found is not None
        everyone = tx.list_directory_users(found.id, UserQuery(), Keyset(limit=1000))
        for n, holder in enumerate(everyone[::4]):
            for _ in range(1 + n % 3):
                tx.add_device(new_mac(found.id, holder.user.uid))
    return Listed(store, found.id, (made[0], made[1]))


def _queries(listed: Listed, everyone: list[DirectoryUser]) -> Iterator[UserQuery]:
    first, second = listed.integrations
    some = everyone[len(everyone) // 2].user.id
    yield UserQuery()
    yield UserQuery(archived=True)
    yield UserQuery(archived=False)
    yield UserQuery(integration_uuid=first.uuid)
    yield UserQuery(integration_uuid=second.uuid, archived=True)
    yield UserQuery(integration_uuid=uuid.uuid4())  # no such integration
    yield UserQuery(id=some)
    yield UserQuery(id=some, archived=False, integration_uuid=second.uuid)
    yield UserQuery(id=uuid.uuid4())


def _keysets(everyone: list[DirectoryUser]) -> Iterator[Keyset]:
    uids = sorted(u.user.uid for u in everyone)
    positions = [None, uids[0] - 1, uids[-1] + 1, *uids[::3], uids[5] + 1]
    for reverse in (False, True):
        for position in positions:
            yield Keyset(position=position, reverse=reverse, limit=4)
            yield Keyset(position=position, reverse=reverse, offset=3, limit=5)
        yield Keyset(reverse=reverse, limit=301)


def test_every_listing_is_sqlalchemys(listed: Listed) -> None:
    found, _ = listed.both(UserQuery(), Keyset(limit=1000))
    assert len(found) == USERS + 1
    assert {u.integration for u in found} == {None, *listed.integrations}
    assert {u.device_count for u in found} == {0, 1, 2, 3}
    assert {u.user.archived for u in found} == {False, True}
    for query in _queries(listed, found):
        for keyset in _keysets(found):
            fast, expected = listed.both(query, keyset)
            assert fast == expected, (query, keyset)
            assert [type(v) for u in fast for v in _values(u)] == [
                type(v) for u in expected for v in _values(u)
            ]


def test_a_page_shares_each_integration(listed: Listed) -> None:
    """One entity per integration per page: equal, and the same object."""
    found, _ = listed.both(UserQuery(), Keyset(limit=1000))
    first = [u.integration for u in found if u.integration == listed.integrations[0]]
    assert len(first) > 1
    assert all(i is first[0] for i in first)


def _values(user: DirectoryUser) -> list[object]:
    """Every field's value, the integration's too, and the timestamps' zones."""
    values = [getattr(user.user, f.name) for f in fields(user.user)]
    if user.integration is not None:
        values += [getattr(user.integration, f.name) for f in fields(user.integration)]
    return [*values, user.user.created_at.tzinfo, user.user.updated_at.tzinfo, user.device_count]
