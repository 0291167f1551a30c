"""The audit log, newest first (`GET /api/v1/audit/events`'s view)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from rosterd.console._base import PAGE_SIZE, Pages, SignedIn, page
from rosterd.core.audit_log import AuditLogService
from rosterd.core.endpoints import require_endpoint
from rosterd.core.entities import EndpointPermission
from rosterd.core.ports import AuditQuery

LIST_AUDIT_EVENTS: Final = EndpointPermission("/api/v1/audit/events", "GET")


class AuditPages(Pages):
    @page
    async def audit(self, request: Request, signed_in: SignedIn) -> Response:
        require_endpoint(signed_in.principal, LIST_AUDIT_EVENTS)
        found = AuditLogService(self.services.store).list_events(
            principal=signed_in.principal,
            query=AuditQuery(descending=True, after=_audit_position(request), limit=PAGE_SIZE),
        )
        last = found.events[-1] if found.has_more and found.events else None
        older = f"{last.occurred_at.isoformat()}|{last.id}" if last else None
        return self.render("audit.html", signed_in.context(events=found.events, older=older))


def _audit_position(request: Request) -> tuple[datetime, str] | None:
    """The `older` link's position (the last event shown: its time and id), if well formed."""
    at, _, event_id = request.query_params.get("before", "").partition("|")
    try:
        return datetime.fromisoformat(at), event_id
    except ValueError:
        return None
