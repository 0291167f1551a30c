"""Directory sync: bring an integration's users in from its directory, idempotently.

A record matches an existing user by the integration's external id first, then by email
(emails are unique per organization, so a person created elsewhere, e.g. through the
ThousandEyes API, is adopted by the integration rather than duplicated). A full sync archives
the integration's users that the directory no longer lists.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, Final
from uuid import UUID

from rosterd.core.admins import keep_an_organization_admin
from rosterd.core.audit import Actor, build_event
from rosterd.core.clock import utcnow
from rosterd.core.entities import AuditEvent, Integration, Organization, User
from rosterd.core.errors import FieldError, Invalid
from rosterd.core.integrations import integration_of, organization
from rosterd.core.ports import DirectoryStore, DirectoryTransaction, DirectoryUserUpdate, NewUser
from rosterd.core.validation import email_key, email_problem, name_problem, normalize_email

BATCH_SIZE: Final = 1000
MAX_REPORTED_PROBLEMS: Final = 20
MAX_ATTRIBUTE_LENGTH: Final = 255
_TRUE: Final = frozenset({"true", "1", "yes", "y", "t"})
_FALSE: Final = frozenset({"false", "0", "no", "n", "f"})


@dataclass(frozen=True, slots=True)
class DirectoryRecord:
    """One person as the directory lists them."""

    email: str
    name: str | None = None
    department: str = ""
    job_title: str = ""
    external_id: str | None = None
    active: bool = True


@dataclass(slots=True)
class SyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    seen: dict[int, None] = field(default_factory=dict, repr=False)  # uids the file listed


def parse_record(row: Mapping[str, Any], where: str) -> DirectoryRecord:
    """A record from one row of an import file; `where` (e.g. "line 3") names it in errors."""
    problems: list[FieldError] = []
    email = normalize_email(_text(row, "email", where, problems) or "")
    if not email:
        problems.append(FieldError(f"{where}: email", "REQUIRED", "email is required"))
    elif (p := email_problem(f"{where}: email", email)) is not None:
        problems.append(p)
    name = _text(row, "name", where, problems)
    if name is not None and (p := name_problem(f"{where}: name", name)) is not None:
        problems.append(p)
    record = DirectoryRecord(
        email=email,
        name=name,
        department=_text(row, "department", where, problems) or "",
        job_title=_text(row, "job_title", where, problems) or "",
        external_id=_text(row, "external_id", where, problems) or None,
        active=_flag(row.get("active"), f"{where}: active", problems),
    )
    if problems:
        raise Invalid(f"Invalid record at {where}", problems)
    return record


def _text(row: Mapping[str, Any], key: str, where: str, problems: list[FieldError]) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(FieldError(f"{where}: {key}", "NOT_TEXT", f"{key} must be text"))
        return None
    value = value.strip()
    if len(value) > MAX_ATTRIBUTE_LENGTH or not value.isprintable():
        problems.append(
            FieldError(
                f"{where}: {key}",
                "INVALID",
                f"{key} must be printable, at most {MAX_ATTRIBUTE_LENGTH} characters",
            )
        )
        return None
    return value


def _flag(value: Any, field_name: str, problems: list[FieldError]) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    problems.append(FieldError(field_name, "INVALID_BOOLEAN", "active must be true or false"))
    return True


def check_records(records: Iterable[DirectoryRecord]) -> int:
    """Count the records, refusing emails or external ids listed twice (a directory lists a
    person once)."""
    emails: set[str] = set()
    external_ids: set[str] = set()
    problems: list[FieldError] = []
    count = 0
    for count, record in enumerate(records, start=1):
        key = email_key(record.email)
        if key in emails:
            problems.append(
                FieldError(f"record {count}: email", "DUPLICATE", f"{record.email} is listed twice")
            )
        emails.add(key)
        if record.external_id is not None:
            if record.external_id in external_ids:
                problems.append(
                    FieldError(
                        f"record {count}: external_id",
                        "DUPLICATE",
                        f"external id {record.external_id} is listed twice",
                    )
                )
            external_ids.add(record.external_id)
    if problems:
        raise Invalid("The file lists people twice", problems[:MAX_REPORTED_PROBLEMS])
    return count


class DirectorySyncService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def import_users(
        self,
        *,
        org_subdomain: str,
        integration_uuid: str,
        records: Iterable[DirectoryRecord],
        full: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> SyncResult:
        """Create or update each record's user, in batches; with `full`, archive the
        integration's users the records leave out. Each batch commits on its own."""
        with self._store.read() as tx:
            org = organization(tx, org_subdomain)
            integration = integration_of(tx, org, integration_uuid)
            before = tx.list_integration_user_ids(org.id, integration.id) if full else {}
        actor = Actor(type="integration", id=str(integration.uuid))
        result = SyncResult()
        for batch in _batched(records, BATCH_SIZE):
            with self._store.write() as tx:
                _apply(tx, org, integration, batch, actor, result)
            if progress is not None:
                progress(len(batch))
        if full:
            missing = [uid for uid in before if uid not in result.seen]
            for start in range(0, len(missing), BATCH_SIZE):
                part = missing[start : start + BATCH_SIZE]
                with self._store.write() as tx:
                    _archive(tx, org, part, [before[uid] for uid in part], actor)
            result.archived = len(missing)
        return result


def _batched(records: Iterable[DirectoryRecord], size: int) -> Iterator[list[DirectoryRecord]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def _apply(
    tx: DirectoryTransaction,
    org: Organization,
    integration: Integration,
    batch: list[DirectoryRecord],
    actor: Actor,
    result: SyncResult,
) -> None:
    now = utcnow()
    matches = tx.find_directory_matches(
        org.id,
        integration.id,
        [r.external_id for r in batch if r.external_id],
        [r.email for r in batch],
    )
    by_external_id = {
        u.external_id: u for u in matches if u.integration_id == integration.id and u.external_id
    }
    by_email = {email_key(u.email): u for u in matches}
    created: list[NewUser] = []
    updates: list[DirectoryUserUpdate] = []
    deactivated: list[int] = []
    events: list[AuditEvent] = []
    default_group = next(g.aid for g in tx.list_account_groups(org.id) if g.is_default)
    for record in batch:
        user = by_external_id.get(record.external_id or "") or by_email.get(email_key(record.email))
        if user is None:
            new = _new_user(org, integration, record, default_group, now)
            created.append(new)
            events.append(_event(org, actor, "user.create", str(new.id), _state(new)))
            continue
        owner = by_email.get(email_key(record.email))
        if owner is not None and owner.uid != user.uid:
            raise Invalid(
                "An email in the file belongs to another user",
                [FieldError("email", "DUPLICATE", f"{record.email} belongs to another user")],
            )
        result.seen[user.uid] = None
        update = _update(user, integration, record, now)
        if update is None:
            result.unchanged += 1
            continue
        updates.append(update)
        if user.active and not update.active:
            deactivated.append(user.uid)
        events.append(_event(org, actor, "user.update", str(user.id), _state(update)))
    keep_an_organization_admin(tx, org.id, deactivated)
    tx.add_users(created)
    tx.update_directory_users(org.id, updates)
    tx.add_audit_events(events)
    result.created += len(created)
    result.updated += len(updates)


def _new_user(
    org: Organization,
    integration: Integration,
    record: DirectoryRecord,
    login_group: int,
    now: datetime,
) -> NewUser:
    return NewUser(
        id=uuid.uuid4(),
        org_id=org.id,
        email=record.email,
        name=record.name or record.email.split("@", maxsplit=1)[0],
        login_account_group_id=login_group,  # the organization's default account group
        created_at=now,
        department=record.department,
        job_title=record.job_title,
        integration_id=integration.id,
        active=record.active,
        external_id=record.external_id,
    )


def _update(
    user: User, integration: Integration, record: DirectoryRecord, now: datetime
) -> DirectoryUserUpdate | None:
    update = DirectoryUserUpdate(
        uid=user.uid,
        email=record.email,
        name=record.name or user.name,
        department=record.department,
        job_title=record.job_title,
        active=record.active,
        archived=False,  # listed by the directory again
        integration_id=integration.id,
        external_id=record.external_id or user.external_id,
        updated_at=now,
    )
    current = DirectoryUserUpdate(
        uid=user.uid,
        email=user.email,
        name=user.name,
        department=user.department,
        job_title=user.job_title,
        active=user.active,
        archived=user.archived,
        integration_id=user.integration_id or 0,
        external_id=user.external_id,
        updated_at=now,
    )
    return None if update == current else update


def _archive(
    tx: DirectoryTransaction, org: Organization, uids: list[int], ids: list[UUID], actor: Actor
) -> None:
    keep_an_organization_admin(tx, org.id, uids)
    tx.archive_users(org.id, uids, utcnow())
    tx.add_audit_events(
        [_event(org, actor, "user.archive", str(i), {"archived": True}) for i in ids]
    )


def _state(value: NewUser | DirectoryUserUpdate) -> dict[str, Any]:
    return {
        "email": value.email,
        "name": value.name,
        "department": value.department,
        "job_title": value.job_title,
        "active": value.active,
        "external_id": value.external_id,
    }


def _event(
    org: Organization, actor: Actor, action: str, target_id: str, state: dict[str, Any]
) -> AuditEvent:
    return build_event(
        org_id=org.id,
        actor=actor,
        action=action,
        target_type="user",
        target_id=target_id,
        new_state=state,
    )
