"""Core entities → ThousandEyes v7 JSON (every id a string, datetimes `YYYY-MM-DDTHH:MM:SSZ`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from rosterd.core.access import default_account_group
from rosterd.core.account_groups import AccountGroupMember, AccountGroupView
from rosterd.core.audit_log import ActivityPage, actor_uid
from rosterd.core.entities import (
    AccountGroup,
    AuditEvent,
    Organization,
    Permission,
    Role,
    User,
)
from rosterd.core.roles import RoleView
from rosterd.core.users import UserView, display_name

JSON = dict[str, Any]


def timestamp(value: datetime | None) -> str | None:
    """`YYYY-MM-DDTHH:MM:SSZ` of a UTC time; isoformat pads the year to four digits, which
    strftime does not do on every platform."""
    return value.isoformat(timespec="seconds")[:19] + "Z" if value is not None else None


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


def created_account_group(view: AccountGroupView, href: str) -> JSON:
    rendered = account_group_info(
        view.group, view.organization, current=view.current, default=view.default
    )
    if view.members is not None:
        rendered["users"] = [_account_group_member(m) for m in view.members]
    rendered["_links"] = links(href)
    return rendered


def account_group_detail(view: AccountGroupView, href: str, *, with_agents: bool) -> JSON:
    rendered = created_account_group(view, href)
    if with_agents:
        rendered["agents"] = []  # rosterd keeps no Enterprise Agents
    rendered["accountToken"] = view.group.account_token
    return rendered


def _account_group_member(member: AccountGroupMember) -> JSON:
    user = member.user
    rendered: JSON = {"name": user.name, "email": user.email, "uid": str(user.uid)}
    if user.last_login is not None:
        rendered["lastLogin"] = timestamp(user.last_login)
    rendered["dateRegistered"] = timestamp(user.created_at)
    rendered["roles"] = [role(r) for r in member.roles]
    return rendered


# What the activity log says each recorded action was, and what it names a target.
_EVENTS: dict[str, str] = {
    "account_group.create": "Account group created.",
    "account_group.update": "Account group updated.",
    "account_group.delete": "Account group deleted.",
    "device.create": "Device created.",
    "device.update": "Device updated.",
    "group.create": "Directory group created.",
    "group.update": "Directory group updated.",
    "group.delete": "Directory group deleted.",
    "integration.create": "Directory integration created.",
    "integration.token.rotate": "Directory integration token rotated.",
    "integration.token.revoke": "Directory integration token revoked.",
    "organization.create": "Organization created.",
    "role.create": "Role created.",
    "role.update": "Role updated.",
    "role.delete": "Role deleted.",
    "token.create": "API token created.",
    "token.revoke": "API token revoked.",
    "user.archive": "User archived.",
    "user.confirm_email": "User email confirmed.",
    "user.create": "User created.",
    "user.delete": "User deleted.",
    "user.restore": "User restored.",
    "user.update": "User updated.",
}
_RESOURCE_TYPES: dict[str, str] = {
    "account_group": "accountGroupName",
    "device": "deviceName",
    "group": "directoryGroupName",
    "integration": "integrationName",
    "organization": "organizationName",
    "role": "roleName",
    "token": "apiTokenName",
    "user": "userDisplayName",
}


def user_event(event: AuditEvent, page: ActivityPage) -> JSON:
    group = page.account_groups.get(event.aid or page.default.aid, page.default)
    rendered: JSON = {
        "aid": str(group.aid),
        "accountGroupName": group.name,
        "date": timestamp(event.occurred_at),
        "event": _EVENTS.get(event.action, event.action),
    }
    uid = actor_uid(event)
    if uid is not None:
        rendered["uid"] = str(uid)
        actor = page.actors.get(uid)
        if actor is not None:  # a deleted user is known by uid only
            rendered["user"] = display_name(actor)
    rendered["resources"] = [
        {
            "type": _RESOURCE_TYPES.get(event.target_type, event.target_type),
            "name": _target_name(event),
        }
    ]
    return rendered


def _target_name(event: AuditEvent) -> str:
    """The name the event recorded; for events from before names were kept, or from bulk
    imports, what their recorded state says, else the target's id."""
    if event.target_name:
        return event.target_name
    state = event.new_state or {}
    name, email = state.get("name"), state.get("email")
    if isinstance(name, str) and isinstance(email, str):
        return f"{name} ({email})"
    for value in (name, email):
        if isinstance(value, str) and value:
            return value
    return event.target_id
