"""Provisioning: an integration's directory client (SCIM) creates, changes and archives its users.

A provisioning client sees and changes only its own integration's users. It describes a user by a
`UserRecord`: the directory columns the other APIs show (email, name, active, job title,
department, external id) and, beside them, the client's own attributes, kept as given. Deleting a
user archives it: it disappears for the client, and stays listed (archived) in the Kandji API.

Users a client creates are ordinary users of the organization: the ThousandEyes API lists them as
Regular Users of the organization's default account group (their login account group, unless the
person already signs in to another organization).

Changes run as callbacks inside the write transaction (`change_user`), so that a read-modify-write
(a SCIM PATCH) never loses a concurrent change, and a precondition on the current version (an
If-Match) is checked against the state the change applies to. An integration's provisioning
writes (users and groups alike) queue up one behind the other: a user archived while a group
gains it as a member ends either as a member archived out of the group, or as a refused member,
never as an archived member, and no two writes wait on each other's rows.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from rosterd.core import permissions as perm
from rosterd.core.admins import keep_an_organization_admin
from rosterd.core.audit import Actor, record
from rosterd.core.clock import utcnow
from rosterd.core.entities import (
    AccountGroup,
    Catalogue,
    DirectoryGroup,
    Integration,
    Organization,
    ProvisionedUser,
    RoleAssignments,
    User,
)
from rosterd.core.errors import (
    Conflict,
    FieldError,
    Invalid,
    NotFound,
    PreconditionFailed,
    Unauthenticated,
)
from rosterd.core.integrations import SCIM
from rosterd.core.ports import (
    DirectoryStore,
    DirectoryTransaction,
    DirectoryUserUpdate,
    NewUser,
    ProvisionedUserQuery,
    ScimRecord,
)
from rosterd.core.tokens import hash_token, looks_like_token
from rosterd.core.validation import email_problem, fold, name_problem, normalize_email

MAX_TEXT: Final = 255
# Users whose client gave no address get one under the reserved `.invalid` domain (RFC 2606), so
# that every user keeps an email; it names the user's id, so it is unique.
PLACEHOLDER_DOMAIN: Final = "scim.invalid"
INVALID_REQUEST: Final = "The request describes an invalid user"

Precondition = Callable[[str], bool]  # whether the current version may be changed


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as a provisioning client describes it, in directory terms."""

    user_name: str
    emails: tuple[str, ...]  # candidate addresses, best first; the first valid one is the email
    name: str | None  # None: named after the user name
    active: bool
    job_title: str
    department: str
    external_id: str | None
    attributes: dict[str, Any]  # everything the client sent, kept as given


@dataclass(frozen=True, slots=True)
class UserResults:
    total: int
    users: list[ProvisionedUser]


def user_version(value: ProvisionedUser) -> str:
    """An opaque version of everything a client can read of the user: changes with any of it."""
    u = value.user
    state = [
        str(u.id),
        u.email,
        u.name,
        u.active,
        u.archived,
        u.department,
        u.job_title,
        u.external_id,
        u.updated_at.isoformat(),
        value.user_name,
        value.attributes,
        [[str(g.id), g.display_name] for g in value.groups],
    ]
    return _digest(state)


def group_version(value: DirectoryGroup) -> str:
    """Every change a client makes to a group moves `updated_at`; members leaving through the
    other APIs (a deleted user) change the count and the checksum."""
    return _digest(
        [str(value.uuid), value.updated_at.isoformat(), value.member_count, value.member_checksum]
    )


def _digest(state: Any) -> str:
    canonical = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def check(precondition: Precondition | None, version: str) -> None:
    if precondition is not None and not precondition(version):
        raise PreconditionFailed("The resource changed: its version does not match If-Match")


def parse_id(value: str) -> UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Provisioner:
    """The integration a SCIM token belongs to, and its organization (the tenant whose rate
    limits its requests count against)."""

    integration: Integration
    org: Organization


class ProvisioningService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def authenticate(self, token: str | None) -> Provisioner:
        """The SCIM integration a bearer token belongs to; API tokens are not accepted."""
        if not token:
            raise Unauthenticated("Missing bearer token")
        if not looks_like_token(token):
            raise Unauthenticated("Invalid bearer token")
        with self._store.read() as tx:
            integration = tx.find_integration_by_scim_token(hash_token(token))
            org = tx.get_organization(integration.org_id) if integration else None
        if integration is None or integration.type != SCIM or org is None:
            raise Unauthenticated("Invalid bearer token")
        return Provisioner(integration, org)

    # reading

    def get_user(self, *, integration: Integration, user_id: str) -> ProvisionedUser:
        with self._store.read() as tx:
            return _existing(tx, integration, user_id)

    def list_users(
        self,
        *,
        integration: Integration,
        query: ProvisionedUserQuery,
        offset: int = 0,
        limit: int | None = None,
    ) -> UserResults:
        """The users the query narrows to, in creation order; `total` counts them all."""
        query = replace(query, archived=False)
        org_id = integration.org_id
        with self._store.read() as tx:
            users = tx.find_provisioned_users(
                org_id, integration.id, query, offset=offset, limit=limit
            )
            if limit is None and offset == 0:
                total = len(users)
            else:
                total = tx.count_provisioned_users(org_id, integration.id, query)
        return UserResults(total, users)

    # writing

    def create_user(
        self, *, integration: Integration, data: UserRecord, actor: Actor
    ) -> ProvisionedUser:
        """A new user; a client creating again a user it deleted gets that user back."""
        user_name, key, name = _checked(data)
        org_id = integration.org_id
        with self._store.write() as tx:
            tx.lock_integration(integration.id)
            taken = tx.find_provisioned_users(
                org_id, integration.id, ProvisionedUserQuery(user_name_key=key, archived=None)
            )
            restored = taken[0].user if taken else None
            if restored is not None and not restored.archived:
                raise _taken("userName", f"a user with userName {user_name!r} already exists")
            email = _first_email(data.emails)
            owner = tx.find_user_by_email(org_id, email) if email else None
            if owner is not None and (restored is None or owner.uid != restored.uid):
                if restored is None and owner.integration_id == integration.id and owner.archived:
                    restored = owner
                else:
                    raise _taken("emails", f"a user with email {email!r} already exists")
            now = utcnow()
            if restored is not None:
                update = _update(restored, integration, data, email, name or user_name, now)
                tx.update_directory_users(org_id, [replace(update, archived=False)])
                action = "user.restore"
                uid, user_id = restored.uid, restored.id
            else:
                user = tx.add_user(_new_user(tx, integration, data, email, name or user_name, now))
                tx.set_role_assignments(user.uid, _regular_user(tx, org_id))
                action = "user.create"
                uid, user_id = user.uid, user.id
            tx.save_scim_record(
                ScimRecord(uid, integration.id, user_name, key, dict(data.attributes))
            )
            created = _reload(tx, integration, user_id)
            _audit(tx, integration, actor, action, created)
            return created

    def change_user(
        self,
        *,
        integration: Integration,
        user_id: str,
        change: Callable[[ProvisionedUser], UserRecord | None],
        precondition: Precondition | None,
        actor: Actor,
    ) -> ProvisionedUser:
        """Apply `change` to the current user (None from it: nothing changes)."""
        org_id = integration.org_id
        with self._store.write() as tx:
            tx.lock_integration(integration.id)
            current = _existing(tx, integration, user_id, lock=True)
            check(precondition, user_version(current))
            data = change(current)
            if data is None:
                return current
            user_name, key, name = _checked(data)
            taken = tx.find_provisioned_users(
                org_id, integration.id, ProvisionedUserQuery(user_name_key=key, archived=None)
            )
            if any(other.user.uid != current.user.uid for other in taken):
                raise _taken("userName", f"a user with userName {user_name!r} already exists")
            user = current.user
            email = _first_email(data.emails) or user.email
            if email != user.email:
                owner = tx.find_user_by_email(org_id, email)
                if owner is not None and owner.uid != user.uid:
                    raise _taken("emails", f"a user with email {email!r} already exists")
            now = utcnow()
            update = _update(user, integration, data, email, name or user_name, now)
            if _unchanged(current, update, user_name, data.attributes):
                return current
            if user.active and not update.active:
                keep_an_organization_admin(tx, org_id, [user.uid])
            tx.update_directory_users(org_id, [update])
            tx.save_scim_record(
                ScimRecord(user.uid, integration.id, user_name, key, dict(data.attributes))
            )
            changed = _reload(tx, integration, user.id)
            _audit(tx, integration, actor, "user.update", changed)
            return changed

    def archive_user(
        self,
        *,
        integration: Integration,
        user_id: str,
        precondition: Precondition | None,
        actor: Actor,
    ) -> None:
        """A deleted user is archived: gone for the client, and out of its groups."""
        with self._store.write() as tx:
            tx.lock_integration(integration.id)
            current = _existing(tx, integration, user_id, lock=True)
            check(precondition, user_version(current))
            keep_an_organization_admin(tx, integration.org_id, [current.user.uid])
            now = utcnow()
            tx.archive_users(integration.org_id, [current.user.uid], now)
            left = tx.leave_groups(current.user.uid, now)
            _audit(
                tx,
                integration,
                actor,
                "user.archive",
                current,
                {"archived": True, "groups_left": [str(g.uuid) for g in left]},
            )
            for group in left:
                record(
                    tx,
                    org_id=integration.org_id,
                    actor=actor,
                    action="group.update",
                    target_type="group",
                    target_id=str(group.uuid),
                    new_state={"members_removed": [str(current.user.id)]},
                )


def _existing(
    tx: DirectoryTransaction, integration: Integration, user_id: str, *, lock: bool = False
) -> ProvisionedUser:
    key = parse_id(user_id)
    found = (
        tx.find_provisioned_users(
            integration.org_id, integration.id, ProvisionedUserQuery(id=key), lock=lock
        )
        if key is not None
        else []
    )
    if not found:
        raise NotFound(f"No user {user_id!r}")
    return found[0]


def _reload(tx: DirectoryTransaction, integration: Integration, user_id: UUID) -> ProvisionedUser:
    return tx.find_provisioned_users(
        integration.org_id, integration.id, ProvisionedUserQuery(id=user_id)
    )[0]


def _checked(data: UserRecord) -> tuple[str, str, str | None]:
    """The user name, its key and the name, once every field is valid."""
    problems: list[FieldError] = []
    user_name = data.user_name.strip()
    if not user_name:
        problems.append(FieldError("userName", "REQUIRED", "userName cannot be blank"))
    else:
        problems += _text_problems("userName", user_name)
    name = data.name.strip() if data.name is not None and data.name.strip() else None
    if (p := name_problem("name", name or user_name or "-")) is not None:
        problems.append(p)
    problems += _text_problems("title", data.job_title)
    problems += _text_problems("department", data.department)
    problems += [p for e in data.emails for p in _text_problems("emails", e)]
    if data.external_id is not None:
        problems += _text_problems("externalId", data.external_id)
    if problems:
        raise Invalid(INVALID_REQUEST, problems)
    return user_name, fold(user_name), name


def _text_problems(field: str, value: str) -> list[FieldError]:
    if len(value) > MAX_TEXT or not value.isprintable():
        return [
            FieldError(
                field, "INVALID", f"{field} must be printable, at most {MAX_TEXT} characters"
            )
        ]
    return []


def _first_email(candidates: Sequence[str]) -> str | None:
    for candidate in candidates:
        email = normalize_email(candidate)
        if email and email_problem("email", email) is None:
            return email
    return None


def _taken(field: str, message: str) -> Conflict:
    return Conflict(message, [FieldError(field, "DUPLICATE", message)])


def _new_user(
    tx: DirectoryTransaction,
    integration: Integration,
    data: UserRecord,
    email: str | None,
    name: str,
    now: datetime,
) -> NewUser:
    user_id = uuid.uuid4()
    address = email or f"{user_id}@{PLACEHOLDER_DOMAIN}"
    org_id = integration.org_id
    default = _default_group(tx.get_catalogue(org_id))
    return NewUser(
        id=user_id,
        org_id=org_id,
        email=address,
        name=name,
        login_account_group_id=default.aid,
        created_at=now,
        department=data.department.strip(),
        job_title=data.job_title.strip(),
        integration_id=integration.id,
        active=data.active,
        external_id=data.external_id,
    )


def _regular_user(tx: DirectoryTransaction, org_id: int) -> RoleAssignments:
    """Provisioned users are Regular Users of the organization's default account group."""
    catalogue = tx.get_catalogue(org_id)  # cached, checked against the access version
    role = next(r for r in catalogue.roles.values() if r.is_builtin and r.name == perm.REGULAR_USER)
    return RoleAssignments({_default_group(catalogue).aid: frozenset({role.role_id})})


def _default_group(catalogue: Catalogue) -> AccountGroup:
    return next(g for g in catalogue.account_groups.values() if g.is_default)


def _update(
    user: User,
    integration: Integration,
    data: UserRecord,
    email: str | None,
    name: str,
    now: datetime,
) -> DirectoryUserUpdate:
    return DirectoryUserUpdate(
        uid=user.uid,
        email=email or user.email,
        name=name,
        department=data.department.strip(),
        job_title=data.job_title.strip(),
        active=data.active,
        archived=user.archived,
        integration_id=integration.id,
        external_id=data.external_id,
        updated_at=now,
    )


def _unchanged(
    current: ProvisionedUser,
    update: DirectoryUserUpdate,
    user_name: str,
    attributes: dict[str, Any],
) -> bool:
    u = current.user
    return (
        current.user_name == user_name
        and current.attributes == attributes
        and (u.email, u.name, u.department, u.job_title, u.active, u.external_id)
        == (
            update.email,
            update.name,
            update.department,
            update.job_title,
            update.active,
            update.external_id,
        )
    )


def _audit(
    tx: DirectoryTransaction,
    integration: Integration,
    actor: Actor,
    action: str,
    value: ProvisionedUser,
    extra: dict[str, Any] | None = None,
) -> None:
    u = value.user
    state: dict[str, Any] = {
        "user_name": value.user_name,
        "email": u.email,
        "name": u.name,
        "active": u.active,
        "department": u.department,
        "job_title": u.job_title,
        "external_id": u.external_id,
        "integration": str(integration.uuid),
    }
    record(
        tx,
        org_id=integration.org_id,
        actor=actor,
        action=action,
        target_type="user",
        target_id=str(u.id),
        new_state=state | (extra or {}),
        target_name=f"{u.name} ({u.email})",
    )
