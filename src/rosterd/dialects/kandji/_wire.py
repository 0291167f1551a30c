"""Kandji (Iru) wire schemas, as the vendor's Postman examples show them.

The request model validates PATCH bodies strictly; the response models document this dialect's
OpenAPI document (handlers render plain dicts, in the vendor's key order, for speed).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic.json_schema import SkipJsonSchema

_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
UUID_PATTERN = rf"^{_UUID}$"
# Query parameters: an empty value means "no filter", so every pattern admits "".
UUID_OR_EMPTY = rf"^({_UUID})?$"
BOOLEAN_OR_EMPTY = r"^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|1|0)?$"
POSITIVE_OR_EMPTY = r"^([1-9][0-9]{0,8})?$"
COUNT_OR_EMPTY = r"^[0-9]{0,9}$"
AUDIT_SORT = r"^(-?(occurred_at|id))?$"
TEXT = r"^[^\u0000]*$"  # no NUL: no stored value has one, and PostgreSQL cannot compare it


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


# requests


class DeviceUpdate(_Wire):
    """Only the attributes present are changed; `null` clears `user` and `asset_tag`."""

    user: StrictStr | None = Field(
        default=None,
        max_length=64,
        json_schema_extra={"pattern": UUID_PATTERN},  # documented; the parse step checks it
        description="The UUID of the user to assign, or null to unassign the device.",
        examples=["5344c996-8823-4b37-8d6e-8515fc7c3a0a"],
    )
    asset_tag: StrictStr | None = Field(
        default=None, max_length=255, pattern=TEXT, examples=["1040"]
    )
    tags: list[Annotated[StrictStr, Field(min_length=1, max_length=255, pattern=TEXT)]] | None = (
        Field(default=None, max_length=100, examples=[["tag1"]])
    )
    blueprint_id: StrictStr | None = Field(
        default=None,
        max_length=64,
        json_schema_extra={"pattern": UUID_PATTERN},
        examples=["be1a4d67-91d8-4d19-a927-c8be6e77b6b2"],
    )


# responses


class Error(_Wire):
    detail: StrictStr


class Integration(_Wire):
    id: StrictInt
    name: StrictStr
    uuid: StrictStr
    type: StrictStr


class User(_Wire):
    active: StrictBool
    archived: StrictBool
    created_at: StrictStr = Field(examples=["2024-09-06T21:00:04.304248Z"])
    department: StrictStr | None
    deprecated_user_id: StrictStr = Field(examples=["29360"])
    email: StrictStr
    id: StrictStr
    integration: Integration | None
    job_title: StrictStr | None
    name: StrictStr
    device_count: StrictInt
    updated_at: StrictStr = Field(examples=["2024-09-06T21:00:04.304280Z"])


class UserList(_Wire):
    next: StrictStr | None
    previous: StrictStr | None
    results: list[User]


class DeviceUser(_Wire):
    email: StrictStr
    name: StrictStr
    id: StrictStr
    is_archived: StrictBool


class Device(_Wire):
    device_id: StrictStr
    device_name: StrictStr
    model: StrictStr
    serial_number: StrictStr
    platform: StrictStr
    os_version: StrictStr
    supplemental_build_version: StrictStr
    supplemental_os_version_extra: StrictStr
    last_check_in: StrictStr
    user: DeviceUser | Literal[""]
    asset_tag: StrictStr
    # Left out of a device without a blueprint: Kandji's schema has no null for it.
    blueprint_id: StrictStr | SkipJsonSchema[None] = None
    mdm_enabled: StrictBool
    agent_installed: StrictBool
    is_missing: StrictBool
    is_removed: StrictBool
    agent_version: StrictStr
    first_enrollment: StrictStr = Field(examples=["2024-01-26 16:15:36.087016+00:00"])
    last_enrollment: StrictStr
    blueprint_name: StrictStr
    lost_mode_status: StrictStr
    tags: list[StrictStr]


class AuditEvent(_Wire):
    id: StrictStr
    action: StrictStr
    occurred_at: StrictStr
    actor_id: StrictStr | None
    actor_type: StrictStr
    target_id: StrictStr
    target_type: StrictStr
    target_component: StrictStr
    new_state: dict[str, object]
    metadata: dict[str, object]


class AuditEventList(_Wire):
    results: list[AuditEvent]
    previous: StrictStr | None
    next: StrictStr | None
