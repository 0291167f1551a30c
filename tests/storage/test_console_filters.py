"""The console's filters of the directory listing and the audit log (migration 0009's
indexes): a search of emails and names, account group and role filters that stay within the
organization, and the audit log's actor, target and action filters. Every page is the one a
plain filter of the whole directory gives, in keyset order, whichever way the bounded walk
hands over to an index (`_directory._WALK`, made small here so that small data crosses it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property

import pytest

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.directory_sync import DirectorySyncService, parse_record
from rosterd.core.entities import AuditEvent, DirectoryUser, RoleAssignments
from rosterd.core.integrations import IntegrationsService
from rosterd.core.permissions import BUILTIN_ROLES, ORGANIZATION_ADMIN
from rosterd.core.ports import AuditQuery, Keyset, UserQuery
from rosterd.core.validation import fold
from rosterd.storage import SqlDirectoryStore
from tests.support.orgs import OrgFactory, TestOrg

USERS = 30
NAMES = ("Ada Lovelace", "Grace Hopper", "Zoë Ångström", "Edsger Dijkstra", "Barbara Liskov")
TERMS = (
    "lov",  # a name's trigram, any case below
    "LOVE",
    "hopper",
    "ÅNGSTRÖM",  # not ASCII, folded
    "ex",  # two characters: every email
    "ra",  # two characters, in names only (the emails are userNN@example.com)
    "y",  # one character, in no email or name
    "user07",  # an email's
    "nobody",
)
ADMIN_ROLE = next(r.role_id for r in BUILTIN_ROLES if r.name == ORGANIZATION_ADMIN)


def _row(i: int) -> dict[str, str]:
    return {"email": f"user{i:02d}@Example.com", "name": f"{NAMES[i % len(NAMES)]} {i}"}


@dataclass(frozen=True)
class Filtered:
    store: SqlDirectoryStore
    org: TestOrg
    org_id: int
    other: TestOrg
    second: int  # the org's second account group
    auditor: int  # the org's own role
    elsewhere_group: int  # the other organization's account group and role
    elsewhere_role: int

    def page(self, query: UserQuery, keyset: Keyset) -> list[str]:
        with self.store.read() as tx:
            found = tx.list_directory_users(self.org_id, query, keyset)
        return [u.user.email for u in found]

    @cached_property
    def everyone(self) -> list[tuple[DirectoryUser, RoleAssignments]]:
        """The organization's users newest first, with their roles (read once: the tests
        change neither)."""
        with self.store.read() as tx:
            users = tx.list_directory_users(self.org_id, UserQuery(), Keyset(limit=10_000))
            return [(u, tx.get_role_assignments(u.user.uid)) for u in users]


def _import(store: SqlDirectoryStore, org: TestOrg, rows: list[dict[str, str]]) -> None:
    integration = IntegrationsService(store).create_integration(
        org_subdomain=org.subdomain, name=f"hr-{len(rows)}", type="office365", actor=CLI_ACTOR
    )
    DirectorySyncService(store).import_users(
        org_subdomain=org.subdomain,
        integration_uuid=str(integration.integration.uuid),
        records=[parse_record(r, f"row {n}") for n, r in enumerate(rows, 1)],
        full=False,
    )


@pytest.fixture(scope="module")
def filtered(store: SqlDirectoryStore) -> Filtered:
    """30 users (and the admin) whose uids interleave with another organization's of the same
    emails and names; some hold a role of the org's own in its second account group, some one
    in all account groups (the admin role, or the org's own), one is archived."""
    factory = OrgFactory(store)
    org, other = factory.create(), factory.create()
    for start in range(0, USERS, 10):
        rows = [_row(i) for i in range(start, start + 10)]
        _import(store, org, rows)
        _import(store, other, rows)
    second, auditor = org.add_account_group("Second"), org.add_role("Auditor")
    elsewhere_group, elsewhere_role = other.add_account_group("Far"), other.add_role("Far")
    with store.write() as tx:
        found = tx.get_organization_by_subdomain(org.subdomain)
        far = tx.get_organization_by_subdomain(other.subdomain)
        assert found is not None
        assert far is not None
        users = tx.list_directory_users(found.id, UserQuery(), Keyset(limit=1000))
        by_email = {u.user.email: u.user for u in users}
        for i in range(USERS):
            user = by_email[_row(i)["email"]]
            held = tx.get_role_assignments(user.uid)
            if i % 3 == 0:
                held = RoleAssignments(
                    {**held.by_account_group, second.aid: frozenset({auditor.role_id})},
                    held.all_account_groups,
                )
            if i % 7 == 1:
                held = replace(held, all_account_groups=frozenset({ADMIN_ROLE}))
            if i == 10:
                held = replace(held, all_account_groups=frozenset({auditor.role_id}))
            tx.set_role_assignments(user.uid, held)
        tx.archive_users(found.id, [by_email[_row(4)["email"]].uid], datetime.now(UTC))
        # The other organization's users hold its own group's role, and roles in all groups.
        for far_user in tx.list_directory_users(far.id, UserQuery(), Keyset(limit=1000))[:5]:
            tx.set_role_assignments(
                far_user.user.uid,
                RoleAssignments(
                    {elsewhere_group.aid: frozenset({elsewhere_role.role_id})},
                    frozenset({ADMIN_ROLE}),
                ),
            )
    return Filtered(
        store,
        org,
        found.id,
        other,
        second.aid,
        auditor.role_id,
        elsewhere_group.aid,
        elsewhere_role.role_id,
    )


def _matches(filtered: Filtered, user: DirectoryUser, held: RoleAssignments, q: UserQuery) -> bool:
    """The query by definition, on one user and their roles."""
    term = fold(q.text_contains or "")
    in_all = held.all_account_groups
    groups = {**held.by_account_group}
    ours_group = q.account_group in {filtered.org.account_group.aid, filtered.second}
    ours_role = q.role in {ADMIN_ROLE, filtered.auditor, *(r.role_id for r in BUILTIN_ROLES)}
    return (
        (term in fold(user.user.email) or term in fold(user.user.name))
        and (q.archived is None or user.user.archived == q.archived)
        and (
            q.account_group is None or (ours_group and (q.account_group in groups or bool(in_all)))
        )
        and (q.role is None or (ours_role and q.role in held.role_ids()))
        and (
            q.account_group is None
            or q.role is None
            or q.role in in_all
            or q.role in groups.get(q.account_group, frozenset())
        )
    )


def _expected(filtered: Filtered, query: UserQuery, keyset: Keyset) -> list[str]:
    matches = [u for u, held in filtered.everyone if _matches(filtered, u, held, query)]
    if keyset.reverse:
        matches.reverse()
    if keyset.position is not None:
        p = keyset.position
        matches = [u for u in matches if (u.user.uid > p if keyset.reverse else u.user.uid < p)]
    return [u.user.email for u in matches[keyset.offset : keyset.offset + keyset.limit]]


def _keysets(filtered: Filtered) -> Iterator[Keyset]:
    uids = sorted(u.user.uid for u, _ in filtered.everyone)
    positions = [None, uids[0] - 1, uids[-1] + 1, *uids[::2], *(uid + 1 for uid in uids[::5])]
    for reverse in (False, True):
        yield from (Keyset(position=p, reverse=reverse, limit=3) for p in positions)
        yield Keyset(position=positions[3], reverse=reverse, offset=2, limit=3)
        yield Keyset(reverse=reverse, limit=301)


@pytest.mark.parametrize("term", TERMS)
def test_a_search_of_emails_and_names_pages_as_the_filtered_directory(
    filtered: Filtered, walk: int, term: str
) -> None:
    query = UserQuery(text_contains=term)
    for keyset in _keysets(filtered):
        assert filtered.page(query, keyset) == _expected(filtered, query, keyset), keyset


def test_the_searches_find_who_they_should(filtered: Filtered) -> None:
    """The definition above, checked by hand for a few terms: a name, in any case; an email;
    no one of the other organization, whose users have the same names."""
    first = Keyset(limit=100)
    assert filtered.page(UserQuery(text_contains="LOVE"), first) == [
        _row(i)["email"] for i in (25, 20, 15, 10, 5, 0)
    ]
    assert filtered.page(UserQuery(text_contains="ångström 2"), first) == [
        _row(i)["email"] for i in (27, 22, 2)
    ]
    assert filtered.page(UserQuery(text_contains="USER07@"), first) == [_row(7)["email"]]
    assert filtered.page(UserQuery(text_contains="y"), first) == []
    assert len(filtered.page(UserQuery(text_contains="ex"), first)) == USERS + 1


def _role_queries(filtered: Filtered) -> Iterator[UserQuery]:
    default = filtered.org.account_group.aid
    for text in (None, "a", "lov", "hopper"):
        yield UserQuery(text_contains=text, account_group=filtered.second)
        yield UserQuery(text_contains=text, account_group=default, archived=False)
        yield UserQuery(text_contains=text, role=filtered.auditor)
        yield UserQuery(text_contains=text, role=ADMIN_ROLE)
        yield UserQuery(text_contains=text, account_group=filtered.second, role=filtered.auditor)
        yield UserQuery(text_contains=text, account_group=default, role=filtered.auditor)
        # The other organization's account group and role: nobody here, though users here
        # hold the admin role in all account groups.
        yield UserQuery(text_contains=text, account_group=filtered.elsewhere_group)
        yield UserQuery(text_contains=text, role=filtered.elsewhere_role)


def test_account_group_and_role_filters_page_as_the_filtered_directory(
    filtered: Filtered, walk: int
) -> None:
    for query in _role_queries(filtered):
        for keyset in _keysets(filtered):
            assert filtered.page(query, keyset) == _expected(filtered, query, keyset), (
                query,
                keyset,
            )


def test_account_group_and_role_filters_find_who_they_should(filtered: Filtered) -> None:
    first = Keyset(limit=100)
    in_all = [i for i in range(USERS) if i % 7 == 1]  # the admin role in all account groups
    second = sorted({*range(0, USERS, 3), *in_all, 10}, reverse=True)
    # The admin too: Organization Admin in all account groups counts in each.
    assert filtered.page(UserQuery(account_group=filtered.second), first) == [
        *(_row(i)["email"] for i in second),
        filtered.org.admin.email,
    ]
    assert filtered.page(UserQuery(role=filtered.auditor), first) == [
        _row(i)["email"] for i in sorted({*range(0, USERS, 3), 10}, reverse=True)
    ]
    assert filtered.page(UserQuery(role=ADMIN_ROLE), first) == [
        *(_row(i)["email"] for i in sorted(in_all, reverse=True)),
        filtered.org.admin.email,
    ]
    assert filtered.page(UserQuery(account_group=filtered.elsewhere_group), first) == []
    assert filtered.page(UserQuery(role=filtered.elsewhere_role), first) == []


def test_following_the_next_pages_of_filtered_listings(filtered: Filtered, walk: int) -> None:
    """As the console's `Next page` link does: every match once, newest first."""
    uid_of = {u.user.email: u.user.uid for u, _ in filtered.everyone}
    for query in [UserQuery(text_contains="lov"), *_role_queries(filtered)]:
        seen: list[str] = []
        position = None
        while True:
            page = filtered.page(query, Keyset(position=position, limit=2))
            seen += page
            if len(page) < 2:
                break
            position = uid_of[page[-1]]
        assert seen == _expected(filtered, query, Keyset(limit=1000)), query


def test_a_renamed_user_is_found_by_the_new_name_only(
    store: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    """The name index follows updates (SQLite: 0009's update trigger) and bulk imports (its
    insert trigger set aside for a batch of 100 or more)."""
    org = orgs.create()
    rows = [{"email": f"bulk{i:03d}@example.com", "name": f"Person {i:03d}"} for i in range(120)]
    _import(store, org, rows)
    with store.read() as tx:
        found = tx.get_organization_by_subdomain(org.subdomain)
        assert found is not None
        assert (
            len(tx.list_directory_users(found.id, UserQuery(text_contains="person"), Keyset()))
            == 120
        )
    renamed = [{**rows[7], "name": "Grace Brewster Murray"}]
    DirectorySyncService(store).import_users(
        org_subdomain=org.subdomain,
        integration_uuid=_integration_of(store, found.id),
        records=[parse_record(r, "row 1") for r in renamed],
        full=False,
    )
    with store.read() as tx:
        by_new = tx.list_directory_users(found.id, UserQuery(text_contains="brewster"), Keyset())
        by_old = tx.list_directory_users(found.id, UserQuery(text_contains="person 007"), Keyset())
    assert [u.user.email for u in by_new] == ["bulk007@example.com"]
    assert by_old == []


def _integration_of(store: SqlDirectoryStore, org_id: int) -> str:
    with store.read() as tx:
        (integration,) = tx.list_integrations(org_id)
    return str(integration.uuid)


# The audit log's filters

ACTIONS = ("user.create", "user.update", "user_group.update", "device.update", "token.create")


@dataclass(frozen=True)
class Logged:
    store: SqlDirectoryStore
    org_id: int
    events: list[AuditEvent]  # the organization's, newest first

    def page(self, query: AuditQuery) -> list[str]:
        with self.store.read() as tx:
            return [e.id for e in tx.page_audit_events(self.org_id, query)]


@pytest.fixture(scope="module")
def logged(store: SqlDirectoryStore) -> Logged:
    """60 events of an organization by two users and the CLI, on three targets, some at the
    same time, besides its creation's; another organization's of the same actors, targets and
    actions between them."""
    factory = OrgFactory(store)
    org, other = factory.create(), factory.create()
    with store.write() as tx:
        ids = [tx.get_organization_by_subdomain(o.subdomain) for o in (org, other)]
    org_id, other_id = (found.id for found in ids if found is not None)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    made: list[AuditEvent] = []
    for i in range(60):
        for owner in (org_id, other_id):
            made.append(
                AuditEvent(
                    id=f"{owner:06d}-{i:04d}-{uuid.uuid4().hex[:12]}",
                    org_id=owner,
                    occurred_at=start + timedelta(minutes=i // 3),  # three at each time
                    actor_type="cli" if i % 4 == 0 else "user",
                    actor_id=None if i % 4 == 0 else str(1 + i % 2),
                    action=ACTIONS[i % len(ACTIONS)],
                    target_type="user",
                    target_id=f"target-{i % 3}",
                    new_state={"i": i},
                    request_id=None,
                )
            )
    with store.write() as tx:
        tx.add_audit_events(made)
        # The organization's whole log: its creation's events (by the CLI) too.
        everything = tx.list_audit_events(org_id)
    ours = sorted(everything, key=lambda e: (e.occurred_at, e.id), reverse=True)
    assert len(ours) > len(made) // 2
    return Logged(store, org_id, ours)


def _audit_queries() -> Iterator[AuditQuery]:
    yield AuditQuery(action="user.create")
    yield AuditQuery(action="user.")  # a prefix: not user_group.update
    yield AuditQuery(action="user")  # no action is exactly that
    yield AuditQuery(actor_type="user", actor_id="2")
    yield AuditQuery(actor_type="cli")
    yield AuditQuery(target_id="target-1")
    yield AuditQuery(target_id="target-1", action="user.", actor_type="user", actor_id="1")
    yield AuditQuery(
        target_id="target-0",
        start=datetime(2026, 11, 1, 0, 3, tzinfo=UTC),
        end=datetime(2026, 11, 1, 0, 15, tzinfo=UTC),
    )


def _audit_matches(event: AuditEvent, query: AuditQuery) -> bool:
    action = query.action
    return (
        (
            action is None
            or (event.action.startswith(action) if action.endswith(".") else event.action == action)
        )
        and (query.actor_type is None or event.actor_type == query.actor_type)
        and (query.actor_id is None or event.actor_id == query.actor_id)
        and (query.target_id is None or event.target_id == query.target_id)
        and (query.start is None or event.occurred_at >= query.start)
        and (query.end is None or event.occurred_at <= query.end)
    )


def test_every_filtered_audit_page_is_the_filtered_logs(logged: Logged) -> None:
    """Followed newest first from the top in pages of 4, as the console does, then back."""
    for base in _audit_queries():
        expected = [e.id for e in logged.events if _audit_matches(e, base)]
        seen: list[str] = []
        after = None
        while True:
            query = replace(base, descending=True, after=after, limit=4)
            page = logged.page(query)
            seen += page
            if len(page) < 4:
                break
            last = next(e for e in logged.events if e.id == page[-1])
            after = (last.occurred_at, last.id)
        assert seen == expected, base
        if len(expected) > 4:  # and the way back from the second page's end
            last = next(
                e for e in logged.events if e.id == expected[7 if len(expected) > 7 else -1]
            )
            back = replace(
                base, descending=True, after=(last.occurred_at, last.id), backwards=True, limit=3
            )
            position = expected.index(last.id)
            assert logged.page(back) == list(reversed(expected[max(position - 3, 0) : position]))


def test_the_audit_filters_find_what_they_should(logged: Logged) -> None:
    top = AuditQuery(descending=True, limit=100)
    assert len(logged.page(replace(top, action="user."))) == 24  # user.create, user.update
    assert len(logged.page(replace(top, action="user_group.update"))) == 12
    assert len(logged.page(replace(top, target_id="target-2"))) == 20
    by_cli = logged.page(replace(top, actor_type="cli"))
    # The fixture's 15, and the organization's creation.
    assert len([e for e in by_cli if e.startswith(f"{logged.org_id:06d}-")]) == 15
    assert len(by_cli) > 15
    assert logged.page(replace(top, target_id="no-such-target")) == []


def test_account_group_member_counts_are_exact_up_to_their_bound(filtered: Filtered) -> None:
    """The console's member counts: each group's members as `account_group_members` lists
    them (a role there or in all account groups, another organization's never), counted
    exactly up to the bound and as more than it past it, whatever roles hold them."""
    with filtered.store.read() as tx:
        role_ids = sorted(tx.get_catalogue(filtered.org_id).roles)
        home = filtered.org.account_group.aid
        for aid in (home, filtered.second):
            members = len(tx.account_group_members(filtered.org_id, aid))
            expected = sum(
                1
                for _, held in filtered.everyone
                if aid in held.by_account_group or held.all_account_groups
            )
            assert members == expected
            for bound in (1, 2, expected - 1, expected, expected + 1, 1_000):
                counted = tx.count_account_group_members(filtered.org_id, aid, role_ids, bound)
                assert counted == min(expected, bound + 1), (aid, bound)
        # The other organization's group, counted with its own roles, has its own members.
        far = tx.get_organization_by_subdomain(filtered.other.subdomain)
        assert far is not None
        far_roles = sorted(tx.get_catalogue(far.id).roles)
        far_members = len(tx.account_group_members(far.id, filtered.elsewhere_group))
        assert (
            tx.count_account_group_members(far.id, filtered.elsewhere_group, far_roles, 1_000)
            == far_members
        )
