"""The console's pages: each one reads its session, makes one core call and renders a template.

Every page acts as the signed-in token's user through the same core services, permission checks
and token endpoint scopes as the Kandji API (the page for users is `GET /api/v1/users`'s view).
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from rosterd.console import PREFIX
from rosterd.console._forms import FormTooLarge, read_form
from rosterd.console._session import COOKIE, MAX_AGE_SECONDS, Session, SessionSigner
from rosterd.core.audit_log import AuditLogService
from rosterd.core.directory import DirectoryService
from rosterd.core.endpoints import require_endpoint
from rosterd.core.entities import EndpointPermission, Principal
from rosterd.core.errors import Forbidden, Invalid, NotFound, RosterdError, Unauthenticated
from rosterd.core.ports import AuditQuery, Keyset, UserQuery
from rosterd.core.tokens import hash_token
from rosterd.server.services import Services

PAGE_SIZE: Final = 50
LIST_USERS: Final = EndpointPermission("/api/v1/users", "GET")
GET_USER: Final = EndpointPermission("/api/v1/users/{id}", "GET")
LIST_AUDIT_EVENTS: Final = EndpointPermission("/api/v1/audit/events", "GET")
# Pages are never cached or framed, and load nothing but their own files.
HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_STATUS: Final = {NotFound: 404, Forbidden: 403, Invalid: 400}


class Console:
    def __init__(self, services: Services, templates: Environment, signer: SessionSigner) -> None:
        self._services = services
        self._templates = templates
        self._signer = signer
        self._directory = DirectoryService(services.store)
        self._audit_log = AuditLogService(services.store)

    # --- sign in and out -------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        return _redirect("/users")

    async def signin_form(self, request: Request) -> Response:
        return self._render("signin.html", {"error": None})

    async def signin(self, request: Request) -> Response:
        try:
            form = await read_form(request)
        except FormTooLarge:
            return self._render("signin.html", {"error": "That form was too large."}, 413)
        token = form.get("token", "").strip()
        try:
            self._services.auth.authenticate(token)
        except Unauthenticated:
            error = "That token was not accepted: check that it is whole, current and not revoked."
            return self._render("signin.html", {"error": error}, 401)
        _, cookie = self._signer.new(hash_token(token))
        response = _redirect("/users")
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=MAX_AGE_SECONDS,
            path=PREFIX,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    async def signout(self, request: Request) -> Response:
        signed_in = await self._signed_in(request)
        if isinstance(signed_in, Response):
            return signed_in
        refused = await self._refuse_forged(request, signed_in[0])
        if refused is not None:
            return refused
        response = _redirect("/signin")
        response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict")
        return response

    # --- users -----------------------------------------------------------------------------

    async def users(self, request: Request) -> Response:
        signed_in = await self._signed_in(request)
        if isinstance(signed_in, Response):
            return signed_in
        session, principal = signed_in
        params = request.query_params
        search = params.get("q", "").strip()
        archived = {"yes": True, "no": False}.get(params.get("archived", ""))
        after = _int_or_none(params.get("after"))
        context: dict[str, Any] = {
            "session": session,
            "principal": principal,
            "search": search,
            "archived": params.get("archived", ""),
        }
        try:
            require_endpoint(principal, LIST_USERS)
            page = self._directory.list_users(
                principal=principal,
                query=UserQuery(email_contains=search or None, archived=archived),
                page=Keyset(position=after, limit=PAGE_SIZE),
            )
        except RosterdError as exc:
            return self._error(exc, context)
        context["users"] = page.users
        context["next_after"] = page.users[-1].user.uid if page.has_more and page.users else None
        # htmx asks for the results alone as the search is typed.
        template = "_user_rows.html" if request.headers.get("HX-Request") else "users.html"
        return self._render(template, context)

    async def user(self, request: Request) -> Response:
        signed_in = await self._signed_in(request)
        if isinstance(signed_in, Response):
            return signed_in
        session, principal = signed_in
        context: dict[str, Any] = {"session": session, "principal": principal}
        try:
            user_id = _uuid(request.path_params["user_id"])
            require_endpoint(principal, GET_USER)
            context["found"] = self._directory.get_user(principal=principal, user_id=user_id)
        except RosterdError as exc:
            return self._error(exc, context)
        return self._render("user.html", context)

    # --- the audit log ----------------------------------------------------------------------

    async def audit(self, request: Request) -> Response:
        signed_in = await self._signed_in(request)
        if isinstance(signed_in, Response):
            return signed_in
        session, principal = signed_in
        context: dict[str, Any] = {"session": session, "principal": principal}
        try:
            require_endpoint(principal, LIST_AUDIT_EVENTS)
            page = self._audit_log.list_events(
                principal=principal,
                query=AuditQuery(descending=True, after=_audit_position(request), limit=PAGE_SIZE),
            )
        except RosterdError as exc:
            return self._error(exc, context)
        context["events"] = page.events
        last = page.events[-1] if page.has_more and page.events else None
        context["older"] = f"{last.occurred_at.isoformat()}|{last.id}" if last else None
        return self._render("audit.html", context)

    # --- shared ----------------------------------------------------------------------------

    async def _signed_in(self, request: Request) -> tuple[Session, Principal] | Response:
        """The session and its token's principal, looked up again now; else to the sign-in."""
        session = self._signer.read(request.cookies.get(COOKIE))
        if session is None:
            return _redirect("/signin")
        try:
            principal = self._services.auth.authenticate_digest(session.token_hash)
        except Unauthenticated:
            response = _redirect("/signin")
            response.delete_cookie(COOKIE, path=PREFIX)
            return response
        return session, principal

    async def _refuse_forged(self, request: Request, session: Session) -> Response | None:
        """A POST whose form lacks the session's CSRF token is refused (403)."""
        try:
            form = await read_form(request)
        except FormTooLarge:
            form = {}
        if session.csrf_matches(form.get("csrf")):
            return None
        message = (
            "This form had expired or did not come from the console. Reload the page and try again."
        )
        return self._render("error.html", {"session": session, "message": message}, 403)

    def _error(self, exc: RosterdError, context: dict[str, Any]) -> Response:
        status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
        return self._render("error.html", {**context, "message": str(exc)}, status)

    def _render(self, name: str, context: dict[str, Any], status: int = 200) -> Response:
        body = self._templates.get_template(name).render(context)
        return HTMLResponse(body, status, headers=HEADERS)


def _redirect(path: str) -> RedirectResponse:
    return RedirectResponse(PREFIX + path, 303, headers=HEADERS)


def _int_or_none(value: str | None) -> int | None:
    with contextlib.suppress(TypeError, ValueError):
        return int(value)  # type: ignore[arg-type]
    return None


def _audit_position(request: Request) -> tuple[datetime, str] | None:
    """The `older` link's position (the last event shown: its time and id), if well formed."""
    at, _, event_id = request.query_params.get("before", "").partition("|")
    try:
        return datetime.fromisoformat(at), event_id
    except ValueError:
        return None


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFound("There is no such user.") from None
