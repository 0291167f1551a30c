"""Every failure under /api/v1 as Django REST Framework renders it: `{"detail": "..."}`.

This module is the one place where core errors become HTTP statuses for this dialect.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from rosterd.core.endpoints import NO_PERMISSION
from rosterd.core.errors import (
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    RosterdError,
    Unauthenticated,
)
from rosterd.server.faults import core_error_for
from rosterd.server.logging import log_unexpected
from rosterd.server.responses import JSONResponse
from rosterd.server.routing import allowed_methods

log = logging.getLogger("rosterd.kandji")
NOT_PROVIDED: Final = "Authentication credentials were not provided."
INVALID_TOKEN: Final = "Invalid token."  # noqa: S105 - a message, not a secret
NOT_FOUND: Final = "Not found."
CHALLENGE: Final = 'Bearer realm="api"'


def detail(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def throttled_message(wait: int) -> str:
    return f"Request was throttled. Expected available in {wait} second{'s' if wait != 1 else ''}."


def install(app: FastAPI) -> None:
    app.add_exception_handler(RosterdError, _core_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


async def answer_fault(request: Request, status: int, retry_after: int) -> JSONResponse:
    """A fault the control plane injects, answered as this dialect answers that status."""
    error = core_error_for(status, retry_after)
    if error is None:
        return detail(status, HTTPStatus(status).phrase)
    return await _core_error(request, error)


async def _core_error(request: Request, exc: Exception) -> JSONResponse:
    match exc:
        case Unauthenticated():
            has_bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
            message = INVALID_TOKEN if has_bearer else NOT_PROVIDED
            return detail(401, message, {"WWW-Authenticate": CHALLENGE})
        case Invalid():
            return detail(400, exc.message)
        case Forbidden():
            return detail(403, NO_PERMISSION)
        case NotFound():
            return detail(404, exc.message)
        case RateLimited():
            return detail(
                429, throttled_message(exc.retry_after), {"Retry-After": str(exc.retry_after)}
            )
    return await _unexpected(request, exc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    return detail(400, _describe(errors[0]) if errors else "Invalid request.")


def _describe(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "Expecting value")
        return f"JSON parse error - {reason}"
    location = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
    name = ".".join(location) or "body"
    return f"{name}: {error.get('msg', 'invalid value')}"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        return detail(404, NOT_FOUND, headers)
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
        return detail(405, f'Method "{request.method}" not allowed.', headers)
    return detail(exc.status_code, str(exc.detail), headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log_unexpected(log, request.scope, exc)
    return detail(500, "A server error occurred.")
