"""Every failure under /api/v1/scim as a SCIM error (RFC 7644 §3.12), with its `scimType`.

This module is the one place where core errors, and the protocol errors scim2-models raises while
reading a request, become HTTP statuses for this dialect.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from scim2_models import SCIMException
from starlette.exceptions import HTTPException

from rosterd.core.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
    RateLimited,
    RosterdError,
    Unauthenticated,
)
from rosterd.dialects.scim._wire import MEDIA_TYPE, invalid
from rosterd.server.faults import core_error_for
from rosterd.server.logging import log_unexpected
from rosterd.server.responses import JSONResponse
from rosterd.server.routing import allowed_methods

log = logging.getLogger("rosterd.scim")
ERROR_SCHEMA: Final = "urn:ietf:params:scim:api:messages:2.0:Error"
CHALLENGE: Final = 'Bearer realm="SCIM"'


def error(
    status: int,
    detail: str,
    scim_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status)}
    if scim_type:
        body["scimType"] = scim_type
    body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RosterdError, _core_error)
    app.add_exception_handler(SCIMException, _protocol_error)
    app.add_exception_handler(ValidationError, _model_error)
    app.add_exception_handler(RequestValidationError, _request_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


def _details(exc: Invalid) -> str:
    reasons = "; ".join(e.message for e in exc.errors)
    return f"{exc.message}: {reasons}" if reasons else exc.message


# Core errors in the order they are matched (Conflict is an Invalid), with status and scimType.
_CORE: Final[tuple[tuple[type[RosterdError], int, str | None], ...]] = (
    (Unauthenticated, 401, None),
    (Forbidden, 403, None),
    (NotFound, 404, None),
    (PreconditionFailed, 412, None),
    (Conflict, 409, "uniqueness"),
    (Invalid, 400, "invalidValue"),
    (RateLimited, 429, None),
)


async def answer_fault(request: Request, status: int, retry_after: int) -> JSONResponse:
    """A fault the control plane injects, answered as this dialect answers that status."""
    found = core_error_for(status, retry_after)
    if found is None:
        return error(status, HTTPStatus(status).phrase)
    return await _core_error(request, found)


async def _core_error(request: Request, exc: Exception) -> JSONResponse:
    for kind, status, scim_type in _CORE:
        if isinstance(exc, kind):
            detail = _details(exc) if isinstance(exc, Invalid) else exc.message
            headers = None
            if isinstance(exc, Unauthenticated):
                headers = {"WWW-Authenticate": CHALLENGE}
            elif isinstance(exc, RateLimited):
                headers = {"Retry-After": str(exc.retry_after)}
            return error(status, detail, scim_type, headers)
    return await _unexpected(request, exc)


async def _protocol_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SCIMException)
    found = exc.to_error()
    status = int(found.status or 400)
    return error(status, _readable(found.detail or ""), found.scim_type)


def _readable(detail: str) -> str:
    """A validation message without pydantic's pointers to its own documentation."""
    lines = [line for line in detail.splitlines() if "errors.pydantic.dev" not in line]
    return "\n".join(lines).strip()


async def _model_error(request: Request, exc: Exception) -> JSONResponse:
    """A model refusing a value while a PATCH or PUT is applied (not while reading the body)."""
    assert isinstance(exc, ValidationError)
    return await _protocol_error(request, invalid(exc))


async def _request_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body"))
    return error(400, f"{where}: {first.get('msg', 'invalid value')}", "invalidValue")


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        return error(404, f"No SCIM endpoint at {request.url.path}", headers=headers)
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
        return error(405, f"{request.method} is not supported here", headers=headers)
    return error(exc.status_code, str(exc.detail), headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log_unexpected(log, request.scope, exc)
    return error(500, "Internal server error")
