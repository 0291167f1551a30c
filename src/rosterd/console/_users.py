"""The directory's users: the searchable list (`GET /api/v1/users`'s view)."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from rosterd.console._base import (
    PAGE_SIZE,
    Pages,
    SignedIn,
    int_or_none,
    page,
)
from rosterd.core.directory import DirectoryService
from rosterd.core.endpoints import require_endpoint
from rosterd.core.entities import EndpointPermission
from rosterd.core.ports import Keyset, UserQuery

LIST_USERS: Final = EndpointPermission("/api/v1/users", "GET")


class UserPages(Pages):
    @cached_property
    def _directory(self) -> DirectoryService:
        return DirectoryService(self.services.store)

    @page
    async def users(self, request: Request, signed_in: SignedIn) -> Response:
        params = request.query_params
        search = params.get("q", "").strip()
        archived = {"yes": True, "no": False}.get(params.get("archived", ""))
        context: dict[str, Any] = signed_in.context(
            search=search, archived=params.get("archived", "")
        )
        require_endpoint(signed_in.principal, LIST_USERS)
        found = self._directory.list_users(
            principal=signed_in.principal,
            query=UserQuery(email_contains=search or None, archived=archived),
            page=Keyset(position=int_or_none(params.get("after")), limit=PAGE_SIZE),
        )
        context["users"] = found.users
        context["next_after"] = found.users[-1].user.uid if found.has_more and found.users else None
        # htmx asks for the results alone as the search is typed.
        template = "_user_rows.html" if request.headers.get("HX-Request") else "users.html"
        return self.render(template, context)
