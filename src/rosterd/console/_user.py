"""A user's page: their account; their account groups and roles, edited as
`PUT /v7/users/{id}` edits them; their devices (`GET /api/v1/devices?user_id=`'s view); their
API tokens, issued (the secret shown on that one response) and revoked; and deleting them, as
`DELETE /api/v1/users/{id}` does, after a confirmation page.

Each edit is the same core call the APIs make, with the signed-in user's principal: the page
offers a form only where the caller may use it, and a refusal of a form sent anyway is said
beside that form, with what was typed kept.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from rosterd.console._base import (
    Pages,
    SignedIn,
    form_page,
    int_or_none,
    page,
    redirect,
    signed_out,
    status_of,
    uuid_or_not_found,
)
from rosterd.core.audit import Actor
from rosterd.core.auth import NO_SUCH_TOKEN, AuthService
from rosterd.core.devices import DevicesService
from rosterd.core.directory import DirectoryService
from rosterd.core.endpoints import require_endpoint
from rosterd.core.entities import DeviceView, DirectoryUser, EndpointPermission
from rosterd.core.errors import Forbidden, Invalid, NotFound
from rosterd.core.ports import DeviceQuery
from rosterd.core.users import AccountGroupRolesInput, UserInput, UsersService, UserView

GET_USER: Final = EndpointPermission("/api/v1/users/{id}", "GET")
GET_ROLES: Final = EndpointPermission("/v7/users/{id}", "GET")
UPDATE_ROLES: Final = EndpointPermission("/v7/users/{id}", "PUT")
LIST_DEVICES: Final = EndpointPermission("/api/v1/devices", "GET")
DELETE_USER: Final = EndpointPermission("/api/v1/users/{id}", "DELETE")
DEVICES_SHOWN: Final = 100
# The roles form's checkboxes: `role:{aid}:{role_id}`, and `all:{role_id}` for the roles held
# in all account groups; a checked box is sent, an unchecked one is not.
IN_GROUP: Final = "role"
IN_ALL: Final = "all"


class UserPage(Pages):
    @cached_property
    def _directory(self) -> DirectoryService:
        return DirectoryService(self.services.store)

    @cached_property
    def _users(self) -> UsersService:
        return UsersService(self.services.store)

    @cached_property
    def _auth(self) -> AuthService:
        return AuthService(self.services.store)

    @page
    async def user(self, request: Request, signed_in: SignedIn) -> Response:
        return self._page(signed_in, self._found(request, signed_in))

    @form_page
    async def update_roles(
        self, request: Request, signed_in: SignedIn, form: dict[str, str]
    ) -> Response:
        found = self._found(request, signed_in)
        try:
            require_endpoint(signed_in.principal, UPDATE_ROLES)
            self._users.update_user(
                principal=signed_in.principal,
                aid=None,
                user_id=str(found.user.uid),
                data=_roles_input(form),
                actor=Actor.of(signed_in.principal),
            )
        except (Invalid, Forbidden) as exc:
            refused = {"roles_error": _plain(exc), "roles_form": form}
            return self._page(signed_in, found, refused, status_of(exc))
        return redirect(f"/users/{found.user.id}#roles")

    @form_page
    async def create_token(
        self, request: Request, signed_in: SignedIn, form: dict[str, str]
    ) -> Response:
        found = self._found(request, signed_in)
        try:
            issued = self._auth.create_user_token(
                principal=signed_in.principal,
                user_uid=found.user.uid,
                name=form.get("name", ""),
                actor=Actor.of(signed_in.principal),
            )
        except (Invalid, Forbidden) as exc:
            refused = {"token_error": str(exc), "token_form": form}
            return self._page(signed_in, found, refused, status_of(exc))
        # The secret is on this response alone: not in a redirect, a log or the audit event.
        return self._page(signed_in, found, {"issued": issued})

    @form_page
    async def revoke_token(
        self, request: Request, signed_in: SignedIn, form: dict[str, str]
    ) -> Response:
        found = self._found(request, signed_in)
        token_id = int_or_none(request.path_params["token_id"])
        try:
            if token_id is None:
                raise NotFound(NO_SUCH_TOKEN)
            self._auth.revoke_user_token(
                principal=signed_in.principal,
                user_uid=found.user.uid,
                token_id=token_id,
                actor=Actor.of(signed_in.principal),
            )
        except (Forbidden, NotFound) as exc:
            return self._page(signed_in, found, {"token_error": str(exc)}, status_of(exc))
        if token_id == signed_in.principal.token_id:
            return signed_out()  # the session's own token: the session ends with it
        return redirect(f"/users/{found.user.id}#tokens")

    @page
    async def confirm_delete(self, request: Request, signed_in: SignedIn) -> Response:
        found = self._found(request, signed_in)
        refusal = self._delete_refusal(signed_in, found)
        if refusal is not None:  # nothing to confirm: the user's page says why
            return self._page(signed_in, found, {"delete_error": str(refusal)}, status_of(refusal))
        yourself = found.user.id == signed_in.principal.user.id
        return self.render("user_delete.html", signed_in.context(found=found, yourself=yourself))

    @form_page
    async def delete(self, request: Request, signed_in: SignedIn, form: dict[str, str]) -> Response:
        found = self._found(request, signed_in)
        try:
            require_endpoint(signed_in.principal, DELETE_USER)
            self._directory.delete_user(
                principal=signed_in.principal,
                user_id=found.user.id,
                actor=Actor.of(signed_in.principal),
            )
        except (Invalid, Forbidden) as exc:
            return self._page(signed_in, found, {"delete_error": str(exc)}, status_of(exc))
        if found.user.id == signed_in.principal.user.id:
            return signed_out()  # their tokens went with them, this session's among them
        # The notice names the user by id alone: a URL is logged, and an email is personal.
        return redirect(f"/users?deleted={found.user.id}")

    def _delete_refusal(
        self, signed_in: SignedIn, found: DirectoryUser
    ) -> Invalid | Forbidden | None:
        """Why deleting the user would be refused now (the core's check), if it would."""
        try:
            require_endpoint(signed_in.principal, DELETE_USER)
            self._directory.check_delete_user(principal=signed_in.principal, user_id=found.user.id)
        except (Invalid, Forbidden) as exc:
            return exc
        return None

    def _found(self, request: Request, signed_in: SignedIn) -> DirectoryUser:
        """The page's user, of the caller's organization only (else not found)."""
        user_id = uuid_or_not_found(request.path_params["user_id"], "user")
        require_endpoint(signed_in.principal, GET_USER)
        return self._directory.get_user(principal=signed_in.principal, user_id=user_id)

    def _page(
        self,
        signed_in: SignedIn,
        found: DirectoryUser,
        forms: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Response:
        principal = signed_in.principal
        editor = (
            self._users.get_user_editor(principal=principal, user_id=str(found.user.uid))
            if principal.may_call(GET_ROLES)
            else None
        )
        forms = forms or {}
        context = signed_in.context(
            found=found,
            editor=editor,
            # The boxes to check: as sent, after a refused form; else the user's roles.
            checked=set(forms.get("roles_form") or (_checked(editor.view) if editor else ())),
            may_update_roles=principal.may_call(UPDATE_ROLES),
            devices=self._devices(signed_in, found),
            tokens=self._auth.list_user_tokens(principal=principal, user_uid=found.user.uid),
            session_token_id=principal.token_id,
            delete_refusal=self._delete_refusal(signed_in, found),
            **{"issued": None, **forms},
        )
        return self.render("user.html", context, status)

    def _devices(self, signed_in: SignedIn, found: DirectoryUser) -> list[DeviceView] | None:
        """The user's devices, if the token may list devices (None: it may not)."""
        if not signed_in.principal.may_call(LIST_DEVICES):
            return None
        if not found.device_count:  # most users: no listing to make
            return []
        return DevicesService(self.services.store).list_devices(
            principal=signed_in.principal,
            query=DeviceQuery(user_id=found.user.id),
            limit=DEVICES_SHOWN,
            offset=0,
        )


def _roles_input(form: dict[str, str]) -> UserInput:
    """The checked boxes as a replace-based update of both kinds of assignment."""
    by_group: dict[str, list[str]] = {}
    in_all: list[str] = []
    for name in form:
        kind, _, rest = name.partition(":")
        if kind == IN_GROUP:
            aid, _, role_id = rest.partition(":")
            by_group.setdefault(aid, []).append(role_id)
        elif kind == IN_ALL:
            in_all.append(rest)
    return UserInput(
        account_group_roles=[AccountGroupRolesInput(aid, ids) for aid, ids in by_group.items()],
        all_account_group_role_ids=in_all,
    )


def _checked(view: UserView) -> set[str]:
    """The roles form's names of the boxes for the roles `view` holds."""
    names = {f"{IN_ALL}:{role.role_id}" for role in view.all_account_group_roles}
    for group, roles in view.account_group_roles:
        names |= {f"{IN_GROUP}:{group.aid}:{role.role_id}" for role in roles}
    return names


def _plain(exc: Invalid | Forbidden) -> str:
    """The refusal and, for invalid input, what was wrong with it."""
    details = [e.message for e in exc.errors] if isinstance(exc, Invalid) else []
    return " ".join([str(exc), *(f"{d[0].upper()}{d[1:]}." for d in details)])
