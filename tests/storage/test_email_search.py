"""Email searches of the directory listing: every page is the one a plain filter of the whole
directory gives, whatever the term, the position, the direction and where the bounded walk
hands over to the index (`_directory._WALK`, made small here so that small data crosses it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.directory_sync import DirectorySyncService, parse_record
from rosterd.core.entities import DirectoryUser, Integration
from rosterd.core.integrations import IntegrationsService
from rosterd.core.ports import Keyset, UserQuery
from rosterd.core.validation import email_key, fold
from rosterd.storage import SqlDirectoryStore
from tests.support.orgs import OrgFactory, TestOrg

TERMS = (
    "example",  # everyone (the admin too)
    "FIFTH",  # every fifth user, in any case
    "rare",  # three users
    "ex",  # two characters, everyone
    "zq",  # two characters, the same three
    "q",  # one character, the same three
    "Ü",  # one character, not ASCII, folded
    "5.fi",  # a dot, matched as itself
    "nobody",  # no one
)
USERS = 40
RARE = (3, 22, 37)


def _email(i: int) -> str:
    if i in RARE:
        return f"Rare.ZQ{i:02d}@example.com"
    name = "jürgen" if i == 11 else "user"
    return f"{name}{i:02d}{'.fifth' if i % 5 == 0 else ''}@Example.com"


@dataclass(frozen=True)
class Searched:
    store: SqlDirectoryStore
    org_id: int
    integrations: tuple[Integration, Integration]

    def page(self, query: UserQuery, keyset: Keyset) -> list[str]:
        with self.store.read() as tx:
            found = tx.list_directory_users(self.org_id, query, keyset)
        return [u.user.email for u in found]

    def everyone(self) -> list[DirectoryUser]:
        """The organization's users newest first, read without a search."""
        with self.store.read() as tx:
            return tx.list_directory_users(self.org_id, UserQuery(), Keyset(limit=10_000))


def _import(
    store: SqlDirectoryStore, org: TestOrg, integration: Integration, rows: list[str]
) -> None:
    DirectorySyncService(store).import_users(
        org_subdomain=org.subdomain,
        integration_uuid=str(integration.uuid),
        records=[parse_record({"email": e}, f"row {n}") for n, e in enumerate(rows, 1)],
        full=False,
    )


def _integration(store: SqlDirectoryStore, org: TestOrg, name: str) -> Integration:
    created = IntegrationsService(store).create_integration(
        org_subdomain=org.subdomain, name=name, type="office365", actor=CLI_ACTOR
    )
    return created.integration


@pytest.fixture(scope="module")
def searched(store: SqlDirectoryStore) -> Searched:
    """An organization of 40 users (and its admin) in two integrations, some archived, whose
    uids interleave with another organization's users of the same emails."""
    factory = OrgFactory(store)
    org, other = factory.create(), factory.create()
    first, second = _integration(store, org, "first"), _integration(store, org, "second")
    elsewhere = _integration(store, other, "elsewhere")
    for start in range(0, USERS, 5):
        batch = [_email(i) for i in range(start, start + 5)]
        _import(store, org, first if start % 10 == 0 else second, batch)
        _import(store, other, elsewhere, batch)
    # A full sync of `second` with only its first two users archives the rest of it.
    DirectorySyncService(store).import_users(
        org_subdomain=org.subdomain,
        integration_uuid=str(second.uuid),
        records=[parse_record({"email": _email(i)}, f"row {i}") for i in (5, 6)],
        full=True,
    )
    with store.read() as tx:
        found = tx.get_organization_by_subdomain(org.subdomain)
    assert found is not None
    return Searched(store, found.id, (first, second))


def _expected(everyone: list[DirectoryUser], query: UserQuery, keyset: Keyset) -> list[str]:
    """The page by definition: the matches past the position, in the page's order, cut."""
    term = fold(query.email_contains or "")
    matches = [
        u
        for u in everyone
        if term in email_key(u.user.email)
        and (query.archived is None or u.user.archived == query.archived)
        and (
            query.integration_uuid is None
            or (u.integration is not None and u.integration.uuid == query.integration_uuid)
        )
    ]
    if keyset.reverse:
        matches.reverse()
    if keyset.position is not None:
        position = keyset.position
        matches = [
            u
            for u in matches
            if (u.user.uid > position if keyset.reverse else u.user.uid < position)
        ]
    return [u.user.email for u in matches[keyset.offset : keyset.offset + keyset.limit]]


def _positions(everyone: list[DirectoryUser]) -> list[int | None]:
    """No position, and positions before, at and after every user (uids are not contiguous:
    the other organization's users sit between)."""
    uids = sorted(u.user.uid for u in everyone)
    return [None, uids[0] - 1, uids[-1] + 1, *uids, *(uid + 1 for uid in uids[::4])]


def _keysets(everyone: list[DirectoryUser]) -> Iterator[Keyset]:
    """Pages of 4 from every position both ways; pages of 3 after 2 skipped (DRF's offset)
    from some; a first page larger than every search."""
    positions = _positions(everyone)
    for reverse in (False, True):
        yield from (Keyset(position=p, reverse=reverse, limit=4) for p in positions)
        yield from (Keyset(position=p, reverse=reverse, offset=2, limit=3) for p in positions[::5])
        yield Keyset(reverse=reverse, limit=301)


@pytest.mark.parametrize("term", TERMS)
def test_every_page_of_a_search_is_the_filtered_directorys(
    searched: Searched, walk: int, term: str
) -> None:
    everyone = searched.everyone()
    assert len(everyone) == USERS + 1
    query = UserQuery(email_contains=term)
    for keyset in _keysets(everyone):
        assert searched.page(query, keyset) == _expected(everyone, query, keyset), keyset


@pytest.mark.parametrize("term", ["example", "rare", "ex", "q"])
def test_a_search_with_other_filters_pages_the_same(
    searched: Searched, walk: int, term: str
) -> None:
    everyone = searched.everyone()
    first, second = searched.integrations
    queries = [
        UserQuery(email_contains=term, archived=True),
        UserQuery(email_contains=term, archived=False, integration_uuid=second.uuid),
        UserQuery(email_contains=term, integration_uuid=first.uuid),
    ]
    for query in queries:
        for reverse in (False, True):
            for position in _positions(everyone)[::3]:
                keyset = Keyset(position=position, reverse=reverse, limit=2)
                expected = _expected(everyone, query, keyset)
                assert searched.page(query, keyset) == expected, (query, keyset)


def test_walking_the_next_pages_of_searches(searched: Searched, walk: int) -> None:
    """Following pages as a client does (the last uid of each is the next position) gives
    every match once, newest first; the matches of each term are the ones planned."""
    everyone = searched.everyone()
    expected_counts = {"example": USERS + 1, "FIFTH": 8, "rare": 3, "zq": 3, "q": 3, "Ü": 1}
    for term, count in expected_counts.items():
        query = UserQuery(email_contains=term)
        seen: list[str] = []
        position = None
        while True:
            page = searched.page(query, Keyset(position=position, limit=4))
            seen += page
            if len(page) < 4:
                break
            last = next(u for u in everyone if u.user.email == page[-1])
            position = last.user.uid
        assert seen == _expected(everyone, query, Keyset(limit=10_000)), term
        assert len(seen) == count, term
