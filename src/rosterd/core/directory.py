"""Directory users as a tenant-level API sees them: listed newest first, read, deleted.

Deleting is refused while devices are assigned to the user; once allowed it removes the user
for good (its API tokens and role assignments go with it), as the Kandji API documents. A
directory that stops listing a person archives them instead (see `directory_sync`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final, Generic, TypeVar
from uuid import UUID

from rosterd.core import permissions as perm
from rosterd.core.admins import (
    ORGANIZATION_ADMIN_ROLE_ID,
    keep_an_organization_admin,
    require_may_change_manager,
)
from rosterd.core.audit import Actor, record
from rosterd.core.endpoints import permission_codes_anywhere, require_tenant_permission
from rosterd.core.entities import (
    AccountGroup,
    DirectoryUser,
    Integration,
    Principal,
    Role,
    RoleAssignments,
    User,
)
from rosterd.core.errors import Invalid, NotFound
from rosterd.core.ports import DirectoryStore, DirectoryTransaction, Keyset, UserQuery
from rosterd.core.shapes import RenderedUser, UserShape

_Listed = TypeVar("_Listed", DirectoryUser, RenderedUser)

STILL_ASSIGNED: Final = "User still assigned to one or more devices."
NOT_FOUND: Final = "Not found."


@dataclass(frozen=True, slots=True)
class UserPage(Generic[_Listed]):
    users: list[_Listed]  # newest first, whichever way the page was read
    has_more: bool  # whether rows lie beyond this page in the direction it was read


@dataclass(frozen=True, slots=True)
class UserFilterChoices:
    """What the users list may be filtered by: the organization's account groups (in aid
    order), the roles it can use (built-in first, then by id) and its integrations."""

    account_groups: list[AccountGroup]
    roles: list[Role]
    integrations: list[Integration]


class DirectoryService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def list_users(
        self, *, principal: Principal, query: UserQuery, page: Keyset
    ) -> UserPage[DirectoryUser]:
        with self._store.read() as tx:
            require_tenant_permission(tx, principal, perm.VIEW_ALL_USERS)
            rows = tx.list_directory_users(
                principal.org.id, query, replace(page, limit=page.limit + 1)
            )
        return _page_of(rows, page)

    def list_rendered_users(
        self, *, principal: Principal, query: UserQuery, page: Keyset, shape: UserShape
    ) -> UserPage[RenderedUser]:
        """`list_users`'s page, each user as `shape`'s JSON (core/shapes.py)."""
        with self._store.read() as tx:
            require_tenant_permission(tx, principal, perm.VIEW_ALL_USERS)
            rows = tx.list_rendered_users(
                principal.org.id, query, replace(page, limit=page.limit + 1), shape
            )
        return _page_of(rows, page)

    def user_filter_choices(self, *, principal: Principal) -> UserFilterChoices:
        with self._store.read() as tx:
            require_tenant_permission(tx, principal, perm.VIEW_ALL_USERS)
            catalogue = tx.get_catalogue(principal.org.id)
            integrations = tx.list_integrations(principal.org.id)
        roles = sorted(catalogue.roles.values(), key=lambda r: (not r.is_builtin, r.role_id))
        return UserFilterChoices(list(catalogue.account_groups.values()), roles, integrations)

    def get_user(self, *, principal: Principal, user_id: UUID) -> DirectoryUser:
        with self._store.read() as tx:
            require_tenant_permission(tx, principal, perm.VIEW_ALL_USERS)
            found = tx.get_directory_user(principal.org.id, user_id)
        if found is None:
            raise NotFound(NOT_FOUND)
        return found

    def get_rendered_user(self, *, principal: Principal, user_id: UUID, shape: UserShape) -> str:
        """`get_user`'s user as `shape`'s JSON."""
        with self._store.read() as tx:
            require_tenant_permission(tx, principal, perm.VIEW_ALL_USERS)
            found = tx.get_rendered_user(principal.org.id, user_id, shape)
        if found is None:
            raise NotFound(NOT_FOUND)
        return found

    def delete_user(self, *, principal: Principal, user_id: UUID, actor: Actor) -> None:
        with self._store.write() as tx:
            user = _deletable(tx, principal, user_id, lock=True)
            tx.delete_user(principal.org.id, user.uid)
            record(
                tx,
                org_id=principal.org.id,
                actor=actor,
                action="user.delete",
                target_type="user",
                target_id=str(user.id),
                new_state={"email": user.email, "name": user.name, "uid": str(user.uid)},
            )

    def check_delete_user(self, *, principal: Principal, user_id: UUID) -> None:
        """Raise what `delete_user` would refuse now, changing nothing (the console says it
        before offering the delete; `delete_user` checks again, as anything may change)."""
        with self._store.read() as tx:
            _deletable(tx, principal, user_id, lock=False)


def _page_of(rows: list[_Listed], page: Keyset) -> UserPage[_Listed]:
    """A page from its rows read one past its limit, newest first."""
    has_more = len(rows) > page.limit
    rows = rows[: page.limit]
    if page.reverse:
        rows.reverse()
    return UserPage(rows, has_more)


def _deletable(
    tx: DirectoryTransaction, principal: Principal, user_id: UUID, *, lock: bool
) -> User:
    """The user `user_id`, if the caller may delete them; else the refusal."""
    require_tenant_permission(tx, principal, perm.EDIT_USERS_ALL_ACCOUNT_GROUPS)
    # In a write, locked until commit, so the count below sees any assignment that got the
    # user first, and no assignment can start before the delete commits.
    user = tx.get_user_by_id(principal.org.id, user_id)
    if user is None:
        raise NotFound(NOT_FOUND)
    if tx.count_devices_of(principal.org.id, user.uid) > 0:
        raise Invalid(STILL_ASSIGNED)
    held = tx.get_role_assignments(user.uid)
    require_may_change_manager(
        tx.get_catalogue(principal.org.id).roles,
        held,
        RoleAssignments(),
        removes_or_disables=True,
        may_assign_management=perm.ASSIGN_MANAGEMENT_PERMISSIONS
        in permission_codes_anywhere(tx, principal),
    )
    # Only an Organization Admin can be the last one: a read that merely asks (the console,
    # on every user's page) skips the count for everyone else.
    if lock or ORGANIZATION_ADMIN_ROLE_ID in held.role_ids():
        keep_an_organization_admin(tx, principal.org.id, [user.uid], lock=lock)
    return user
