"""Reading the audit log: keyset pages in either order, within an optional time range.

Kandji's dialect reads the organization's whole log; ThousandEyes' activity log is read per
account group: the events made in the groups asked for, where the caller may view the log.
An event made outside every account group (by the CLI, Kandji's API or a directory
integration) counts as made in the organization's default account group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from rosterd.core import permissions as perm
from rosterd.core.access import caller_context
from rosterd.core.endpoints import require_tenant_permission
from rosterd.core.entities import AccountGroup, AuditEvent, Organization, Principal, User
from rosterd.core.errors import NotFound
from rosterd.core.operator_reads import actor_of, target_id_of
from rosterd.core.ports import AuditQuery, DirectoryStore, DirectoryTransaction


@dataclass(frozen=True, slots=True)
class AuditPeople:
    """Who the events of a page are about, as typed: the actor (`cli`, `control`, an
    integration's UUID, or a user's email, uid or UUID) and the target (a user's email, or the
    id an event records)."""

    actor: str | None = None
    target: str | None = None


@dataclass(frozen=True, slots=True)
class AuditPage:
    events: list[AuditEvent]  # in the requested order, whichever way the page was read
    has_more: bool  # whether events lie beyond this page in the direction it was read
    # The fields of `AuditPeople` naming nobody in the organization (the page is then empty).
    unknown: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ActivityQuery:
    """A page of an account group's activity log, oldest first."""

    aid: str | None = None
    all_permitted_account_groups: bool = False
    start: datetime | None = None
    end: datetime | None = None
    after: tuple[datetime, str] | None = None  # the last event of the page before
    limit: int = 100


@dataclass(frozen=True, slots=True)
class ActivityPage:
    events: list[AuditEvent]
    has_more: bool
    account_groups: Mapping[int, AccountGroup]  # the organization's, by aid
    default: AccountGroup  # where events made outside every account group are shown
    actors: Mapping[int, User]  # the users who made the events, by uid (those not deleted)


class AuditLogService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def list_events(
        self, *, principal: Principal, query: AuditQuery, people: AuditPeople | None = None
    ) -> AuditPage:
        with self._store.read() as tx:
            require_tenant_permission(tx, principal, perm.VIEW_ACTIVITY_LOG)
            query, unknown = _about(tx, principal.org, query, people or AuditPeople())
            if unknown:
                return AuditPage([], has_more=False, unknown=unknown)
            rows = tx.page_audit_events(principal.org.id, replace(query, limit=query.limit + 1))
        has_more = len(rows) > query.limit
        rows = rows[: query.limit]
        if query.backwards:
            rows.reverse()
        return AuditPage(rows, has_more)

    def list_activity(self, *, principal: Principal, query: ActivityQuery) -> ActivityPage:
        """Requires `View activity log` in the group the call acts in; with
        `all_permitted_account_groups`, the log of every group the caller may view it in."""
        with self._store.read() as tx:
            ctx = caller_context(tx, principal, query.aid)
            ctx.require_any(perm.VIEW_ACTIVITY_LOG)
            groups = {ctx.account_group.aid}
            if query.all_permitted_account_groups:
                groups |= ctx.account_groups_with(perm.VIEW_ACTIVITY_LOG) & {
                    g.aid for g in ctx.available_account_groups()
                }
            default = next(g for g in ctx.account_groups.values() if g.is_default)
            rows = tx.page_audit_events(
                ctx.org_id,
                AuditQuery(
                    start=query.start,
                    end=query.end,
                    after=query.after,
                    limit=query.limit + 1,
                    account_groups=frozenset(groups),
                    unattributed=default.aid in groups,
                ),
            )
            events = rows[: query.limit]
            return ActivityPage(
                events,
                len(rows) > query.limit,
                ctx.account_groups,
                default,
                _actors(tx, ctx.org_id, events),
            )


def _about(
    tx: DirectoryTransaction, org: Organization, query: AuditQuery, people: AuditPeople
) -> tuple[AuditQuery, frozenset[str]]:
    """The query narrowed to the people's events, and which of them name nobody."""
    unknown: set[str] = set()
    if people.actor is not None:
        try:
            actor_type, actor_id = actor_of(tx, org, people.actor)
            query = replace(query, actor_type=actor_type, actor_id=actor_id)
        except NotFound:
            unknown.add("actor")
    if people.target is not None:
        try:
            query = replace(query, target_id=target_id_of(tx, org, people.target))
        except NotFound:
            unknown.add("target")
    return query, frozenset(unknown)


def actor_uid(event: AuditEvent) -> int | None:
    """The uid of the user who made the change; none for the CLI or an integration."""
    if event.actor_type != "user" or event.actor_id is None or not event.actor_id.isdigit():
        return None
    return int(event.actor_id)


def _actors(tx: DirectoryTransaction, org_id: int, events: list[AuditEvent]) -> dict[int, User]:
    uids = {uid for uid in map(actor_uid, events) if uid is not None}
    found = (tx.get_user(org_id, uid) for uid in sorted(uids))
    return {user.uid: user for user in found if user is not None}
