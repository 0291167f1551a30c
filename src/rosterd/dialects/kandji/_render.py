"""Core entities → Kandji JSON, keys in the order Kandji's own examples show them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from rosterd.core.entities import AuditEvent, DeviceView, User
from rosterd.core.shapes import Field, Nested, UserShape, Written

JSON = dict[str, Any]
# Our action names are "<target>.<verb>"; Kandji's audit log names the verb only.
_TARGET_TYPES = {"token": "api_token"}


def timestamp(value: datetime) -> str:
    """`2024-09-06T21:00:04.304248Z`: UTC, always six digits of microseconds."""
    # Formatted from the fields: the text of `isoformat(timespec="microseconds")` at half its
    # cost on an aware datetime (two per user of a page). The store's are in UTC already.
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return _TIMESTAMP % (
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )


_TIMESTAMP: Final = "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ"


def enrollment_time(value: datetime | None) -> str:
    """Enrolment times print like Python's `str(datetime)`: `2024-01-26 16:15:36.087016+00:00`."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")


# A user, as GET /api/v1/users and /users/{id} answer; written by the database
# (core/shapes.py): `department` and `job_title` are null when empty.
USER: Final = UserShape(
    (
        Field("active", "user.active", Written.BOOLEAN),
        Field("archived", "user.archived", Written.BOOLEAN),
        Field("created_at", "user.created_at", Written.TIMESTAMP),
        Field("department", "user.department", Written.TEXT_OR_NULL),
        Field("deprecated_user_id", "user.uid", Written.INTEGER_AS_TEXT),
        Field("email", "user.email", Written.TEXT),
        Field("id", "user.id", Written.UUID),
        Nested(
            "integration",
            "integration",
            (
                Field("id", "integration.id", Written.INTEGER),
                Field("name", "integration.name", Written.TEXT),
                Field("uuid", "integration.uuid", Written.UUID),
                Field("type", "integration.type", Written.TEXT),
            ),
        ),
        Field("job_title", "user.job_title", Written.TEXT_OR_NULL),
        Field("name", "user.name", Written.TEXT),
        Field("device_count", "device_count", Written.INTEGER),
        Field("updated_at", "user.updated_at", Written.TIMESTAMP),
    )
)


def device_user(value: User | None) -> JSON | str:
    if value is None:
        return ""
    return {
        "email": value.email,
        "name": value.name,
        "id": str(value.id),
        "is_archived": value.archived,
    }


def device(view: DeviceView) -> JSON:
    """A device; a value Kandji's schema has no null for is left out when there is none."""
    d = view.device
    rendered = {
        "device_id": str(d.device_id),
        "device_name": d.name,
        "model": d.model,
        "serial_number": d.serial_number,
        "platform": d.platform,
        "os_version": d.os_version,
        "supplemental_build_version": d.supplemental_build_version,
        "supplemental_os_version_extra": d.supplemental_os_version_extra,
        "last_check_in": timestamp(d.last_check_in) if d.last_check_in else "",
        "user": device_user(view.user),
        "asset_tag": d.asset_tag,
        "blueprint_id": str(d.blueprint_id),  # left out below when there is none
        "mdm_enabled": d.mdm_enabled,
        "agent_installed": d.agent_installed,
        "is_missing": d.is_missing,
        "is_removed": d.is_removed,
        "agent_version": d.agent_version,
        "first_enrollment": enrollment_time(d.first_enrollment),
        "last_enrollment": enrollment_time(d.last_enrollment),
        "blueprint_name": d.blueprint_name,
        "lost_mode_status": d.lost_mode_status,
        "tags": list(d.tags),
    }
    if d.blueprint_id is None:
        del rendered["blueprint_id"]
    return rendered


def audit_event(event: AuditEvent) -> JSON:
    _, _, verb = event.action.rpartition(".")
    return {
        "id": event.id,
        "action": verb,
        "occurred_at": timestamp(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_type": event.actor_type,
        "target_id": event.target_id,
        "target_type": _TARGET_TYPES.get(event.target_type, event.target_type),
        "target_component": "",
        "new_state": event.new_state or {},
        "metadata": {"request_id": event.request_id} if event.request_id else {},
    }
