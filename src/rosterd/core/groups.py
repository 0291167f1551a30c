"""Directory groups: an integration's provisioning client (SCIM) keeps groups of its users.

A group belongs to one integration, and only that integration's users (not archived) can be its
members. Archiving a user takes it out of every group (see `provisioning`). Deleting a group
deletes it for good; its members are untouched.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from rosterd.core.audit import Actor, record
from rosterd.core.clock import utcnow
from rosterd.core.entities import DirectoryGroup, Integration
from rosterd.core.errors import FieldError, Invalid, NotFound
from rosterd.core.ports import (
    DirectoryStore,
    DirectoryTransaction,
    GroupChanges,
    GroupQuery,
    NewGroup,
)
from rosterd.core.provisioning import MAX_TEXT, Precondition, check, group_version, parse_id
from rosterd.core.validation import fold

INVALID_GROUP: Final = "The request describes an invalid group"


@dataclass(frozen=True, slots=True)
class MemberRecord:
    user_id: str  # the member's user id, as the client wrote it
    display: str | None


@dataclass(frozen=True, slots=True)
class GroupRecord:
    """A group as a provisioning client describes it."""

    display_name: str
    external_id: str | None
    members: tuple[MemberRecord, ...]


@dataclass(frozen=True, slots=True)
class MemberChange:
    """One member added (with its label) or removed, by user id as the client wrote it."""

    add: bool
    user_id: str
    display: str | None = None


@dataclass(frozen=True, slots=True)
class GroupResults:
    total: int
    groups: list[DirectoryGroup]


class GroupsService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def get_group(
        self, *, integration: Integration, group_id: str, with_members: bool = True
    ) -> DirectoryGroup:
        with self._store.read() as tx:
            return _existing(tx, integration, group_id, with_members=with_members)

    def list_groups(
        self,
        *,
        integration: Integration,
        query: GroupQuery,
        offset: int = 0,
        limit: int | None = None,
        with_members: bool = True,
    ) -> GroupResults:
        """The groups the query narrows to, in creation order; `total` counts them all."""
        org_id = integration.org_id
        with self._store.read() as tx:
            groups = tx.find_groups(
                org_id,
                integration.id,
                query,
                offset=offset,
                limit=limit,
                with_members=with_members,
            )
            if limit is None and offset == 0:
                total = len(groups)
            else:
                total = tx.count_groups(org_id, integration.id, query)
        return GroupResults(total, groups)

    def create_group(
        self, *, integration: Integration, data: GroupRecord, actor: Actor
    ) -> DirectoryGroup:
        display_name = _checked(data)
        with self._store.write() as tx:
            tx.lock_integration(integration.id)
            members = _members(tx, integration, data)
            now = utcnow()
            group = tx.add_group(
                NewGroup(
                    uuid=uuid.uuid4(),
                    org_id=integration.org_id,
                    integration_id=integration.id,
                    display_name=display_name,
                    display_name_key=fold(display_name),
                    external_id=data.external_id,
                    created_at=now,
                )
            )
            if members:
                tx.update_group(
                    integration.org_id,
                    group.id,
                    GroupChanges(
                        display_name=display_name,
                        display_name_key=fold(display_name),
                        external_id=data.external_id,
                        updated_at=now,
                        added=tuple(members.items()),
                    ),
                )
            created = _reload(tx, integration, group)
            _audit(tx, integration, actor, "group.create", created, {"members": _ids(created)})
            return created

    def change_group(
        self,
        *,
        integration: Integration,
        group_id: str,
        change: Callable[[DirectoryGroup], GroupRecord | None],
        precondition: Precondition | None,
        actor: Actor,
    ) -> DirectoryGroup:
        """Apply `change` to the current group (None from it: nothing changes)."""
        with self._store.write() as tx:
            tx.lock_integration(integration.id)
            current = _existing(tx, integration, group_id, lock=True)
            check(precondition, group_version(current))
            data = change(current)
            if data is None:
                return current
            display_name = _checked(data)
            wanted = _members(tx, integration, data)
            had = {m.user_uid: m.display for m in current.members or ()}
            changes = GroupChanges(
                display_name=display_name,
                display_name_key=fold(display_name),
                external_id=data.external_id,
                updated_at=utcnow(),
                added=tuple((uid, d) for uid, d in wanted.items() if uid not in had),
                removed=tuple(uid for uid in had if uid not in wanted),
                relabelled=tuple(
                    (uid, d) for uid, d in wanted.items() if uid in had and had[uid] != d
                ),
            )
            if (
                (display_name, data.external_id) == (current.display_name, current.external_id)
                and not changes.added
                and not changes.removed
                and not changes.relabelled
            ):
                return current
            by_uid = {m.user_uid: m.user_id for m in current.members or ()}
            tx.update_group(integration.org_id, current.id, changes)
            changed = _reload(tx, integration, current)
            by_uid |= {m.user_uid: m.user_id for m in changed.members or ()}
            _audit(
                tx,
                integration,
                actor,
                "group.update",
                changed,
                {
                    "members_added": [str(by_uid[uid]) for uid, _ in changes.added],
                    "members_removed": [str(by_uid[uid]) for uid in changes.removed],
                },
            )
            return changed

    def change_members(
        self,
        *,
        integration: Integration,
        group_id: str,
        changes: Sequence[MemberChange],
        precondition: Precondition | None,
        actor: Actor,
    ) -> DirectoryGroup:
        """Add and remove members, in order, touching only those members: the cost does not
        grow with the size of the group. Returns the group without its members."""
        with self._store.write() as tx:
            tx.lock_integration(integration.id)
            current = _existing(tx, integration, group_id, with_members=False, lock=True)
            check(precondition, group_version(current))
            known = tx.integration_user_uids(
                integration.org_id,
                integration.id,
                [key for c in changes if (key := parse_id(c.user_id)) is not None],
            )
            unknown = [c.user_id for c in changes if c.add and parse_id(c.user_id) not in known]
            if unknown:
                raise _unknown_members(unknown)
            uids = {c.user_id: known[key] for c in changes if (key := parse_id(c.user_id)) in known}
            before = tx.group_members_among(current.id, sorted(set(uids.values())))
            after = dict(before)
            for change in changes:
                uid = uids.get(change.user_id)
                if uid is None:
                    continue  # removing a user that is not in the integration changes nothing
                if change.add:
                    after[uid] = change.display if change.display is not None else after.get(uid)
                else:
                    after.pop(uid, None)
            changed = GroupChanges(
                display_name=current.display_name,
                display_name_key=fold(current.display_name),
                external_id=current.external_id,
                updated_at=utcnow(),
                added=tuple((uid, d) for uid, d in after.items() if uid not in before),
                removed=tuple(uid for uid in before if uid not in after),
                relabelled=tuple(
                    (uid, d) for uid, d in after.items() if uid in before and before[uid] != d
                ),
            )
            if not (changed.added or changed.removed or changed.relabelled):
                return current
            tx.update_group(integration.org_id, current.id, changed)
            ids = {uid: user_id for user_id, uid in uids.items()}
            updated = _reload(tx, integration, current, with_members=False)
            _audit(
                tx,
                integration,
                actor,
                "group.update",
                updated,
                {
                    "members_added": [ids[uid] for uid, _ in changed.added],
                    "members_removed": [ids[uid] for uid in changed.removed],
                },
            )
            return updated

    def delete_group(
        self,
        *,
        integration: Integration,
        group_id: str,
        precondition: Precondition | None,
        actor: Actor,
    ) -> None:
        with self._store.write() as tx:
            tx.lock_integration(integration.id)
            current = _existing(tx, integration, group_id, with_members=False, lock=True)
            check(precondition, group_version(current))
            tx.delete_group(integration.org_id, current.id)
            _audit(tx, integration, actor, "group.delete", current)


def _existing(
    tx: DirectoryTransaction,
    integration: Integration,
    group_id: str,
    *,
    with_members: bool = True,
    lock: bool = False,
) -> DirectoryGroup:
    key = parse_id(group_id)
    found = (
        tx.find_groups(
            integration.org_id,
            integration.id,
            GroupQuery(uuid=key),
            with_members=with_members,
            lock=lock,
        )
        if key is not None
        else []
    )
    if not found:
        raise NotFound(f"No group {group_id!r}")
    return found[0]


def _reload(
    tx: DirectoryTransaction,
    integration: Integration,
    group: DirectoryGroup,
    *,
    with_members: bool = True,
) -> DirectoryGroup:
    return tx.find_groups(
        integration.org_id,
        integration.id,
        GroupQuery(uuid=group.uuid),
        with_members=with_members,
    )[0]


def _checked(data: GroupRecord) -> str:
    problems: list[FieldError] = []
    display_name = data.display_name.strip()
    if not display_name:
        problems.append(FieldError("displayName", "REQUIRED", "displayName cannot be blank"))
    for field, value in (("displayName", display_name), ("externalId", data.external_id or "")):
        if len(value) > MAX_TEXT or not value.isprintable():
            problems.append(
                FieldError(
                    field, "INVALID", f"{field} must be printable, at most {MAX_TEXT} characters"
                )
            )
    for member in data.members:
        if member.display is not None and len(member.display) > MAX_TEXT:
            problems.append(
                FieldError(
                    "members.display",
                    "INVALID",
                    f"members.display must be at most {MAX_TEXT} characters",
                )
            )
    if problems:
        raise Invalid(INVALID_GROUP, problems)
    return display_name


def _members(
    tx: DirectoryTransaction, integration: Integration, data: GroupRecord
) -> dict[int, str | None]:
    """uid → display of the wanted members; each must be one of the integration's users."""
    ids = {member.user_id: parse_id(member.user_id) for member in data.members}
    known = tx.integration_user_uids(
        integration.org_id, integration.id, [i for i in ids.values() if i is not None]
    )
    unknown = [raw for raw, key in ids.items() if key is None or key not in known]
    if unknown:
        raise _unknown_members(unknown)
    wanted: dict[int, str | None] = {}
    for member in data.members:
        key = ids[member.user_id]
        assert key is not None
        wanted[known[key]] = member.display
    return wanted


def _unknown_members(user_ids: Sequence[str]) -> Invalid:
    return Invalid(
        INVALID_GROUP,
        [
            FieldError("members", "UNKNOWN_USER", f"no user {raw!r} in this integration")
            for raw in list(dict.fromkeys(user_ids))[:20]
        ],
    )


def _ids(group: DirectoryGroup) -> list[str]:
    return [str(m.user_id) for m in group.members or ()]


def _audit(
    tx: DirectoryTransaction,
    integration: Integration,
    actor: Actor,
    action: str,
    group: DirectoryGroup,
    extra: dict[str, Any] | None = None,
) -> None:
    record(
        tx,
        org_id=integration.org_id,
        actor=actor,
        action=action,
        target_type="group",
        target_id=str(group.uuid),
        new_state={
            "display_name": group.display_name,
            "external_id": group.external_id,
            "integration": str(integration.uuid),
        }
        | (extra or {}),
    )
