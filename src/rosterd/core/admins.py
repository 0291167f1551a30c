"""Who may remove, demote or disable a user, so that an organization never loses its admins.

- Whoever may not grant a role with management permissions (`Assign management permissions`)
  may not delete, demote or disable (change the email of) a user who holds one either.
- Nobody may delete, demote, deactivate or archive the organization's last active
  Organization Admin: without one, nobody could manage the organization through the API.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final

from rosterd.core import permissions as perm
from rosterd.core.access import granted_management_roles
from rosterd.core.entities import Role, RoleAssignments
from rosterd.core.errors import Forbidden
from rosterd.core.ports import DirectoryTransaction

LAST_ORGANIZATION_ADMIN: Final = (
    "The organization's last active Organization Admin cannot be deleted, demoted or deactivated"
)


def require_may_change_manager(
    roles: Mapping[int, Role],
    before: RoleAssignments,
    after: RoleAssignments,
    *,
    removes_or_disables: bool,
    may_assign_management: bool,
) -> None:
    """Refuse removing, disabling or demoting a holder of a management role without the right
    to grant one. `after` is the target's assignments after the change."""
    if may_assign_management:
        return
    held = management_roles_held(roles, before)
    if held and (removes_or_disables or granted_management_roles(roles, after, before)):
        raise Forbidden(
            f"Deleting, demoting or disabling a user with the {', '.join(held)} role requires "
            "the 'Assign management permissions' permission"
        )


def management_roles_held(roles: Mapping[int, Role], assignments: RoleAssignments) -> list[str]:
    """The names of the roles with management permissions that `assignments` hold."""
    return sorted(
        {roles[i].name for i in assignments.role_ids() if roles[i].has_management_permissions}
    )


ORGANIZATION_ADMIN_ROLE_ID: Final = next(
    r.role_id for r in perm.BUILTIN_ROLES if r.name == perm.ORGANIZATION_ADMIN
)


def keep_an_organization_admin(
    tx: DirectoryTransaction, org_id: int, losing: Collection[int], *, lock: bool = True
) -> None:
    """Refuse a change by which the users `losing` stop being active Organization Admins
    (deleted, demoted, deactivated or archived) if no other active one would be left.

    The organization's row is locked first, so that two such changes on PostgreSQL queue up
    and the second sees what the first left (SQLite writers are serialized anyway); a read
    that only asks whether the change would be refused (`lock=False`) takes no lock.
    """
    if not losing:
        return
    if lock:
        tx.lock_organization(org_id)
    refuse_losing_the_last_admin(tx.active_role_holders(org_id, ORGANIZATION_ADMIN_ROLE_ID), losing)


def refuse_losing_the_last_admin(admins: Collection[int], losing: Collection[int]) -> None:
    """The refusal of `keep_an_organization_admin`, given the active Organization Admins."""
    left = set(admins) - set(losing)
    if len(left) < len(admins) and not left:
        raise Forbidden(LAST_ORGANIZATION_ADMIN)
