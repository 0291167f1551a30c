"""Signing in with an API token of the organization, and out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from rosterd.console import PREFIX
from rosterd.console._base import Pages, SignedIn, form_page, redirect, signed_out
from rosterd.console._forms import FormTooLarge, read_form
from rosterd.console._session import COOKIE, MAX_AGE_SECONDS
from rosterd.core.errors import Unauthenticated
from rosterd.core.tokens import hash_token

REFUSED = "That token was not accepted: check that it is whole, current and not revoked."


class SigninPages(Pages):
    async def home(self, request: Request) -> Response:
        return redirect("/users")

    async def signin_form(self, request: Request) -> Response:
        return self.render("signin.html", {"error": None})

    async def signin(self, request: Request) -> Response:
        try:
            form = await read_form(request)
        except FormTooLarge:
            return self.render("signin.html", {"error": "That form was too large."}, 413)
        token = form.get("token", "").strip()
        try:
            self.services.auth.authenticate(token)
        except Unauthenticated:
            return self.render("signin.html", {"error": REFUSED}, 401)
        _, cookie = self.signer.new(hash_token(token))
        response = redirect("/users")
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

    @form_page
    async def signout(
        self, request: Request, signed_in: SignedIn, form: dict[str, str]
    ) -> Response:
        return signed_out()
