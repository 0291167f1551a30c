"""ThousandEyes v7 wire schemas (field names and types as the official SDK 6.0.0 expects them).

Request models validate input strictly; response models exist to document the responses in
this dialect's OpenAPI document (handlers render plain dicts for speed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=False)


# requests
#
# Ids are decimal strings (anything else names nothing and is refused like an unknown id).
# `json_schema_extra` puts keywords that mirror the core's own checks (a non-blank name, an
# email address, ...) into the OpenAPI document only; the core keeps reporting those problems.

ID_PATTERN = r"^[0-9]{1,18}$"


def _not_blank_pattern() -> str:
    """A pattern matching text with a character `str.strip()` keeps (a name is not blank).

    `\\S` will not do: JSON Schema's (ECMA-262) whitespace and Python's differ, e.g. on \\x1c.
    So the whitespace is spelled out, as Python defines it (all of it in the BMP).
    """
    spaces = [c for c in range(0x10000) if chr(c).isspace()]
    runs: list[list[int]] = []
    for c in spaces:
        if runs and runs[-1][1] == c - 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    spelled = "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in runs)
    return f"[^{spelled}]"


IdStr = Annotated[StrictStr, Field(max_length=20, json_schema_extra={"pattern": ID_PATTERN})]
NameStr = Annotated[
    StrictStr,
    Field(max_length=255, json_schema_extra={"minLength": 1, "pattern": _not_blank_pattern()}),
]
EmailStr = Annotated[StrictStr, Field(max_length=254, json_schema_extra={"format": "email"})]


class UserAccountGroupRole(_Wire):
    account_group_id: IdStr = Field(alias="accountGroupId")
    role_ids: list[IdStr] = Field(alias="roleIds", max_length=100)


def _array_not_null(value: object) -> object:
    # Runs on a value sent, never on a default: None means "left out", a null sent is refused.
    if value is None:
        raise PydanticCustomError("list_type", "Input should be a valid array")
    return value


def _string_not_null(value: object) -> object:
    if value is None:
        raise PydanticCustomError("string_type", "Input should be a valid string")
    return value


def _iso_date_time(value: object) -> object:
    """ISO 8601 date and time, as the vendor documents its dates (pydantic alone would take a
    number of epoch seconds too); without an offset, UTC."""
    if isinstance(value, str) and "T" in value.upper():
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError(
        "datetime_from_date_parsing", "Input should be an ISO 8601 date and time"
    )


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_date_time)]

T = TypeVar("T")
# An array, or left out (None), never null: the vendor's schema has no null for it.
NotNullArray = Annotated[T | None, BeforeValidator(_array_not_null)]


def _not_null(schema: dict[str, Any]) -> None:
    """Document an optional field as its type alone: None stands for "not given", and a null
    sent is refused."""
    schema.pop("default", None)
    types = schema.pop("anyOf")
    schema.update(next(t for t in types if t.get("type") != "null"))


class UserRequest(_Wire):
    name: NameStr | None = None
    email: EmailStr | None = None
    login_account_group_id: IdStr | None = Field(default=None, alias="loginAccountGroupId")
    # Arrays or left out, never null, as the vendor's schema has them (None: not given).
    account_group_roles: NotNullArray[list[UserAccountGroupRole]] = Field(
        default=None, alias="accountGroupRoles", max_length=1000, json_schema_extra=_not_null
    )
    all_account_group_role_ids: NotNullArray[list[IdStr]] = Field(
        default=None, alias="allAccountGroupRoleIds", max_length=100, json_schema_extra=_not_null
    )


# responses


class Link(_Wire):
    href: StrictStr


class SelfLinks(_Wire):
    self_: Link = Field(alias="self")


class AccountGroup(_Wire):
    aid: StrictStr
    account_group_name: StrictStr = Field(alias="accountGroupName")


class Role(_Wire):
    role_id: StrictStr = Field(alias="roleId")
    name: StrictStr
    is_builtin: StrictBool = Field(alias="isBuiltin")
    has_management_permissions: StrictBool = Field(alias="hasManagementPermissions")


class AccountGroupRole(_Wire):
    account_group: AccountGroup = Field(alias="accountGroup")
    roles: list[Role]


class ExtendedUser(_Wire):
    uid: StrictStr
    name: StrictStr
    email: StrictStr
    date_registered: datetime = Field(alias="dateRegistered")
    # Left out while the user has never logged in: the vendor's schema has no null for it.
    last_login: datetime | SkipJsonSchema[None] = Field(default=None, alias="lastLogin")
    login_account_group: AccountGroup = Field(alias="loginAccountGroup")


class Users(_Wire):
    users: list[ExtendedUser]
    links: SelfLinks = Field(alias="_links")


class CreatedUser(_Wire):
    uid: StrictStr
    name: StrictStr
    email: StrictStr
    date_registered: datetime = Field(alias="dateRegistered")
    login_account_group: AccountGroup = Field(alias="loginAccountGroup")
    account_group_roles: list[AccountGroupRole] = Field(alias="accountGroupRoles")
    all_account_group_roles: list[Role] = Field(alias="allAccountGroupRoles")
    links: SelfLinks = Field(alias="_links")


class UserDetail(CreatedUser):
    last_login: datetime | SkipJsonSchema[None] = Field(default=None, alias="lastLogin")


class AccountGroupInfo(_Wire):
    aid: StrictStr
    account_group_name: StrictStr = Field(alias="accountGroupName")
    is_current_account_group: StrictBool = Field(alias="isCurrentAccountGroup")
    is_default_account_group: StrictBool = Field(alias="isDefaultAccountGroup")
    organization_name: StrictStr = Field(alias="organizationName")
    org_id: StrictStr = Field(alias="orgId")


class AccountGroups(_Wire):
    account_groups: list[AccountGroupInfo] = Field(alias="accountGroups")
    links: SelfLinks = Field(alias="_links")


class Roles(_Wire):
    roles: list[Role]
    links: SelfLinks = Field(alias="_links")


class Permission(_Wire):
    label: StrictStr
    permission_id: StrictStr = Field(alias="permissionId")
    is_management_permission: StrictBool = Field(alias="isManagementPermission")
    permission: StrictStr


class Permissions(_Wire):
    permissions: list[Permission]
    links: SelfLinks = Field(alias="_links")


class RoleCreate(_Wire):
    """POST /roles: a name and, optionally, the permissions (ids from /permissions)."""

    name: NameStr
    permissions: NotNullArray[list[IdStr]] = Field(
        default=None, max_length=100, json_schema_extra=_not_null
    )


class RoleUpdate(_Wire):
    """PUT /roles/{id}: the full list of permissions, replacing the role's, and maybe a name."""

    name: Annotated[NameStr | None, BeforeValidator(_string_not_null)] = Field(
        default=None, json_schema_extra=_not_null
    )
    permissions: list[IdStr] = Field(max_length=100)


class RoleDetail(_Wire):
    name: StrictStr
    role_id: StrictStr = Field(alias="roleId")
    is_builtin: StrictBool = Field(alias="isBuiltin")
    permissions: list[Permission]
    links: SelfLinks = Field(alias="_links")


class AccountGroupRequest(_Wire):
    """POST /account-groups, PUT /account-groups/{id}: the name and the full agent list."""

    account_group_name: NameStr = Field(alias="accountGroupName")
    agents: NotNullArray[list[Annotated[StrictStr, Field(max_length=64)]]] = Field(
        default=None, max_length=100, json_schema_extra=_not_null
    )


class UserAccountGroup(_Wire):
    name: StrictStr
    email: StrictStr
    uid: StrictStr
    last_login: datetime | SkipJsonSchema[None] = Field(default=None, alias="lastLogin")
    date_registered: datetime = Field(alias="dateRegistered")
    roles: list[Role]


class EnterpriseAgent(_Wire):
    """An Enterprise Agent with access to the group; rosterd keeps none, so lists are empty."""

    agent_id: StrictStr = Field(alias="agentId")
    agent_name: StrictStr = Field(alias="agentName")


class CreatedAccountGroup(AccountGroupInfo):
    users: list[UserAccountGroup] | SkipJsonSchema[None] = Field(
        default=None, description="With `expand=user`: the users with roles in the group."
    )
    links: SelfLinks = Field(alias="_links")


class AccountGroupDetail(CreatedAccountGroup):
    agents: list[EnterpriseAgent] | SkipJsonSchema[None] = Field(
        default=None, description="With `expand=agent`: the agents the group may use."
    )
    account_token: StrictStr = Field(alias="accountToken")


class Resource(_Wire):
    type: StrictStr
    name: StrictStr


class UserEvent(_Wire):
    aid: StrictStr
    account_group_name: StrictStr = Field(alias="accountGroupName")
    date: datetime
    event: StrictStr
    uid: StrictStr | SkipJsonSchema[None] = None
    user: StrictStr | SkipJsonSchema[None] = None
    resources: list[Resource]


class PaginationLinks(_Wire):
    self_: Link = Field(alias="self")
    next: Link | SkipJsonSchema[None] = None


class AuditUserEvents(_Wire):
    audit_events: list[UserEvent] = Field(alias="auditEvents")
    start_date: datetime | SkipJsonSchema[None] = Field(default=None, alias="startDate")
    end_date: datetime | SkipJsonSchema[None] = Field(default=None, alias="endDate")
    links: PaginationLinks = Field(alias="_links")


class Error(_Wire):
    type: StrictStr
    title: StrictStr
    status: StrictInt
    detail: StrictStr
    instance: StrictStr


class ValidationErrorItem(_Wire):
    code: StrictStr
    field: StrictStr
    message: StrictStr


class ValidationError(Error):
    errors: list[ValidationErrorItem]


class UnauthorizedError(_Wire):
    error: StrictStr
    error_description: StrictStr
