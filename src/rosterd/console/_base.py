"""What every console page shares: its session, the CSRF check of its forms, its errors and
rendering.

A page is a method of a `Pages` class taking `(request, signed_in)` (and `form` for a POST),
wrapped by `page` or `form_page`: those read the session and look its token up again (or send
the browser to the sign-in), refuse a POST without the session's CSRF token, and render a core
refusal as the error page. A page then makes its core calls and renders its template.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from uuid import UUID

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from rosterd.console import PREFIX
from rosterd.console._forms import FormTooLarge, read_form
from rosterd.console._session import COOKIE, Session, SessionSigner
from rosterd.core.entities import Principal
from rosterd.core.errors import Forbidden, Invalid, NotFound, RosterdError, Unauthenticated
from rosterd.server.services import Services

PAGE_SIZE: Final = 50
# Pages are never cached or framed, and load nothing but their own files.
HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_STATUS: Final = {NotFound: 404, Forbidden: 403, Invalid: 400}
FORGED: Final = (
    "This form had expired or did not come from the console. Reload the page and try again."
)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The session of a request and its token's principal, looked up again for this request."""

    session: Session
    principal: Principal

    def context(self, **values: Any) -> dict[str, Any]:
        """A template context with what the page frame (base.html) shows."""
        return {"session": self.session, "principal": self.principal, **values}


class Pages:
    """The base of each group of pages: the services, templates and session signer."""

    def __init__(self, services: Services, templates: Environment, signer: SessionSigner) -> None:
        self.services = services
        self.templates = templates
        self.signer = signer

    async def signed_in(self, request: Request) -> SignedIn | Response:
        """The request's session and principal; else a redirect to the sign-in."""
        session = self.signer.read(request.cookies.get(COOKIE))
        if session is None:
            return redirect("/signin")
        try:
            principal = self.services.auth.authenticate_digest(session.token_hash)
        except Unauthenticated:
            response = redirect("/signin")
            response.delete_cookie(COOKIE, path=PREFIX)
            return response
        return SignedIn(session, principal)

    def render(self, name: str, context: dict[str, Any], status: int = 200) -> Response:
        body = self.templates.get_template(name).render(context)
        return HTMLResponse(body, status, headers=HEADERS)

    def error(self, exc: RosterdError, context: dict[str, Any]) -> Response:
        return self.render("error.html", {**context, "message": str(exc)}, status_of(exc))


def status_of(exc: RosterdError) -> int:
    """The HTTP status a page answers a core refusal with."""
    return next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)


P = TypeVar("P", bound=Pages)


def page(
    handler: Callable[[P, Request, SignedIn], Awaitable[Response]],
) -> Callable[[P, Request], Awaitable[Response]]:
    """A page for a signed-in user; a core refusal it raises is rendered as the error page."""

    @functools.wraps(handler)
    async def endpoint(self: P, request: Request) -> Response:
        signed_in = await self.signed_in(request)
        if isinstance(signed_in, Response):
            return signed_in
        try:
            return await handler(self, request, signed_in)
        except RosterdError as exc:
            return self.error(exc, signed_in.context())

    return endpoint


def form_page(
    handler: Callable[[P, Request, SignedIn, dict[str, str]], Awaitable[Response]],
) -> Callable[[P, Request], Awaitable[Response]]:
    """A form's POST: signed in, carrying the session's CSRF token (else 403), not too large."""

    @page
    @functools.wraps(handler)
    async def with_form(self: P, request: Request, signed_in: SignedIn) -> Response:
        try:
            form = await read_form(request)
        except FormTooLarge:
            form = {}
        if not signed_in.session.csrf_matches(form.get("csrf")):
            return self.render("error.html", signed_in.context(message=FORGED), 403)
        return await handler(self, request, signed_in, form)

    return with_form


def redirect(path: str) -> RedirectResponse:
    """A 303 to a console path (after a form: the browser GETs it)."""
    return RedirectResponse(PREFIX + path, 303, headers=HEADERS)


def int_or_none(value: str | None) -> int | None:
    with contextlib.suppress(TypeError, ValueError):
        return int(value)  # type: ignore[arg-type]
    return None


def uuid_or_not_found(value: str, what: str) -> UUID:
    """A path's id; a malformed one is the same 404 as an unknown one."""
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(f"There is no such {what}.") from None
