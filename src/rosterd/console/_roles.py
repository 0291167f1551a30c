"""Roles and their permissions: the list (`GET /v7/roles`'s view), a role's page, and creating,
editing and deleting a custom role (the `/v7/roles` operations' checks, in core/roles.py).
Built-in roles are shown, never offered for a change.
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
from rosterd.core.audit import Actor
from rosterd.core.catalogue import CatalogueService
from rosterd.core.endpoints import require_endpoint
from rosterd.core.entities import EndpointPermission
from rosterd.core.errors import RosterdError
from rosterd.core.roles import RoleInput, RolesService

LIST_ROLES: Final = EndpointPermission("/v7/roles", "GET")
CREATE_ROLE: Final = EndpointPermission("/v7/roles", "POST")
GET_ROLE: Final = EndpointPermission("/v7/roles/{id}", "GET")
UPDATE_ROLE: Final = EndpointPermission("/v7/roles/{id}", "PUT")
DELETE_ROLE: Final = EndpointPermission("/v7/roles/{id}", "DELETE")
# Each form's error (in the page's `form`) and the flag offering the form (render_with_forms).
ROLE_FORMS: Final = {"error": "may_edit", "delete_error": "may_delete"}
# Each permission is a checkbox of its own, `permission-<id>` (a form's fields are read once).
CHECKBOX: Final = "permission-"
# The labels, by code, in the catalogue's order (the catalogue is fixed: core/permissions.py).
LABELS: Final = {p.code: p.label for p in perm.CATALOGUE}


class RolePages(Pages):
    @cached_property
    def _roles(self) -> RolesService:
        return RolesService(self.services.store)

    @cached_property
    def _catalogue(self) -> CatalogueService:
        return CatalogueService(self.services.store)

    @page
    async def roles(self, request: Request, signed_in: SignedIn) -> Response:
        return self._list_page(signed_in, {})

    @form_page
    async def create(self, request: Request, signed_in: SignedIn, form: dict[str, str]) -> Response:
        require_endpoint(signed_in.principal, CREATE_ROLE)
        try:
            view = self._roles.create_role(
                principal=signed_in.principal,
                aid=None,
                data=_role_input(form),
                actor=Actor.of(signed_in.principal),
            )
        except FORM_REFUSALS as exc:
            return self._list_page(signed_in, _kept(form, exc), status_of(exc))
        return redirect(f"/roles/{view.role.role_id}")

    @page
    async def role(self, request: Request, signed_in: SignedIn) -> Response:
        return self._role_page(signed_in, request.path_params["role_id"], None)

    @form_page
    async def update(self, request: Request, signed_in: SignedIn, form: dict[str, str]) -> Response:
        role_id = request.path_params["role_id"]
        require_endpoint(signed_in.principal, UPDATE_ROLE)
        try:
            self._roles.update_role(
                principal=signed_in.principal,
                aid=None,
                role_id=role_id,
                data=_role_input(form),
                actor=Actor.of(signed_in.principal),
            )
        except FORM_REFUSALS as exc:
            return self._role_page(signed_in, role_id, _kept(form, exc), status_of(exc))
        return redirect(f"/roles/{role_id}")

    @form_page
    async def delete(self, request: Request, signed_in: SignedIn, form: dict[str, str]) -> Response:
        role_id = request.path_params["role_id"]
        require_endpoint(signed_in.principal, DELETE_ROLE)
        try:
            self._roles.delete_role(
                principal=signed_in.principal,
                aid=None,
                role_id=role_id,
                actor=Actor.of(signed_in.principal),
            )
        except FORM_REFUSALS as exc:
            kept = {"delete_error": explain(exc)}
            return self._role_page(signed_in, role_id, kept, status_of(exc))
        return redirect("/roles")

    def _list_page(self, signed_in: SignedIn, form: dict[str, Any], status: int = 200) -> Response:
        principal = signed_in.principal
        require_endpoint(principal, LIST_ROLES)
        roles = self._catalogue.list_roles(principal=principal, aid=None)
        ctx = self._catalogue.list_account_groups(principal=principal)
        context = signed_in.context(
            roles=roles,
            labels=LABELS,
            catalogue=perm.CATALOGUE,
            may_create=may_offer(ctx, principal, perm.EDIT_ROLES, CREATE_ROLE),
            form=form,
        )
        return render_with_forms(self, "roles.html", context, CREATE_FORM, status)

    def _role_page(
        self, signed_in: SignedIn, role_id: str, form: dict[str, Any] | None, status: int = 200
    ) -> Response:
        principal = signed_in.principal
        require_endpoint(principal, GET_ROLE)
        view = self._roles.get_role(principal=principal, aid=None, role_id=role_id)
        ctx = self._catalogue.list_account_groups(principal=principal)
        custom = not view.role.is_builtin
        held = {p.permission_id for p in view.permissions}
        context = signed_in.context(
            view=view,
            catalogue=perm.CATALOGUE,
            may_edit=custom and may_offer(ctx, principal, perm.EDIT_ROLES, UPDATE_ROLE),
            may_delete=custom and may_offer(ctx, principal, perm.EDIT_ROLES, DELETE_ROLE),
            # What the edit form shows: the role as it is, or what was typed into a refused one.
            form={"name": view.role.name, "checked": held, **(form or {})},
        )
        return render_with_forms(self, "role.html", context, ROLE_FORMS, status)


def _role_input(form: dict[str, str]) -> RoleInput:
    return RoleInput(name=form.get("name", ""), permission_ids=_checked_ids(form))


def _checked_ids(form: dict[str, str]) -> list[str]:
    return [name.removeprefix(CHECKBOX) for name in form if name.startswith(CHECKBOX)]


def _kept(form: dict[str, str], exc: RosterdError) -> dict[str, Any]:
    """A refused role form's values, to show again, with why it was refused."""
    checked = {int(i) for i in _checked_ids(form) if i.isdigit() and len(i) < 6}
    return {"error": explain(exc), "name": form.get("name", ""), "checked": checked}
