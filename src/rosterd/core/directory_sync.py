"""Directory sync: bring an integration's users in from its directory, idempotently.

A record matches an existing user by the integration's external id first, then by email
(emails are unique per organization, so a person created elsewhere, e.g. through the
ThousandEyes API, is adopted by the integration rather than duplicated). A full sync archives
the integration's users that the directory no longer lists.
"""

from __future__ import annotations

import uuid
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, Final, TypeVar
from uuid import UUID

from rosterd.core.admins import keep_an_organization_admin
from rosterd.core.audit import Actor, Change, build_events
from rosterd.core.clock import utcnow
from rosterd.core.entities import Integration, Organization
from rosterd.core.errors import FieldError, Invalid
from rosterd.core.integrations import integration_of, organization
from rosterd.core.ports import (
    DirectoryMatch,
    DirectoryStore,
    DirectoryTransaction,
    DirectoryUserUpdate,
    NewUser,
)
from rosterd.core.validation import email_key, email_problem, name_problem, normalize_email

_T = TypeVar("_T")
# Records per transaction. Each commit writes every index page the batch touched (four of the
# users' indexes take random keys): 5,000 a batch write a third less than 1,000 do, and hold
# SQLite's write lock about as long as a batch of 1,000 did before bulk writes.
BATCH_SIZE: Final = 5000
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


def astuple_record(record: DirectoryRecord) -> tuple[Any, ...]:
    """The record's fields in order (`DirectoryRecord(*values)` makes it again)."""
    return (
        record.email,
        record.name,
        record.department,
        record.job_title,
        record.external_id,
        record.active,
    )


@dataclass(slots=True)
class SyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0


class _Roster:
    """The integration's unarchived users as a full sync starts, and which of them the file
    lists: 25 bytes a user (uid, id, mark), so a million take 25 MB, not the 200 MB and more of
    a dict of ints and UUIDs."""

    def __init__(self, users: Iterable[tuple[int, UUID]]) -> None:
        self._uids = array("q")
        self._ids = bytearray()
        for uid, user_id in users:
            if self._uids and uid <= self._uids[-1]:
                raise ValueError("the integration's users must come in uid order")
            self._uids.append(uid)
            self._ids += user_id.bytes
        self._listed = bytearray(len(self._uids))

    def mark_listed(self, uid: int) -> None:
        at = bisect_left(self._uids, uid)
        if at < len(self._uids) and self._uids[at] == uid:
            self._listed[at] = 1

    def unlisted(self) -> Iterator[tuple[int, UUID]]:
        """(uid, id) of the users the file left out, by uid."""
        at = self._listed.find(0)
        while at != -1:
            yield self._uids[at], UUID(bytes=bytes(self._ids[16 * at : 16 * at + 16]))
            at = self._listed.find(0, at + 1)


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


def check_records(records: Callable[[], Iterable[DirectoryRecord]]) -> int:
    """Count the records, refusing emails or external ids listed twice (a directory lists a
    person once).

    `records` gives the records afresh each time it is called. Memory stays small whatever the
    file's size: the pass keeps an 8-byte hash of each key, and only when two hashes meet does
    a second pass compare those keys themselves.
    """
    emails, external_ids = _Hashes(), _Hashes()
    count = 0
    for record in records():
        count += 1
        emails.add(email_key(record.email))
        if record.external_id is not None:
            external_ids.add(record.external_id)
    repeated_emails, repeated_ids = emails.repeated(), external_ids.repeated()
    if repeated_emails or repeated_ids:
        problems = _listed_twice(records(), repeated_emails, repeated_ids)
        if problems:
            raise Invalid("The file lists people twice", problems[:MAX_REPORTED_PROBLEMS])
    return count


class _Hashes:
    """Hashes of strings, 8 bytes each, in 256 arrays so that each sorts out its repeats alone."""

    def __init__(self) -> None:
        self._buckets = [array("q") for _ in range(256)]

    def add(self, value: str) -> None:
        hashed = hash(value)
        self._buckets[hashed & 255].append(hashed)

    def repeated(self) -> set[int]:
        """The hashes added more than once."""
        found: set[int] = set()
        for bucket in self._buckets:
            if len(set(bucket)) == len(bucket):
                continue
            seen: set[int] = set()
            for hashed in bucket:
                if hashed in seen:
                    found.add(hashed)
                seen.add(hashed)
        return found


def _listed_twice(
    records: Iterable[DirectoryRecord], email_hashes: set[int], external_id_hashes: set[int]
) -> list[FieldError]:
    """Each record whose email or external id an earlier record has (among the keys whose
    hashes repeat), in the file's order."""
    emails: set[str] = set()
    external_ids: set[str] = set()
    problems: list[FieldError] = []
    for count, record in enumerate(records, start=1):
        key = email_key(record.email)
        if hash(key) in email_hashes:
            if key in emails:
                problems.append(
                    FieldError(
                        f"record {count}: email", "DUPLICATE", f"{record.email} is listed twice"
                    )
                )
            emails.add(key)
        external_id = record.external_id
        if external_id is not None and hash(external_id) in external_id_hashes:
            if external_id in external_ids:
                problems.append(
                    FieldError(
                        f"record {count}: external_id",
                        "DUPLICATE",
                        f"external id {external_id} is listed twice",
                    )
                )
            external_ids.add(external_id)
    return problems


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
            before = (
                _Roster(tx.unarchived_integration_users(org.id, integration.id)) if full else None
            )
        actor = Actor(type="integration", id=str(integration.uuid))
        result = SyncResult()
        for batch in _batched(records, BATCH_SIZE):
            with self._store.write() as tx:
                _apply(tx, org, integration, batch, actor, result, before)
            if progress is not None:
                progress(len(batch))
        if before is not None:
            for part in _batched(before.unlisted(), BATCH_SIZE):
                with self._store.write() as tx:
                    _archive(tx, org, part, actor)
                result.archived += len(part)
        return result


def _batched(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _apply(
    tx: DirectoryTransaction,
    org: Organization,
    integration: Integration,
    batch: list[DirectoryRecord],
    actor: Actor,
    result: SyncResult,
    before: _Roster | None,
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
    changes: list[Change] = []
    default_group = next(g.aid for g in tx.list_account_groups(org.id) if g.is_default)
    for record in batch:
        key = email_key(record.email)
        user = by_external_id.get(record.external_id or "") or by_email.get(key)
        if user is None:
            new = _new_user(org, integration, record, default_group, now)
            created.append(new)
            changes.append(("user.create", str(new.id), _state(new)))
            continue
        owner = by_email.get(key)
        if owner is not None and owner.uid != user.uid:
            raise Invalid(
                "An email in the file belongs to another user",
                [FieldError("email", "DUPLICATE", f"{record.email} belongs to another user")],
            )
        if before is not None:
            before.mark_listed(user.uid)
        update = _update(user, integration, record, now)
        if update is None:
            result.unchanged += 1
            continue
        updates.append(update)
        if user.active and not update.active:
            deactivated.append(user.uid)
        changes.append(("user.update", str(user.id), _state(update)))
    keep_an_organization_admin(tx, org.id, deactivated)
    tx.add_users(created)
    tx.update_directory_users(org.id, updates)
    tx.add_audit_events(
        build_events(org_id=org.id, actor=actor, target_type="user", changes=changes, now=now)
    )
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
    user: DirectoryMatch, integration: Integration, record: DirectoryRecord, now: datetime
) -> DirectoryUserUpdate | None:
    name = record.name or user.name
    external_id = record.external_id or user.external_id
    # Compared field by field first: most users of a re-import are unchanged.
    if (
        record.email == user.email
        and name == user.name
        and record.department == user.department
        and record.job_title == user.job_title
        and record.active == user.active
        and not user.archived  # listed by the directory again
        and integration.id == user.integration_id
        and external_id == user.external_id
    ):
        return None
    return DirectoryUserUpdate(
        uid=user.uid,
        email=record.email,
        name=name,
        department=record.department,
        job_title=record.job_title,
        active=record.active,
        archived=False,
        integration_id=integration.id,
        external_id=external_id,
        updated_at=now,
    )


def _archive(
    tx: DirectoryTransaction, org: Organization, users: list[tuple[int, UUID]], actor: Actor
) -> None:
    now = utcnow()
    uids = [uid for uid, _ in users]
    keep_an_organization_admin(tx, org.id, uids)
    tx.archive_users(org.id, uids, now)
    changes: list[Change] = [
        ("user.archive", str(user_id), {"archived": True}) for _, user_id in users
    ]
    tx.add_audit_events(
        build_events(org_id=org.id, actor=actor, target_type="user", changes=changes, now=now)
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
