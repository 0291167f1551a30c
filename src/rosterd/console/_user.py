"""A user's page: their account, account groups and roles (`GET /api/v1/users/{id}`'s view)."""

from __future__ import annotations

from functools import cached_property
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from rosterd.console._base import Pages, SignedIn, page, uuid_or_not_found
from rosterd.core.directory import DirectoryService
from rosterd.core.endpoints import require_endpoint
from rosterd.core.entities import EndpointPermission

GET_USER: Final = EndpointPermission("/api/v1/users/{id}", "GET")


class UserPage(Pages):
    @cached_property
    def _directory(self) -> DirectoryService:
        return DirectoryService(self.services.store)

    @page
    async def user(self, request: Request, signed_in: SignedIn) -> Response:
        user_id = uuid_or_not_found(request.path_params["user_id"], "user")
        require_endpoint(signed_in.principal, GET_USER)
        found = self._directory.get_user(principal=signed_in.principal, user_id=user_id)
        return self.render("user.html", signed_in.context(found=found))
