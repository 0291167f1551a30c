"""Devices: listed, read, updated (assigned user, asset tag, tags), and imported.

Devices arrive by MDM enrolment in a real deployment; here they come from an import file.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final
from uuid import UUID

from rosterd.core import permissions as perm
from rosterd.core.audit import CLI_ACTOR, Actor, record
from rosterd.core.clock import utcnow
from rosterd.core.directory import NOT_FOUND
from rosterd.core.endpoints import require_tenant_permission
from rosterd.core.entities import DeviceView, Organization, Principal
from rosterd.core.errors import FieldError, Invalid, NotFound
from rosterd.core.integrations import organization
from rosterd.core.operator_reads import user_of
from rosterd.core.ports import (
    DeviceChanges,
    DeviceQuery,
    DirectoryStore,
    DirectoryTransaction,
    NewDevice,
)

MAX_PAGE: Final = 300
MAX_TEXT: Final = 255
PLATFORMS: Final = ("Mac", "iPad", "iPhone", "AppleTV", "iPod", "Vision")
# The fields of an import's record (`parse_device`), in the order the docs list them.
DEVICE_FIELDS: Final = (
    "serial_number",
    "device_name",
    "name",
    "model",
    "platform",
    "os_version",
    "asset_tag",
    "tags",
    "blueprint_id",
    "blueprint_name",
    "agent_version",
    "mac_address",
    "filevault_enabled",
    "device_id",
    "user_email",
    "user_id",
)


class _Unset:
    """Marks an update field that the request left out (distinct from an explicit null)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


@dataclass(frozen=True, slots=True)
class DeviceUpdate:
    user: UUID | _Unset | None = UNSET
    user_email: str | _Unset = UNSET  # the user to assign, by email (the console's way)
    asset_tag: str | _Unset | None = UNSET
    tags: tuple[str, ...] | _Unset = UNSET
    blueprint_id: UUID | _Unset = UNSET


@dataclass(frozen=True, slots=True)
class DeviceImportResult:
    created: int = 0
    updated: int = 0


class DevicesService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def list_devices(
        self,
        *,
        principal: Principal,
        query: DeviceQuery,
        limit: int,
        offset: int = 0,
        after: int | None = None,
        before: int | None = None,
    ) -> list[DeviceView]:
        """The devices passing `query` from `offset` (the API's pages), or after or before a
        device's id in enrolment order (the console's keyset pages)."""
        with self._store.read() as tx:
            require_tenant_permission(tx, principal, perm.VIEW_ALL_USERS)
            return tx.list_devices(
                principal.org.id,
                query,
                limit=min(limit, MAX_PAGE),
                offset=offset,
                after=after,
                before=before,
            )

    def get_device(self, *, principal: Principal, device_id: UUID) -> DeviceView:
        with self._store.read() as tx:
            require_tenant_permission(tx, principal, perm.VIEW_ALL_USERS)
            found = tx.get_device(principal.org.id, device_id)
        if found is None:
            raise NotFound(NOT_FOUND)
        return found

    def update_device(
        self, *, principal: Principal, device_id: UUID, update: DeviceUpdate, actor: Actor
    ) -> DeviceView:
        with self._store.write() as tx:
            require_tenant_permission(tx, principal, perm.EDIT_USERS_ALL_ACCOUNT_GROUPS)
            found = tx.get_device(principal.org.id, device_id)
            if found is None:
                raise NotFound(NOT_FOUND)
            return _update(tx, principal.org, found, update, actor)

    def assign_device(
        self, *, org_subdomain: str, device: str, user: str | None, actor: Actor
    ) -> DeviceView:
        """The operator's assignment: `device` by serial number or device id, `user` by email,
        uid or UUID (None: unassign), with the same rules and audit as `update_device`."""
        with self._store.write() as tx:
            org = organization(tx, org_subdomain)
            found = _device_of(tx, org, device)
            assignee = None if user is None else user_of(tx, org, user).id
            return _update(tx, org, found, DeviceUpdate(user=assignee), actor)

    def check_import_target(self, *, org_subdomain: str) -> None:
        """Refuse an unknown organization, before the work of reading a file."""
        with self._store.read() as tx:
            organization(tx, org_subdomain)

    def import_devices(
        self,
        *,
        org_subdomain: str,
        records: Iterable[Mapping[str, Any]],
        places: Sequence[str] | None = None,
        dry_run: bool = False,
    ) -> DeviceImportResult:
        """Create each listed device, or update the assignment, asset tag and tags of one
        already known by device id or serial number. All records or none; with `dry_run`
        none, once the counts are known. `places` name the records in errors (`line 3`;
        by default `record 1`, `record 2`...)."""
        try:
            with self._store.write() as tx:
                org = organization(tx, org_subdomain)
                # Every record first, so that all the users assigned are held before any
                # device row.
                parsed = [
                    parse_device(tx, org, row, places[i] if places else f"record {i + 1}")
                    for i, row in enumerate(records)
                ]
                result = write_devices(tx, org, parsed, actor=CLI_ACTOR)
                if dry_run:
                    raise _RolledBack(result)  # the transaction's writes are undone
                return result
        except _RolledBack as rolled_back:
            return rolled_back.result


class _RolledBack(Exception):
    """Leaves a transaction whose writes only counted what they would do."""

    def __init__(self, result: DeviceImportResult) -> None:
        super().__init__()
        self.result = result


def write_devices(
    tx: DirectoryTransaction, org: Organization, devices: Iterable[NewDevice], *, actor: Actor
) -> DeviceImportResult:
    """Create each device, or update the assignment, asset tag and tags of one already known by
    device id or serial number, each with its audit event (an import, a seed)."""
    created = updated = 0
    for new in devices:
        known = tx.get_device(org.id, new.device_id) or tx.find_device_by_serial(
            org.id, new.serial_number
        )
        if known is None:
            view = tx.add_device(new)
            created += 1
            action = "device.create"
        else:
            view = tx.update_device(
                org.id,
                known.device.id,
                DeviceChanges(
                    updated_at=new.created_at,
                    set_user=True,
                    user_uid=new.user_uid,
                    asset_tag=new.asset_tag,
                    tags=new.tags,
                ),
            )
            updated += 1
            action = "device.update"
        record(
            tx,
            org_id=org.id,
            actor=actor,
            action=action,
            target_type="device",
            target_id=str(view.device.device_id),
            new_state=device_state(view),
        )
    return DeviceImportResult(created, updated)


def device_state(view: DeviceView) -> dict[str, Any]:
    device = view.device
    return {
        "name": device.name,
        "serial_number": device.serial_number,
        "user_id": str(view.user.id) if view.user else None,
        "asset_tag": device.asset_tag,
        "tags": list(device.tags),
    }


def _update(
    tx: DirectoryTransaction,
    org: Organization,
    found: DeviceView,
    update: DeviceUpdate,
    actor: Actor,
) -> DeviceView:
    # The assigned user is held before the device row is written: a delete racing this
    # assignment either sees the device assigned or finds nothing to assign to. Every
    # writer takes the user's row before any device row, so none waits in a circle.
    changes = _changes(tx, org, update)
    view = tx.update_device(org.id, found.device.id, changes)
    _record_update(tx, view, actor)
    return view


def _device_of(tx: DirectoryTransaction, org: Organization, value: str) -> DeviceView:
    """The organization's device with this device id or serial number."""
    try:
        found = tx.get_device(org.id, uuid.UUID(value))
    except ValueError:
        found = None
    found = found or tx.find_device_by_serial(org.id, value)
    if found is None:
        raise NotFound(f"No device {value!r} in organization {org.subdomain!r}")
    return found


def _record_update(tx: DirectoryTransaction, view: DeviceView, actor: Actor) -> None:
    record(
        tx,
        org_id=view.device.org_id,
        actor=actor,
        action="device.update",
        target_type="device",
        target_id=str(view.device.device_id),
        new_state=device_state(view),
    )


def _changes(tx: DirectoryTransaction, org: Organization, update: DeviceUpdate) -> DeviceChanges:
    changes = DeviceChanges(updated_at=utcnow())
    if not isinstance(update.user, _Unset):
        uid = None
        if update.user is not None:
            user = tx.find_assignee(org.id, id=update.user)
            if user is None:
                raise Invalid(
                    f'Invalid pk "{update.user}" - object does not exist.',
                    [FieldError("user", "UNKNOWN_USER", f"no user {update.user}")],
                )
            uid = user.uid
        changes = replace(changes, set_user=True, user_uid=uid)
    if not isinstance(update.user_email, _Unset):
        by_email = tx.find_assignee(org.id, email=update.user_email.strip())
        if by_email is None:
            raise Invalid(
                f"There is no user with the email {update.user_email.strip()!r} in this "
                "organization.",
                [FieldError("user_email", "UNKNOWN_USER", "no user with this email")],
            )
        changes = replace(changes, set_user=True, user_uid=by_email.uid)
    if not isinstance(update.asset_tag, _Unset):
        changes = replace(changes, asset_tag=update.asset_tag or "")
    if not isinstance(update.tags, _Unset):
        changes = replace(changes, tags=update.tags)
    if not isinstance(update.blueprint_id, _Unset):
        changes = replace(changes, blueprint_id=update.blueprint_id)
    return changes


def parse_device(
    tx: DirectoryTransaction, org: Organization, row: Mapping[str, Any], where: str
) -> NewDevice:
    """A device from one record of an import (or a seed); `where` names it in its errors'
    fields (`record 3: serial_number`). The user it is assigned to must exist in `tx`."""
    problems: list[FieldError] = []

    def text(key: str, *, required: bool = False, default: str = "") -> str:
        value = row.get(key)
        if value is None or value == "":
            if required:
                problems.append(FieldError(f"{where}: {key}", "REQUIRED", f"{key} is required"))
            return default
        if not isinstance(value, str) or len(value) > MAX_TEXT or not value.isprintable():
            problems.append(
                FieldError(f"{where}: {key}", "INVALID", f"{key} must be printable text")
            )
            return default
        return value.strip()

    serial = text("serial_number", required=True)
    platform = text("platform", default="Mac")
    if platform not in PLATFORMS:
        problems.append(
            FieldError(f"{where}: platform", "INVALID", f"platform must be one of {PLATFORMS}")
        )
    device_id = _uuid(row.get("device_id"), f"{where}: device_id", problems) or uuid.uuid4()
    user_uid = _user_of(tx, org, row, where, problems)
    tags = _tags(row.get("tags"), f"{where}: tags", problems)
    blueprint_id = _uuid(row.get("blueprint_id"), f"{where}: blueprint_id", problems)
    filevault = _flag(row.get("filevault_enabled"), f"{where}: filevault_enabled", problems)
    now = utcnow()
    device = NewDevice(
        device_id=device_id,
        org_id=org.id,
        name=text("device_name") or text("name") or serial,
        model=text("model"),
        serial_number=serial,
        platform=platform,
        os_version=text("os_version"),
        created_at=now,
        asset_tag=text("asset_tag"),
        blueprint_id=blueprint_id,
        blueprint_name=text("blueprint_name"),
        agent_version=text("agent_version"),
        first_enrollment=now,
        last_enrollment=now,
        last_check_in=now,
        tags=tags,
        user_uid=user_uid,
        mac_address=text("mac_address"),
        filevault_enabled=filevault,
    )
    if problems:
        raise Invalid(f"Invalid device at {where}", problems)
    return device


def _uuid(value: Any, field: str, problems: list[FieldError]) -> UUID | None:
    if value is None or value == "":
        return None
    try:
        return UUID(str(value))
    except ValueError:
        problems.append(FieldError(field, "INVALID_UUID", "must be a UUID"))
        return None


def _flag(value: Any, field: str, problems: list[FieldError]) -> bool | None:
    """true or false (a JSON boolean, or the word in a CSV cell); absent or empty: unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    problems.append(FieldError(field, "INVALID", "must be true or false"))
    return None


def _user_of(
    tx: DirectoryTransaction,
    org: Organization,
    row: Mapping[str, Any],
    where: str,
    problems: list[FieldError],
) -> int | None:
    user_id = _uuid(row.get("user_id"), f"{where}: user_id", problems)
    email = row.get("user_email")
    if user_id is not None:
        user = tx.find_assignee(org.id, id=user_id)
    elif isinstance(email, str) and email:
        user = tx.find_assignee(org.id, email=email)
    else:
        return None
    if user is None:
        problems.append(FieldError(f"{where}: user", "UNKNOWN_USER", "no such user"))
        return None
    return user.uid


def _tags(value: Any, field: str, problems: list[FieldError]) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):  # CSV: tags separated by commas
        value = [tag.strip() for tag in value.split(",") if tag.strip()]
    if not isinstance(value, list) or not all(
        isinstance(tag, str) and 0 < len(tag) <= MAX_TEXT for tag in value
    ):
        problems.append(FieldError(field, "INVALID", "tags must be a list of text"))
        return ()
    return tuple(value)
