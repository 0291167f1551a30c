"""Account groups: the list (`GET /v7/account-groups`'s view), a group's page, and creating,
renaming and deleting one (the `/v7/account-groups` operations' checks, in core/account_groups.py).

The console acts in the signed-in user's login account group, as those operations do.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from rosterd.console._admin_forms import (
    CREATE_FORM,
    FORM_REFUSALS,
    explain,
    may_offer,
    render_with_forms,
)
from rosterd.console._base import Pages, SignedIn, form_page, page, redirect, status_of
from rosterd.core import permissions as perm
from rosterd.core.account_groups import AccountGroupInput, AccountGroupsService
from rosterd.core.audit import Actor
from rosterd.core.catalogue import CatalogueService
from rosterd.core.endpoints import require_endpoint
from rosterd.core.entities import EndpointPermission, Principal

LIST_GROUPS: Final = EndpointPermission("/v7/account-groups", "GET")
CREATE_GROUP: Final = EndpointPermission("/v7/account-groups", "POST")
GET_GROUP: Final = EndpointPermission("/v7/account-groups/{id}", "GET")
UPDATE_GROUP: Final = EndpointPermission("/v7/account-groups/{id}", "PUT")
DELETE_GROUP: Final = EndpointPermission("/v7/account-groups/{id}", "DELETE")
# Members are counted up to a bound (beyond it: "1,000+"), so that a page costs the same
# however many hold roles in a group (docs/performance.md, "The console").
MEMBERS_BOUND: Final = 1_000
# The group page's forms: each one's error (in the page's `form`) and the flag offering it.
GROUP_FORMS: Final = {"rename_error": "may_rename", "delete_error": "may_delete"}


class AccountGroupPages(Pages):
    @cached_property
    def _groups(self) -> AccountGroupsService:
        return AccountGroupsService(self.services.store)

    @cached_property
    def _catalogue(self) -> CatalogueService:
        return CatalogueService(self.services.store)

    @page
    async def account_groups(self, request: Request, signed_in: SignedIn) -> Response:
        return self._list_page(signed_in, {})

    @form_page
    async def create(self, request: Request, signed_in: SignedIn, form: dict[str, str]) -> Response:
        require_endpoint(signed_in.principal, CREATE_GROUP)
        name = form.get("name", "")
        try:
            view = self._groups.create_account_group(
                principal=signed_in.principal,
                data=AccountGroupInput(name=name),
                actor=Actor.of(signed_in.principal),
                with_members=False,
            )
        except FORM_REFUSALS as exc:
            kept = {"error": explain(exc), "name": name}
            return self._list_page(signed_in, kept, status_of(exc))
        return redirect(f"/account-groups/{view.group.aid}")

    @page
    async def account_group(self, request: Request, signed_in: SignedIn) -> Response:
        return self._group_page(signed_in, request.path_params["aid"], {})

    @form_page
    async def rename(self, request: Request, signed_in: SignedIn, form: dict[str, str]) -> Response:
        aid = request.path_params["aid"]
        require_endpoint(signed_in.principal, UPDATE_GROUP)
        name = form.get("name", "")
        try:
            self._groups.update_account_group(
                principal=signed_in.principal,
                group_id=aid,
                data=AccountGroupInput(name=name),
                actor=Actor.of(signed_in.principal),
                with_members=False,
            )
        except FORM_REFUSALS as exc:
            kept = {"rename_error": explain(exc), "name": name}
            return self._group_page(signed_in, aid, kept, status_of(exc))
        return redirect(f"/account-groups/{aid}")

    @form_page
    async def delete(self, request: Request, signed_in: SignedIn, form: dict[str, str]) -> Response:
        aid = request.path_params["aid"]
        require_endpoint(signed_in.principal, DELETE_GROUP)
        try:
            self._groups.delete_account_group(
                principal=signed_in.principal, group_id=aid, actor=Actor.of(signed_in.principal)
            )
        except FORM_REFUSALS as exc:
            kept = {"delete_error": explain(exc)}
            return self._group_page(signed_in, aid, kept, status_of(exc))
        return redirect("/account-groups")

    def _list_page(self, signed_in: SignedIn, form: dict[str, Any], status: int = 200) -> Response:
        principal = signed_in.principal
        require_endpoint(principal, LIST_GROUPS)
        ctx = self._catalogue.list_account_groups(principal=principal)
        context = signed_in.context(
            groups=sorted(ctx.available_account_groups(), key=lambda g: g.aid),
            current=ctx.account_group,
            may_create=may_offer(ctx, principal, perm.EDIT_ACCOUNT_GROUPS, CREATE_GROUP),
            members=self._members(principal, None),
            form=form,
        )
        return render_with_forms(self, "account_groups.html", context, CREATE_FORM, status)

    def _group_page(
        self, signed_in: SignedIn, aid: str, form: dict[str, Any], status: int = 200
    ) -> Response:
        principal = signed_in.principal
        require_endpoint(principal, GET_GROUP)
        view = self._groups.get_account_group(principal=principal, group_id=aid, with_members=False)
        ctx = self._catalogue.list_account_groups(principal=principal)
        context = signed_in.context(
            view=view,
            may_rename=may_offer(ctx, principal, perm.EDIT_ACCOUNT_GROUPS, UPDATE_GROUP),
            may_delete=may_offer(ctx, principal, perm.EDIT_ACCOUNT_GROUPS, DELETE_GROUP),
            members=self._members(principal, [view.group.aid]),
            form=form,
        )
        return render_with_forms(self, "account_group.html", context, GROUP_FORMS, status)

    def _members(self, principal: Principal, aids: list[int] | None) -> dict[int, str] | None:
        """Each group's member count as shown ("1,000+" past the bound), None if not shown."""
        counts = self._groups.count_members(principal=principal, aids=aids, bound=MEMBERS_BOUND)
        if counts is None:
            return None
        return {
            aid: f"{MEMBERS_BOUND:,}+" if n > MEMBERS_BOUND else f"{n:,}"
            for aid, n in counts.items()
        }
