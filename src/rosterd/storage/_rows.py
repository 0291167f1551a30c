"""Rows to core entities."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from functools import cache
from typing import Any, Protocol

from rosterd.core.entities import (
    AccountGroup,
    ApiToken,
    AuditEvent,
    Device,
    DirectoryUser,
    Integration,
    Organization,
    Permission,
    User,
)
from rosterd.storage import tables as t
from rosterd.storage._prepared import Processor


class RowLike(Protocol):
    """A SQLAlchemy row, or a prepared statement's (`_prepared.PreparedRow`)."""

    @property
    def _mapping(self) -> Mapping[Any, Any]: ...


USER_COLUMNS = (
    t.users.c.uid,
    t.users.c.id,
    t.users.c.org_id,
    t.users.c.email,
    t.users.c.name,
    t.users.c.active,
    t.users.c.archived,
    t.users.c.department,
    t.users.c.job_title,
    t.users.c.integration_id,
    t.users.c.login_account_group_id,
    t.users.c.email_confirmed,
    t.users.c.created_at,
    t.users.c.updated_at,
    t.users.c.last_login,
    t.users.c.external_id,
)
ORG_COLUMNS = (
    t.organizations.c.id,
    t.organizations.c.name,
    t.organizations.c.subdomain,
    t.organizations.c.rate_limit_per_minute,
    t.organizations.c.created_at,
)


# The entity's fields, in its order: each is a column of `users` of the same name.
_USER_FIELDS = tuple(f.name for f in fields(User))


@cache
def _prefixed(prefix: str, fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(prefix + name for name in fields)


def converter(processors: Sequence[Processor]) -> Callable[[Sequence[Any]], list[Any]]:
    """A driver row's values as SQLAlchemy returns them: only the columns whose type processes
    results are touched (on a page of 300 users most of the columns are not)."""
    steps = [(i, p) for i, p in enumerate(processors) if p is not None]

    def convert(raw: Sequence[Any]) -> list[Any]:
        values = list(raw)
        for i, process in steps:
            values[i] = process(values[i])
        return values

    return convert


class DirectoryUserReader:
    """Driver rows of `USER_COLUMNS`, `INTEGRATION_COLUMNS` and a device count, in this order,
    to directory users; `processors` are the statement's, column by column."""

    def __init__(self, processors: Sequence[Processor]) -> None:
        users, integrations = len(USER_COLUMNS), len(INTEGRATION_COLUMNS)
        self._users = users
        self._end = users + integrations
        self._user = converter(processors[:users])
        self._integration = converter(processors[users : self._end])
        self._count = processors[self._end]

    def __call__(self, rows: Sequence[Sequence[Any]]) -> list[DirectoryUser]:
        users, end, count = self._users, self._end, self._count
        # A page's users come from few integrations: each is made once, from its first row.
        integrations: dict[Any, Integration | None] = {None: None}
        found = []
        for raw in rows:
            key = raw[users]
            if key in integrations:
                integration = integrations[key]
            else:
                integration = integrations[key] = Integration(*self._integration(raw[users:end]))
            devices = raw[end] if count is None else count(raw[end])
            found.append(DirectoryUser(User(*self._user(raw[:users])), integration, int(devices)))
        return found


def user(row: RowLike, prefix: str = "") -> User:
    # Positional, from key names made once per prefix: a page of users makes 300 of these.
    m = row._mapping
    return User(*[m[key] for key in _prefixed(prefix, _USER_FIELDS)])


def organization(row: RowLike, prefix: str = "") -> Organization:
    m = row._mapping
    return Organization(
        id=m[f"{prefix}id"],
        name=m[f"{prefix}name"],
        subdomain=m[f"{prefix}subdomain"],
        rate_limit_per_minute=m[f"{prefix}rate_limit_per_minute"],
        created_at=m[f"{prefix}created_at"],
    )


def account_group(row: RowLike) -> AccountGroup:
    m = row._mapping
    return AccountGroup(
        aid=m["aid"],
        org_id=m["org_id"],
        name=m["name"],
        is_default=m["is_default"],
        account_token=m["account_token"],
    )


def permission(row: RowLike) -> Permission:
    m = row._mapping
    return Permission(
        permission_id=m["permission_id"],
        code=m["code"],
        label=m["label"],
        is_management=m["is_management"],
    )


def api_token(row: RowLike) -> ApiToken:
    m = row._mapping
    return ApiToken(
        id=m["id"],
        org_id=m["org_id"],
        user_uid=m["user_uid"],
        name=m["name"],
        created_at=m["created_at"],
        revoked_at=m["revoked_at"],
        last_used_at=m["last_used_at"],
    )


def audit_event(row: RowLike) -> AuditEvent:
    m = row._mapping
    return AuditEvent(
        id=m["id"],
        org_id=m["org_id"],
        occurred_at=m["occurred_at"],
        actor_type=m["actor_type"],
        actor_id=m["actor_id"],
        action=m["action"],
        target_type=m["target_type"],
        target_id=m["target_id"],
        new_state=m["new_state"],
        request_id=m["request_id"],
        aid=m["aid"],
        target_name=m["target_name"],
    )


INTEGRATION_COLUMNS = (
    t.integrations.c.id,
    t.integrations.c.uuid,
    t.integrations.c.org_id,
    t.integrations.c.name,
    t.integrations.c.type,
    t.integrations.c.created_at,
)


def integration(row: RowLike, prefix: str = "") -> Integration | None:
    m = row._mapping
    if m[f"{prefix}id"] is None:  # an outer join found none
        return None
    return Integration(
        id=m[f"{prefix}id"],
        uuid=m[f"{prefix}uuid"],
        org_id=m[f"{prefix}org_id"],
        name=m[f"{prefix}name"],
        type=m[f"{prefix}type"],
        created_at=m[f"{prefix}created_at"],
    )


def device(row: RowLike) -> Device:
    m = row._mapping
    return Device(
        id=m["id"],
        device_id=m["device_id"],
        org_id=m["org_id"],
        name=m["name"],
        model=m["model"],
        serial_number=m["serial_number"],
        platform=m["platform"],
        os_version=m["os_version"],
        supplemental_build_version=m["supplemental_build_version"],
        supplemental_os_version_extra=m["supplemental_os_version_extra"],
        last_check_in=m["last_check_in"],
        asset_tag=m["asset_tag"],
        blueprint_id=m["blueprint_id"],
        blueprint_name=m["blueprint_name"],
        mdm_enabled=m["mdm_enabled"],
        agent_installed=m["agent_installed"],
        is_missing=m["is_missing"],
        is_removed=m["is_removed"],
        agent_version=m["agent_version"],
        first_enrollment=m["first_enrollment"],
        last_enrollment=m["last_enrollment"],
        lost_mode_status=m["lost_mode_status"],
        tags=tuple(m["tags"] or ()),
        user_uid=m["user_uid"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        mac_address=m["mac_address"],
        filevault_enabled=m["filevault_enabled"],
    )
