"""How the admin pages (integrations, account groups, roles) say why a form was refused:
beside the form, in the core's words, with what was typed kept."""

from __future__ import annotations

from typing import Any, Final

from starlette.responses import Response

from rosterd.console._base import Pages
from rosterd.core.access import CallerContext
from rosterd.core.entities import EndpointPermission, Principal
from rosterd.core.errors import Forbidden, Invalid, RosterdError

# What a form's refusal may be; anything else (NotFound) is the error page.
FORM_REFUSALS: Final = (Invalid, Forbidden)
# A list page's creation form: its error (in the page's `form`) and the flag offering the form.
CREATE_FORM: Final = {"error": "may_create"}


def explain(exc: RosterdError) -> str:
    """The refusal in a sentence: the core's message, and what each field it names broke."""
    details = [e.message for e in exc.errors] if isinstance(exc, Invalid) else []
    if not details:
        return _sentence(exc.message)
    return _sentence(f"{exc.message}: {'; '.join(details)}")


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def may_offer(
    ctx: CallerContext, principal: Principal, code: str, endpoint: EndpointPermission
) -> bool:
    """Whether to offer a form: its endpoint is the token's and its user holds its permission
    where the console acts (the core checks everything else when it is sent, and its refusal
    is said beside the form)."""
    return principal.may_call(endpoint) and ctx.holds(code)


def render_with_forms(
    pages: Pages,
    template: str,
    context: dict[str, Any],
    forms: dict[str, str],
    status: int = 200,
) -> Response:
    """A page with forms; `forms` maps each form's error key in `context["form"]` to the
    context's flag saying whether the page offers that form. The refusal of a form the page
    does not offer (its user may not send it) is said on the error page, having no form to
    stand beside."""
    kept = context["form"]
    orphan = next((kept[e] for e, flag in forms.items() if e in kept and not context[flag]), None)
    if orphan is not None:
        return pages.render("error.html", {**context, "message": orphan}, status)
    return pages.render(template, context, status)
