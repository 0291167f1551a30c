"""What an operator reads from the command line: organizations, users, devices, the audit log,
account groups and roles of any organization.

The operator runs rosterd itself, so nothing here checks an API caller's permissions; each read
stays within the one organization it names, as every read does.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Final
from uuid import UUID

from rosterd.core.clock import utcnow
from rosterd.core.entities import (
    AccountGroup,
    ApiToken,
    AuditEvent,
    DeviceView,
    DirectoryUser,
    Organization,
    Role,
    User,
)
from rosterd.core.errors import Invalid, NotFound
from rosterd.core.integrations import organization
from rosterd.core.ports import (
    DeviceQuery,
    DirectoryStore,
    DirectoryTransaction,
    OperatorAuditQuery,
    OperatorUserQuery,
)

# Actors recorded with a type and no id (see core.audit and control).
_ACTORS_WITHOUT_ID: Final = ("cli", "control")
_RELATIVE: Final = re.compile(r"(\d+)([smhdw])")
_UNITS: Final = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True, slots=True)
class UserListing:
    users: list[DirectoryUser]  # in uid order
    next_after: int | None  # the uid the next page starts after; None: this page is the last


@dataclass(frozen=True, slots=True)
class RoleHeld:
    role: Role
    account_group: AccountGroup | None  # None: in all account groups


@dataclass(frozen=True, slots=True)
class UserDetails:
    user: DirectoryUser
    login_account_group: AccountGroup | None
    roles: list[RoleHeld]  # by account group (all account groups first), then role name
    tokens: list[ApiToken]


class OperatorReadsService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def list_organizations(self) -> list[Organization]:
        with self._store.read() as tx:
            return tx.list_organizations()

    def list_users(self, *, org_subdomain: str, query: OperatorUserQuery) -> UserListing:
        with self._store.read() as tx:
            org = organization(tx, org_subdomain)
            found = tx.find_users(org.id, replace(query, limit=query.limit + 1))
        page = found[: query.limit]
        more = len(found) > query.limit
        return UserListing(page, page[-1].user.uid if more and page else None)

    def show_user(self, *, org_subdomain: str, user: str) -> UserDetails:
        """`user`: an email address, a uid or the user's UUID."""
        with self._store.read() as tx:
            org = organization(tx, org_subdomain)
            found = user_of(tx, org, user)
            shown = tx.get_directory_user(org.id, found.id)
            assert shown is not None  # read in this transaction
            catalogue = tx.get_catalogue(org.id)
            assignments = tx.get_role_assignments(found.uid)
            held = [RoleHeld(catalogue.roles[r], None) for r in assignments.all_account_groups]
            for aid, role_ids in sorted(assignments.by_account_group.items()):
                group = catalogue.account_groups.get(aid)
                held += [RoleHeld(catalogue.roles[r], group) for r in role_ids]
            return UserDetails(
                user=shown,
                login_account_group=catalogue.account_groups.get(
                    found.login_account_group_id or -1
                ),
                roles=sorted(held, key=_held_order),
                tokens=tx.list_tokens(org.id, found.uid),
            )

    def list_devices(
        self, *, org_subdomain: str, user: str | None, query: DeviceQuery, limit: int, offset: int
    ) -> list[DeviceView]:
        """The devices passing `query`; with `user` (email, uid or UUID), that user's."""
        with self._store.read() as tx:
            org = organization(tx, org_subdomain)
            if user is not None:
                query = replace(query, user_id=user_of(tx, org, user).id)
            return tx.list_devices(org.id, query, limit=limit, offset=offset)

    def list_audit_events(
        self,
        *,
        org_subdomain: str,
        action: str | None = None,
        actor: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        limit: int = 50,
    ) -> list[AuditEvent]:
        """Newest first. `actor`: `cli`, `control`, an integration's UUID, or a user (email,
        uid or UUID); `target`: a target's id, or a user's email for that user's id."""
        with self._store.read() as tx:
            org = organization(tx, org_subdomain)
            query = OperatorAuditQuery(action=action, since=since, limit=limit)
            if actor is not None:
                actor_type, actor_id = actor_of(tx, org, actor)
                query = replace(query, actor_type=actor_type, actor_id=actor_id)
            if target is not None:
                query = replace(query, target_id=target_id_of(tx, org, target))
            return tx.find_audit_events(org.id, query)

    def list_account_groups(self, *, org_subdomain: str) -> list[AccountGroup]:
        with self._store.read() as tx:
            return tx.list_account_groups(organization(tx, org_subdomain).id)

    def list_roles(self, *, org_subdomain: str) -> list[Role]:
        """The built-in roles, then the organization's own, each by id."""
        with self._store.read() as tx:
            roles = tx.list_roles(organization(tx, org_subdomain).id)
        return sorted(roles, key=lambda r: (not r.is_builtin, r.role_id))


def user_of(tx: DirectoryTransaction, org: Organization, value: str) -> User:
    """The organization's user with this email address, uid or UUID."""
    found: User | None = None
    if value.isdigit():
        found = tx.get_user(org.id, int(value))
    elif (key := _uuid(value)) is not None:
        found = tx.get_user_by_id(org.id, key)
    elif "@" in value:
        found = tx.find_user_by_email(org.id, value)
    if found is None:
        raise NotFound(f"No user {value!r} in organization {org.subdomain!r}")
    return found


def actor_of(tx: DirectoryTransaction, org: Organization, value: str) -> tuple[str, str | None]:
    """An audit actor as typed: `cli`, `control`, an integration's UUID, or a user (their email,
    uid or UUID; NotFound when none of the organization's)."""
    if value in _ACTORS_WITHOUT_ID:
        return value, None
    key = _uuid(value)
    if key is not None and tx.get_integration_by_uuid(org.id, key) is not None:
        return "integration", str(key)
    return "user", str(user_of(tx, org, value).uid)


def target_id_of(tx: DirectoryTransaction, org: Organization, value: str) -> str:
    """An audit target as typed: a user's email (NotFound when none of the organization's), or
    the id it is recorded by."""
    return str(user_of(tx, org, value).id) if "@" in value else value


def since_time(value: str, *, now: datetime | None = None) -> datetime:
    """`2026-12-01`, `2026-12-01T08:00:00+00:00` (UTC when no offset is given), or a time
    back from now: `30m`, `1h`, `7d`, `2w`."""
    relative = _RELATIVE.fullmatch(value.strip())
    if relative is not None:
        amount, unit = relative.groups()
        return (now or utcnow()) - timedelta(**{_UNITS[unit]: int(amount)})
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(
            f"--since must be an ISO time (2026-12-01T08:00) or a time back from now "
            f"(30m, 1h, 7d, 2w), not {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _uuid(value: str) -> UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _held_order(held: RoleHeld) -> tuple[int, str]:
    return (held.account_group.aid if held.account_group else -1, held.role.name)


def parse_uuid_option(value: str | None, option: str) -> UUID | None:
    """An option that names something by UUID; a malformed one is an error naming the option."""
    if value is None:
        return None
    parsed = _uuid(value)
    if parsed is None:
        raise Invalid(f"{option} must be a UUID, not {value!r}")
    return parsed
