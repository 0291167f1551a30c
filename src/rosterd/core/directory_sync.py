"""Directory sync: bring an integration's users in from its directory, idempotently.

A record matches an existing user by the integration's external id first, then by email
(emails are unique per organization, so a person created elsewhere, e.g. through the
ThousandEyes API, is adopted by the integration rather than duplicated). A full sync archives
the integration's users that the directory no longer lists.

Imports run to a million users and more, so memory stays bounded whatever the size of the
file: records stream through in batches, the duplicate check keeps an 8-byte hash per key, and a
full sync marks listed users in an array of uids (9 bytes a user) rather than a set.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, Final, NamedTuple, TypeVar

from rosterd.core.admins import (
    ORGANIZATION_ADMIN_ROLE_ID,
    keep_an_organization_admin,
    refuse_losing_the_last_admin,
)
from rosterd.core.audit import Actor
from rosterd.core.bulk_ids import new_time_ordered_uuids, new_ulids
from rosterd.core.clock import utcnow
from rosterd.core.entities import Integration, Organization
from rosterd.core.errors import FieldError, Invalid
from rosterd.core.integrations import integration_of, organization
from rosterd.core.ports import (
    AuditBatch,
    DirectoryMatch,
    DirectoryStore,
    DirectoryTransaction,
    DirectoryUserUpdate,
    NewDirectoryUser,
    NewDirectoryUsers,
)
from rosterd.core.validation import email_key, email_problem, name_problem, normalize_email

_T = TypeVar("_T")
# Records matched and written together: bounds the memory an import holds.
BATCH_SIZE: Final = 5000
# Records per transaction (a whole number of batches). SQLite rewrites every index page a
# transaction touched at its commit, and three of the users' indexes take random keys: with
# small transactions each new user costs a page write per index (a million users, 12 GB).
# 50,000 hold SQLite's write lock for a few seconds at a time.
COMMIT_SIZE: Final = 50_000
MAX_REPORTED_PROBLEMS: Final = 20
MAX_ATTRIBUTE_LENGTH: Final = 255
_TRUE: Final = frozenset({"true", "1", "yes", "y", "t"})
_FALSE: Final = frozenset({"false", "0", "no", "n", "f"})
Change = tuple[str, str, dict[str, Any]]  # (action, target id, new state)


class DirectoryRecord(NamedTuple):
    """One person as the directory lists them (a tuple: an import makes one per line, and
    keeps them in a spill file as they are)."""

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


@dataclass(frozen=True, slots=True)
class PlannedUpdate:
    """A user an import would change: the address the file gives them, and what changes."""

    email: str
    fields: tuple[str, ...]  # e.g. ("department", "name"), sorted


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import would do, written nowhere: the counts it would report, and the first
    few users of each kind (`examples` of each) by email."""

    counts: SyncResult
    created: list[str]
    updated: list[PlannedUpdate]
    archived: list[str]


@dataclass(slots=True)
class _BatchPlan:
    """One batch's changes as `_Sync.plan` decides them, for `_Sync.apply` to write."""

    now: datetime
    created: list[NewDirectoryUser] = field(default_factory=list)
    updates: list[DirectoryUserUpdate] = field(default_factory=list)
    deactivated: list[int] = field(default_factory=list)  # uids
    changes: list[Change] = field(default_factory=list)  # the audit's, in the records' order
    unchanged: int = 0


class _Roster:
    """The integration's unarchived users as a full sync starts, and which of them the file
    lists: 9 bytes a user (uid, mark), so a million take 9 MB, not the 100 MB of a set."""

    def __init__(self, uids: Iterable[int]) -> None:
        self._uids = array("q", uids)
        if any(a >= b for a, b in zip(self._uids, self._uids[1:], strict=False)):
            raise ValueError("the integration's uids must come in increasing order")
        self._listed = bytearray(len(self._uids))

    def mark_listed(self, uid: int) -> None:
        at = bisect_left(self._uids, uid)
        if at < len(self._uids) and self._uids[at] == uid:
            self._listed[at] = 1

    def unlisted(self) -> Iterator[int]:
        """The uids of the users the file left out, in increasing order."""
        at = self._listed.find(0)
        while at != -1:
            yield self._uids[at]
            at = self._listed.find(0, at + 1)


def parse_record(row: Mapping[str, Any], where: str) -> DirectoryRecord:
    """A record from one row of an import file; `where` (e.g. "line 3") names it in errors."""
    record = _plain_record(row)
    return record if record is not None else checked_record(row, where)


def checked_record(row: Mapping[str, Any], where: str) -> DirectoryRecord:
    """`parse_record`, field by field, naming every problem of the row."""
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


_TEXT_FIELDS: Final = ("email", "name", "department", "job_title", "external_id")


def _plain_record(row: Mapping[str, Any]) -> DirectoryRecord | None:
    """The record of a row that breaks no rule, as `checked_record` makes it, at a third of its
    cost (an import parses every row before it writes any); None for any other row."""
    texts = _plain_texts(row)
    if texts is None or not texts[0]:
        return None
    email, name, department, job_title, external_id = texts
    email = normalize_email(email or "")
    active = _plain_flag(row.get("active"))
    if (
        active is None
        or email_problem("email", email) is not None
        or (name is not None and name_problem("name", name) is not None)
    ):
        return None
    return DirectoryRecord(
        email, name, department or "", job_title or "", external_id or None, active
    )


def _plain_texts(row: Mapping[str, Any]) -> list[str | None] | None:
    """The text fields as `_text` takes them, when none has a problem."""
    texts = []
    for key in _TEXT_FIELDS:
        value = row.get(key)
        if value is not None:
            if type(value) is not str:
                return None
            value = value.strip()
            if len(value) > MAX_ATTRIBUTE_LENGTH or not value.isprintable():
                return None
        texts.append(value)
    return texts


def _plain_flag(value: Any) -> bool | None:
    """`_flag`'s answer, or None where it finds a problem."""
    if value is None or value == "":
        return True
    if type(value) is bool:
        return value
    flag = value.strip().lower() if type(value) is str else None
    return None if flag not in _TRUE and flag not in _FALSE else flag in _TRUE


def fast_email_key(email: str) -> str:
    """`email_key(email)`: for ASCII, the common case, without its two Unicode normalizations
    (both leave ASCII as it is)."""
    return email.strip().lower() if email.isascii() else email_key(email)


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


def check_records(
    records: Callable[[], Iterable[DirectoryRecord]],
    where: Callable[[int], str] = "record {}".format,
) -> int:
    """Count the records, refusing emails or external ids listed twice (a directory lists a
    person once).

    `records` gives the records afresh each time it is called; `where(n)` names the n-th
    (from 1) in errors, e.g. by its line in the file. Memory stays small whatever the
    file's size: the pass keeps an 8-byte hash of each key, and only when two hashes meet does
    a second pass compare those keys themselves.
    """
    emails, external_ids = _Hashes(), _Hashes()
    count = 0
    for record in records():
        count += 1
        emails.add(fast_email_key(record.email))
        if record.external_id is not None:
            external_ids.add(record.external_id)
    repeated_emails, repeated_ids = emails.repeated(), external_ids.repeated()
    if repeated_emails or repeated_ids:
        problems = _listed_twice(records(), repeated_emails, repeated_ids, where)
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
    records: Iterable[DirectoryRecord],
    email_hashes: set[int],
    external_id_hashes: set[int],
    where: Callable[[int], str],
) -> list[FieldError]:
    """Each record whose email or external id an earlier record has (among the keys whose
    hashes repeat), in the file's order."""
    emails: set[str] = set()
    external_ids: set[str] = set()
    problems: list[FieldError] = []
    for count, record in enumerate(records, start=1):
        key = fast_email_key(record.email)
        if hash(key) in email_hashes:
            if key in emails:
                problems.append(
                    FieldError(
                        f"{where(count)}: email", "DUPLICATE", f"{record.email} is listed twice"
                    )
                )
            emails.add(key)
        external_id = record.external_id
        if external_id is not None and hash(external_id) in external_id_hashes:
            if external_id in external_ids:
                problems.append(
                    FieldError(
                        f"{where(count)}: external_id",
                        "DUPLICATE",
                        f"external id {external_id} is listed twice",
                    )
                )
            external_ids.add(external_id)
    return problems


class DirectorySyncService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def check_import_target(self, *, org_subdomain: str, integration_uuid: str) -> None:
        """Refuse an unknown organization or integration, before the work of reading a file."""
        with self._store.read() as tx:
            integration_of(tx, organization(tx, org_subdomain), integration_uuid)

    def plan_import(
        self,
        *,
        org_subdomain: str,
        integration_uuid: str,
        records: Iterable[DirectoryRecord],
        full: bool = False,
        examples: int = 3,
    ) -> ImportPlan:
        """What `import_users` with these arguments would do, deciding each record as it does,
        writing nothing. Every batch is decided against the directory as it is now (an import
        sees its earlier batches' writes: a file that moves an address from one user to another
        in different batches can differ)."""
        counts = SyncResult()
        created: list[str] = []
        updated: list[PlannedUpdate] = []
        with self._store.read() as tx:
            sync, roster = self._start(tx, org_subdomain, integration_uuid, full=full)
            admins = tx.active_role_holders(sync.org.id, ORGANIZATION_ADMIN_ROLE_ID)
            losing: set[int] = set()  # admins the import would deactivate or archive
            for batch in _batched(records, BATCH_SIZE):
                planned = sync.plan(tx, batch, roster)
                counts.created += len(planned.created)
                counts.updated += len(planned.updates)
                counts.unchanged += planned.unchanged
                losing.update(admins.intersection(planned.deactivated))
                created += [u.email for u in planned.created[: examples - len(created)]]
                updated += [
                    PlannedUpdate(u.email, tuple(sorted(u.changed or ())))
                    for u in planned.updates[: examples - len(updated)]
                ]
            archived: list[str] = []
            for uid in roster.unlisted() if roster is not None else ():
                counts.archived += 1
                if uid in admins:
                    losing.add(uid)
                if len(archived) < examples:
                    archived.append(_email_of(tx, sync.org, uid))
            # The import would stop at this refusal (in the batch that took the last one).
            refuse_losing_the_last_admin(admins, losing)
        return ImportPlan(counts, created, updated, archived)

    def _start(
        self, tx: DirectoryTransaction, org_subdomain: str, integration_uuid: str, *, full: bool
    ) -> tuple[_Sync, _Roster | None]:
        """What an import's batches share, and with `full` the users it would archive."""
        org = organization(tx, org_subdomain)
        integration = integration_of(tx, org, integration_uuid)
        default_group = next(g.aid for g in tx.list_account_groups(org.id) if g.is_default)
        roster = _Roster(tx.unarchived_integration_uids(org.id, integration.id)) if full else None
        actor = Actor(type="integration", id=str(integration.uuid))
        return _Sync(org, integration, default_group, actor), roster

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
        integration's users the records leave out. Every `COMMIT_SIZE` records commit on
        their own: an error keeps what the transactions before it wrote. `progress` is told
        each batch's records (`BATCH_SIZE`) once they are written in their transaction."""
        with self._store.read() as tx:
            sync, roster = self._start(tx, org_subdomain, integration_uuid, full=full)
        result = SyncResult()
        for batches in _transactions(_batched(records, BATCH_SIZE)):
            with self._store.write() as tx:
                for batch in batches:
                    done = sync.apply(tx, batch, result, roster)
                    if progress is not None:
                        progress(done)
        if roster is not None:
            for uid_batches in _transactions(_batched(roster.unlisted(), BATCH_SIZE)):
                with self._store.write() as tx:
                    result.archived += sum(sync.archive(tx, uids) for uids in uid_batches)
        return result


def write_records(
    tx: DirectoryTransaction,
    org: Organization,
    integration: Integration,
    records: Sequence[DirectoryRecord],
    *,
    archived: Sequence[int] = (),
) -> SyncResult:
    """An import's work inside one transaction the caller holds (a seed's directory users):
    create or update each record's user, then archive those at the indexes `archived`, as a
    full sync that no longer lists them would; with the same audit events as an import."""
    login_group = next(g.aid for g in tx.list_account_groups(org.id) if g.is_default)
    sync = _Sync(org, integration, login_group, Actor(type="integration", id=str(integration.uuid)))
    result = SyncResult()
    for batch in _batched(records, BATCH_SIZE):
        sync.apply(tx, batch, result, None)
    if archived:
        gone = [records[i] for i in archived]
        keys = [fast_email_key(r.email) for r in gone]
        ids = [r.external_id for r in gone if r.external_id]
        found = tx.find_directory_matches(org.id, integration.id, ids, keys)
        by_key = {u.email_key: u.uid for u in found}
        result.archived = sync.archive(tx, sorted(by_key[k] for k in keys))
    return result


def _email_of(tx: DirectoryTransaction, org: Organization, uid: int) -> str:
    user = tx.get_user(org.id, uid)
    return user.email if user is not None else f"user {uid}"  # deleted since the plan began


def _batched(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _transactions(batches: Iterator[list[_T]]) -> Iterator[Iterator[list[_T]]]:
    """The batches, grouped by transaction: `COMMIT_SIZE` items each, read lazily (only one
    batch is in memory at a time)."""
    pending = next(batches, None)

    def group() -> Iterator[list[_T]]:
        nonlocal pending
        count = 0
        while pending is not None and count < COMMIT_SIZE:
            batch, pending = pending, None
            count += len(batch)
            yield batch
            pending = next(batches, None)

    while pending is not None:
        yield group()


def _fresh_ids() -> Iterator[str]:
    while True:
        yield from new_time_ordered_uuids(256)


@dataclass(frozen=True, slots=True)
class _Sync:
    """What every batch of one import shares."""

    org: Organization
    integration: Integration
    login_group: int  # new users log in to the organization's default account group
    actor: Actor
    fresh_ids: Iterator[str] = field(default_factory=_fresh_ids)

    def plan(
        self, tx: DirectoryTransaction, batch: list[DirectoryRecord], roster: _Roster | None
    ) -> _BatchPlan:
        """What the batch would change, read and decided, nothing written (`roster` marks the
        users the batch lists)."""
        now = utcnow()
        integration_id = self.integration.id
        keys = [fast_email_key(r.email) for r in batch]
        matches = tx.find_directory_matches(
            self.org.id, integration_id, [r.external_id for r in batch if r.external_id], keys
        )
        by_external_id = {
            u.external_id: u
            for u in matches
            if u.integration_id == integration_id and u.external_id
        }
        by_email = {u.email_key: u for u in matches}
        planned = _BatchPlan(now)
        created, updates, changes = planned.created, planned.updates, planned.changes
        for record, key in zip(batch, keys, strict=True):
            user = (by_external_id.get(record.external_id) if record.external_id else None) or (
                by_email.get(key)
            )
            if user is None:
                new = _new_user(next(self.fresh_ids), record)
                created.append(new)
                changes.append(("user.create", new.id, _state(record, new.name, new.external_id)))
                continue
            owner = by_email.get(key)
            if owner is not None and owner.uid != user.uid:
                raise Invalid(
                    "An email in the file belongs to another user",
                    [FieldError("email", "DUPLICATE", f"{record.email} belongs to another user")],
                )
            if roster is not None:
                roster.mark_listed(user.uid)
            update = _update(user, integration_id, record, now)
            if update is None:
                planned.unchanged += 1
                continue
            updates.append(update)
            if user.active and not update.active:
                planned.deactivated.append(user.uid)
            changes.append(
                ("user.update", user.id, _state(record, update.name, update.external_id))
            )
        return planned

    def apply(
        self,
        tx: DirectoryTransaction,
        batch: list[DirectoryRecord],
        result: SyncResult,
        roster: _Roster | None,
    ) -> int:
        """Create or update the batch's users as `plan` decides; returns the records it took."""
        planned = self.plan(tx, batch, roster)
        now, created = planned.now, planned.created
        keep_an_organization_admin(tx, self.org.id, planned.deactivated)
        if created:
            tx.add_directory_users(
                NewDirectoryUsers(self.org.id, self.integration.id, self.login_group, now, created)
            )
        tx.update_directory_users(self.org.id, planned.updates)
        self._audit(tx, planned.changes, now)
        result.created += len(created)
        result.updated += len(planned.updates)
        result.unchanged += planned.unchanged
        return len(batch)

    def archive(self, tx: DirectoryTransaction, uids: list[int]) -> int:
        now = utcnow()
        keep_an_organization_admin(tx, self.org.id, uids)
        ids = tx.archive_directory_users(self.org.id, uids, now)
        self._audit(tx, [("user.archive", i, {"archived": True}) for i in ids], now)
        return len(uids)

    def _audit(self, tx: DirectoryTransaction, changes: Sequence[Change], now: datetime) -> None:
        if not changes:
            return
        ids = new_ulids(now, len(changes))  # increasing in the order of the changes
        actor = self.actor
        tx.add_audit_batch(
            AuditBatch(
                self.org.id,
                now,
                actor.type,
                actor.id,
                actor.request_id,
                "user",
                [(i, *change) for i, change in zip(ids, changes, strict=True)],
            )
        )


def _new_user(user_id: str, record: DirectoryRecord) -> NewDirectoryUser:
    return NewDirectoryUser(
        id=user_id,
        email=record.email,
        name=record.name or record.email.split("@", maxsplit=1)[0],
        department=record.department,
        job_title=record.job_title,
        active=record.active,
        external_id=record.external_id,
    )


def _update(
    user: DirectoryMatch, integration_id: int, record: DirectoryRecord, now: datetime
) -> DirectoryUserUpdate | None:
    """The record's change to the user, or None when it changes nothing."""
    name = record.name or user.name
    external_id = record.external_id or user.external_id
    changed = frozenset(
        field
        for field, new, old in (
            ("email", record.email, user.email),
            ("name", name, user.name),
            ("department", record.department, user.department),
            ("job_title", record.job_title, user.job_title),
            ("active", record.active, user.active),
            ("archived", False, user.archived),  # listed by the directory again
            ("integration_id", integration_id, user.integration_id),
            ("external_id", external_id, user.external_id),
        )
        if new != old
    )
    if not changed:
        return None
    return DirectoryUserUpdate(
        uid=user.uid,
        email=record.email,
        name=name,
        department=record.department,
        job_title=record.job_title,
        active=record.active,
        archived=False,
        integration_id=integration_id,
        external_id=external_id,
        updated_at=now,
        changed=changed,
    )


def _state(record: DirectoryRecord, name: str, external_id: str | None) -> dict[str, Any]:
    """The user's directory attributes after the change, as the audit event records them."""
    return {
        "email": record.email,
        "name": name,
        "department": record.department,
        "job_title": record.job_title,
        "active": record.active,
        "external_id": external_id,
    }
