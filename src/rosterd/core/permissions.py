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

CATALOGUE: Final[tuple[PermissionSpec, ...]] = (
    PermissionSpec(1, API_ACCESS, "API Access", False),
    PermissionSpec(2, VIEW_ALL_USERS, "View all users", True),
    PermissionSpec(3, EDIT_USERS, "Edit users", True),
    PermissionSpec(4, EDIT_USERS_ALL_ACCOUNT_GROUPS, "Edit users in all account groups", True),
    PermissionSpec(5, ASSIGN_MANAGEMENT_PERMISSIONS, "Assign management permissions", True),
    PermissionSpec(6, "ACCOUNT_GROUPS_READ_ALL", "View all account groups settings", True),
    PermissionSpec(7, "ACCOUNT_GROUPS_EDIT_ALL", "Edit all account groups", True),
    PermissionSpec(8, EDIT_ROLES, "Edit roles", True),
    PermissionSpec(9, "ACTIVITY_LOG_READ", "View activity log", True),
    PermissionSpec(10, "REPORT_READ", "View reports", False),
    PermissionSpec(11, "REPORT_SNAPSHOTS_READ", "View snapshots", False),
    PermissionSpec(12, "TESTS_READ", "View tests", False),
    PermissionSpec(13, "TESTS_EDIT", "Edit tests", False),
)

ORGANIZATION_ADMIN: Final = "Organization Admin"
ACCOUNT_ADMIN: Final = "Account Admin"
REGULAR_USER: Final = "Regular User"

_ACCOUNT_ADMIN_CODES: Final = frozenset(
    {
        API_ACCESS,
        VIEW_ALL_USERS,
        EDIT_USERS,
        "ACCOUNT_GROUPS_READ_ALL",
        "ROLES_EDIT",
        "ACTIVITY_LOG_READ",
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
