"""The audit log, newest first (`GET /api/v1/audit/events`'s view), filtered by who made a
change (`actor`), who or what it was made to (`target`), its `action` (one of the known ones,
or a family of them: `user.`, every action on users) and its time (`from`, `to`: UTC)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from rosterd.console._base import PAGE_SIZE, Pages, SignedIn, page
from rosterd.core.audit import ACTIONS
from rosterd.core.audit_log import AuditLogService, AuditPage, AuditPeople
from rosterd.core.endpoints import require_endpoint
from rosterd.core.entities import EndpointPermission
from rosterd.core.ports import AuditQuery

LIST_AUDIT_EVENTS: Final = EndpointPermission("/api/v1/audit/events", "GET")
MAX_FILTER: Final = 255
NAMES: Final = ("actor", "target", "action", "from", "to")
NOBODY: Final = "No user of this organization has that email or id."
BAD_TIME: Final = "Give a time as 2026-12-01 or 2026-12-01T08:00 (UTC)."
NO_SUCH_ACTION: Final = "There is no such action: choose one from the list."
# The action filter's choices: each family (`user`, offered as `user.`) with its actions.
ACTION_FAMILIES: Final = tuple(
    (family, tuple(a for a in ACTIONS if a.partition(".")[0] == family))
    for family in dict.fromkeys(a.partition(".")[0] for a in ACTIONS)
)
_KNOWN_ACTIONS: Final = frozenset(ACTIONS) | {f"{family}." for family, _ in ACTION_FAMILIES}


@dataclass
class AuditFilters:
    """The log's filters as the request gave them (shown again in the form and carried by
    the older page's link), and a message per filter that could not be used."""

    shown: dict[str, str]
    start: datetime | None = None
    end: datetime | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def link(self, **more: str) -> str:
        return urlencode({**{k: v for k, v in self.shown.items() if v}, **more})

    def people(self) -> AuditPeople:
        return AuditPeople(self.shown["actor"] or None, self.shown["target"] or None)


def audit_filters(params: QueryParams) -> AuditFilters:
    filters = AuditFilters({name: params.get(name, "").strip()[:MAX_FILTER] for name in NAMES})
    filters.start = _time(filters, "from")
    filters.end = _time(filters, "to")
    if filters.shown["action"] and filters.shown["action"] not in _KNOWN_ACTIONS:
        filters.errors["action"] = NO_SUCH_ACTION
    return filters


def _time(filters: AuditFilters, name: str) -> datetime | None:
    """A `datetime-local` input's value (or a date: the day's start), read as UTC."""
    value = filters.shown[name]
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        filters.errors[name] = BAD_TIME
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class AuditPages(Pages):
    @page
    async def audit(self, request: Request, signed_in: SignedIn) -> Response:
        require_endpoint(signed_in.principal, LIST_AUDIT_EVENTS)
        filters = audit_filters(request.query_params)
        # A time that could not be read, an action never recorded: nothing rather than the
        # wrong events.
        if filters.errors:
            return self._render(signed_in, filters, AuditPage([], has_more=False))
        found = AuditLogService(self.services.store).list_events(
            principal=signed_in.principal,
            query=AuditQuery(
                descending=True,
                after=_audit_position(request),
                limit=PAGE_SIZE,
                start=filters.start,
                end=filters.end,
                action=filters.shown["action"] or None,
            ),
            people=filters.people(),
        )
        filters.errors |= dict.fromkeys(found.unknown, NOBODY)
        return self._render(signed_in, filters, found)

    def _render(self, signed_in: SignedIn, filters: AuditFilters, found: AuditPage) -> Response:
        last = found.events[-1] if found.has_more and found.events else None
        older = filters.link(before=f"{last.occurred_at.isoformat()}|{last.id}") if last else None
        context = signed_in.context(
            events=found.events, older=older, filters=filters, action_families=ACTION_FAMILIES
        )
        return self.render("audit.html", context)


def _audit_position(request: Request) -> tuple[datetime, str] | None:
    """The `older` link's position (the last event shown: its time and id), if well formed."""
    at, _, event_id = request.query_params.get("before", "").partition("|")
    try:
        return datetime.fromisoformat(at), event_id
    except ValueError:
        return None
