"""The fixed permission catalogue and the built-in roles (seeded by migration 0001).

Codes are the stable names the core checks; ids and labels are what the ThousandEyes dialect
shows. Changing an id or code here needs a migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class PermissionSpec:
    permission_id: int
    code: str
    label: str
    is_management: bool


API_ACCESS: Final = "API_ACCESS"
VIEW_ALL_USERS: Final = "USERS_READ_ALL"
EDIT_USERS: Final = "USERS_EDIT"
EDIT_USERS_ALL_ACCOUNT_GROUPS: Final = "USERS_EDIT_ALL_ACCOUNT_GROUPS"
ASSIGN_MANAGEMENT_PERMISSIONS: Final = "MANAGEMENT_PERMISSIONS_ASSIGN"
EDIT_ROLES: Final = "ROLES_EDIT"
VIEW_ACCOUNT_GROUPS: Final = "ACCOUNT_GROUPS_READ_ALL"
EDIT_ACCOUNT_GROUPS: Final = "ACCOUNT_GROUPS_EDIT_ALL"
VIEW_ACTIVITY_LOG: Final = "ACTIVITY_LOG_READ"
DELETE_ACCOUNT: Final = "ACCOUNT_DELETE"

CATALOGUE: Final[tuple[PermissionSpec, ...]] = (
    PermissionSpec(1, API_ACCESS, "API Access", False),
    PermissionSpec(2, VIEW_ALL_USERS, "View all users", True),
    PermissionSpec(3, EDIT_USERS, "Edit users", True),
    PermissionSpec(4, EDIT_USERS_ALL_ACCOUNT_GROUPS, "Edit users in all account groups", True),
    PermissionSpec(5, ASSIGN_MANAGEMENT_PERMISSIONS, "Assign management permissions", True),
    PermissionSpec(6, VIEW_ACCOUNT_GROUPS, "View all account groups settings", True),
    PermissionSpec(7, EDIT_ACCOUNT_GROUPS, "Edit all account groups", True),
    PermissionSpec(8, EDIT_ROLES, "Edit roles", True),
    PermissionSpec(9, VIEW_ACTIVITY_LOG, "View activity log", True),
    PermissionSpec(10, "REPORT_READ", "View reports", False),
    PermissionSpec(11, "REPORT_SNAPSHOTS_READ", "View snapshots", False),
    PermissionSpec(12, "TESTS_READ", "View tests", False),
    PermissionSpec(13, "TESTS_EDIT", "Edit tests", False),
    # Added by migration 0008, with the Organization Admin holding it.
    PermissionSpec(14, DELETE_ACCOUNT, "Delete account", True),
)

ORGANIZATION_ADMIN: Final = "Organization Admin"
ACCOUNT_ADMIN: Final = "Account Admin"
REGULAR_USER: Final = "Regular User"

_ACCOUNT_ADMIN_CODES: Final = frozenset(
    {
        API_ACCESS,
        VIEW_ALL_USERS,
        EDIT_USERS,
        VIEW_ACCOUNT_GROUPS,
        EDIT_ROLES,
        VIEW_ACTIVITY_LOG,
        "REPORT_READ",
        "REPORT_SNAPSHOTS_READ",
        "TESTS_READ",
        "TESTS_EDIT",
    }
)
_REGULAR_USER_CODES: Final = frozenset(
    {API_ACCESS, "REPORT_READ", "REPORT_SNAPSHOTS_READ", "TESTS_READ", "TESTS_EDIT"}
)


@dataclass(frozen=True, slots=True)
class BuiltinRoleSpec:
    role_id: int
    name: str
    codes: frozenset[str]


BUILTIN_ROLES: Final[tuple[BuiltinRoleSpec, ...]] = (
    BuiltinRoleSpec(1, ORGANIZATION_ADMIN, frozenset(p.code for p in CATALOGUE)),
    BuiltinRoleSpec(2, ACCOUNT_ADMIN, _ACCOUNT_ADMIN_CODES),
    BuiltinRoleSpec(3, REGULAR_USER, _REGULAR_USER_CODES),
)
