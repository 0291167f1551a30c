"""Reading the audit log: keyset pages in either order, within an optional time range."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from rosterd.core.endpoints import require_tenant_permission
from rosterd.core.entities import AuditEvent, Principal
from rosterd.core.ports import AuditQuery, DirectoryStore

VIEW_ACTIVITY_LOG: Final = "ACTIVITY_LOG_READ"


@dataclass(frozen=True, slots=True)
class AuditPage:
    events: list[AuditEvent]  # in the requested order, whichever way the page was read
    has_more: bool  # whether events lie beyond this page in the direction it was read


class AuditLogService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def list_events(self, *, principal: Principal, query: AuditQuery) -> AuditPage:
        with self._store.read() as tx:
            require_tenant_permission(tx, principal, VIEW_ACTIVITY_LOG)
            rows = tx.page_audit_events(principal.org.id, replace(query, limit=query.limit + 1))
        has_more = len(rows) > query.limit
        rows = rows[: query.limit]
        if query.backwards:
            rows.reverse()
        return AuditPage(rows, has_more)
