"""Core entities → ThousandEyes v7 JSON (every id a string, datetimes `YYYY-MM-DDTHH:MM:SSZ`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from rosterd.core.access import default_account_group
from rosterd.core.entities import AccountGroup, Organization, Permission, Role, User
from rosterd.core.roles import RoleView
from rosterd.core.users import UserView

JSON = dict[str, Any]


def timestamp(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def links(href: str) -> JSON:
    return {"self": {"href": href}}


def account_group(group: AccountGroup | None) -> JSON | None:
    if group is None:
        return None
    return {"aid": str(group.aid), "accountGroupName": group.name}


def role(value: Role) -> JSON:
    return {
        "roleId": str(value.role_id),
        "name": value.name,
        "isBuiltin": value.is_builtin,
        "hasManagementPermissions": value.has_management_permissions,
    }


def extended_user(user: User, groups: Mapping[int, AccountGroup]) -> JSON:
    login = default_account_group(user.login_account_group_id, groups)
    rendered = {
        "uid": str(user.uid),
        "name": user.name,
        "email": user.email,
        "dateRegistered": timestamp(user.created_at),
        "loginAccountGroup": account_group(login),
    }
    return _with_last_login(rendered, user)


def _with_last_login(rendered: JSON, user: User) -> JSON:
    """`lastLogin` after the rest, and only once the user has logged in: the vendor's schema
    has no null for it."""
    if user.last_login is not None:
        rendered["lastLogin"] = timestamp(user.last_login)
    return rendered


def created_user(view: UserView, href: str) -> JSON:
    user = view.user
    return {
        "uid": str(user.uid),
        "name": user.name,
        "email": user.email,
        "dateRegistered": timestamp(user.created_at),
        "loginAccountGroup": account_group(view.login_account_group),
        "accountGroupRoles": [
            {"accountGroup": account_group(group), "roles": [role(r) for r in roles]}
            for group, roles in view.account_group_roles
        ],
        "allAccountGroupRoles": [role(r) for r in view.all_account_group_roles],
        "_links": links(href),
    }


def user_detail(view: UserView, href: str) -> JSON:
    return _with_last_login(created_user(view, href), view.user)


def account_group_info(
    group: AccountGroup, org: Organization, *, current: AccountGroup, default: AccountGroup
) -> JSON:
    return {
        "aid": str(group.aid),
        "accountGroupName": group.name,
        "isCurrentAccountGroup": group.aid == current.aid,
        "isDefaultAccountGroup": group.aid == default.aid,
        "organizationName": org.name,
        "orgId": str(org.id),
    }


def role_detail(view: RoleView, href: str) -> JSON:
    r = view.role
    return {
        "name": r.name,
        "roleId": str(r.role_id),
        "isBuiltin": r.is_builtin,
        "permissions": [permission(p) for p in view.permissions],
        "_links": links(href),
    }


def permission(value: Permission) -> JSON:
    return {
        "label": value.label,
        "permissionId": str(value.permission_id),
        "isManagementPermission": value.is_management,
        "permission": value.code,
    }
