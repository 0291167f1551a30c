"""Directory integrations: the list, creating one, an integration's page, and rotating or
revoking its SCIM token (the CLI's `rosterd integrations` commands, checked for the signed-in
user: core/integrations.py says which permission each takes).

A new SCIM token is in the one response that made it (a page, never a redirect to one, and
never cached: the pages are `no-store`); only its hash is kept, so no later page can show it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from rosterd.console._admin_forms import (
    CREATE_FORM,
    FORM_REFUSALS,
    explain,
    render_with_forms,
)
from rosterd.console._base import (
    Pages,
    SignedIn,
    form_page,
    page,
    redirect,
    status_of,
    uuid_or_not_found,
)
from rosterd.console._uploads import size
from rosterd.core.audit import Actor
from rosterd.core.import_files import FORMATS
from rosterd.core.integration_types import INTEGRATION_TYPES
from rosterd.core.integrations import SCIM, IntegrationsService


class IntegrationPages(Pages):
    @cached_property
    def _integrations(self) -> IntegrationsService:
        return IntegrationsService(self.services.store)

    @page
    async def integrations(self, request: Request, signed_in: SignedIn) -> Response:
        return self._list_page(signed_in, {})

    @form_page
    async def create(self, request: Request, signed_in: SignedIn, form: dict[str, str]) -> Response:
        name, type = form.get("name", ""), form.get("type", "")
        try:
            created = self._integrations.create_integration_as(
                principal=signed_in.principal,
                name=name,
                type=type,
                actor=Actor.of(signed_in.principal),
            )
        except FORM_REFUSALS as exc:
            kept = {"error": explain(exc), "name": name, "type": type}
            return self._list_page(signed_in, kept, status_of(exc))
        uuid = str(created.integration.uuid)
        if created.scim_token is None:
            return redirect(f"/integrations/{uuid}")
        return self._integration_page(signed_in, uuid, new_token=created.scim_token, status=201)

    @page
    async def integration(self, request: Request, signed_in: SignedIn) -> Response:
        return self._integration_page(signed_in, integration_uuid(request))

    @form_page
    async def token(self, request: Request, signed_in: SignedIn, form: dict[str, str]) -> Response:
        """The SCIM token form: its Rotate or its Revoke button."""
        uuid = integration_uuid(request)
        principal, actor = signed_in.principal, Actor.of(signed_in.principal)
        try:
            if form.get("action") == "revoke":
                self._integrations.revoke_scim_token_as(
                    principal=principal, integration=uuid, actor=actor
                )
                return redirect(f"/integrations/{uuid}")
            token = self._integrations.rotate_scim_token_as(
                principal=principal, integration=uuid, actor=actor
            )
        except FORM_REFUSALS as exc:
            return self._integration_page(
                signed_in, uuid, error=explain(exc), status=status_of(exc)
            )
        return self._integration_page(signed_in, uuid, new_token=token)

    def _list_page(self, signed_in: SignedIn, form: dict[str, Any], status: int = 200) -> Response:
        listing = self._integrations.list_integrations_as(principal=signed_in.principal)
        context = signed_in.context(
            listing=listing,
            may_create=listing.may_manage,
            types=INTEGRATION_TYPES,
            form=form,
        )
        return render_with_forms(self, "integrations.html", context, CREATE_FORM, status)

    def _integration_page(
        self,
        signed_in: SignedIn,
        uuid: str,
        *,
        new_token: str | None = None,
        error: str | None = None,
        status: int = 200,
        **extra: Any,
    ) -> Response:
        view, may_manage = self._integrations.get_integration_as(
            principal=signed_in.principal, integration=uuid
        )
        context = signed_in.context(
            view=view,
            may_manage=may_manage,
            has_token=view.integration.type == SCIM,
            new_token=new_token,
            error=error,
            import_limit=size(self.services.settings.console_import_max_bytes),
            formats=FORMATS,
            **extra,
        )
        return self.render("integration.html", context, status)


def integration_uuid(request: Request) -> str:
    """The path's integration UUID (a malformed one is the same 404 as an unknown one)."""
    return str(uuid_or_not_found(request.path_params["integration_id"], "integration"))
