"""The directory's users: the searchable, filtered list (`GET /api/v1/users`'s view).

Filters are query parameters, so that a link can carry them: `q` (the email or the name
contains it), `account_group` (an aid), `role` (a role id), `integration` (a UUID, as the
integrations' pages link to it) and `archived` (`yes` or `no`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Final
from urllib.parse import urlencode
from uuid import UUID

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from rosterd.console._base import (
    PAGE_SIZE,
    Pages,
    SignedIn,
    int_or_none,
    page,
)
from rosterd.core.directory import DirectoryService, UserFilterChoices, UserPage
from rosterd.core.endpoints import require_endpoint
from rosterd.core.entities import EndpointPermission
from rosterd.core.errors import NotFound
from rosterd.core.ports import Keyset, UserQuery

LIST_USERS: Final = EndpointPermission("/api/v1/users", "GET")
MAX_SEARCH: Final = 255
_ARCHIVED: Final = {"yes": True, "no": False}


@dataclass
class UserFilters:
    """The list's filters as the request gave them (shown again in the form and carried by
    the next page's link), the query they make, and a message per filter naming nothing."""

    shown: dict[str, str]
    query: UserQuery
    errors: dict[str, str] = field(default_factory=dict)

    def link(self, **more: str | int) -> str:
        """The query string of this listing with `more` (a page's position)."""
        return urlencode({**{k: v for k, v in self.shown.items() if v}, **more})


def user_filters(params: QueryParams, choices: UserFilterChoices) -> UserFilters:
    names = ("q", "account_group", "role", "integration", "archived")
    shown = {name: params.get(name, "").strip()[:MAX_SEARCH] for name in names}
    errors: dict[str, str] = {}
    aid, role_id = int_or_none(shown["account_group"]), int_or_none(shown["role"])
    if shown["account_group"] and aid not in {g.aid for g in choices.account_groups}:
        errors["account_group"] = "There is no such account group in this organization."
    if shown["role"] and role_id not in {r.role_id for r in choices.roles}:
        errors["role"] = "There is no such role in this organization."
    integration = _uuid_or_none(shown["integration"])
    if shown["integration"] and integration not in {i.uuid for i in choices.integrations}:
        errors["integration"] = "There is no such integration in this organization."
    query = UserQuery(
        text_contains=shown["q"] or None,
        account_group=aid,
        role=role_id,
        integration_uuid=integration,
        archived=_ARCHIVED.get(shown["archived"]),
    )
    return UserFilters(shown, query, errors)


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


class UserPages(Pages):
    @cached_property
    def _directory(self) -> DirectoryService:
        return DirectoryService(self.services.store)

    @page
    async def users(self, request: Request, signed_in: SignedIn) -> Response:
        require_endpoint(signed_in.principal, LIST_USERS)
        choices = self._directory.user_filter_choices(principal=signed_in.principal)
        filters = user_filters(request.query_params, choices)
        found = UserPage([], has_more=False)
        # A filter naming nothing of this organization matches nobody (the storage checks
        # the organization too): the list is empty, and the message beside it says why.
        if not filters.errors:
            found = self._directory.list_users(
                principal=signed_in.principal,
                query=filters.query,
                page=Keyset(
                    position=int_or_none(request.query_params.get("after")), limit=PAGE_SIZE
                ),
            )
        last = found.users[-1].user.uid if found.has_more and found.users else None
        context = signed_in.context(
            deleted=self._deleted(signed_in, request.query_params.get("deleted", "")),
            users=found.users,
            filters=filters,
            choices=choices,
            next_page=filters.link(after=last) if last is not None else None,
        )
        # htmx asks for the results alone as the search is typed.
        template = "_user_rows.html" if request.headers.get("HX-Request") else "users.html"
        return self.render(template, context)

    def _deleted(self, signed_in: SignedIn, value: str) -> UUID | None:
        """The user a delete sent the browser here for (`?deleted=`), if they are gone."""
        user_id = _uuid_or_none(value)
        if user_id is None:
            return None
        try:
            self._directory.get_user(principal=signed_in.principal, user_id=user_id)
        except NotFound:
            return user_id
        return None  # a link naming a user who is there: no notice
