"""Every failure under /v7 in the ThousandEyes envelope: problem+json, OAuth-style 401.

This module is the one place where core errors become HTTP statuses for this dialect.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from rosterd.core.errors import (
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    RosterdError,
    Unauthenticated,
)
from rosterd.server.faults import core_error_for
from rosterd.server.hosts import HostNotAllowed
from rosterd.server.logging import log_unexpected
from rosterd.server.responses import JSONResponse
from rosterd.server.routing import allowed_methods

log = logging.getLogger("rosterd.thousandeyes")
PROBLEM_JSON = "application/problem+json"
VALIDATION_TITLE = "Request validation failed. There are invalid or missing fields"
UNAUTHORIZED_CHALLENGE = 'Bearer error="invalid_token"'

_TITLES = {
    400: "Bad Request",
    403: "Forbidden",
    404: "URI Resource Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal server error",
}


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    errors: Sequence[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": VALIDATION_TITLE if errors is not None else _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = [
            {"code": e.code, "field": camel_path(e.field), "message": e.message} for e in errors
        ]
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def unauthorized(detail: str) -> JSONResponse:
    return JSONResponse(
        {"error": "invalid_token", "error_description": detail},
        status_code=401,
        headers={"WWW-Authenticate": UNAUTHORIZED_CHALLENGE},
        media_type=PROBLEM_JSON,
    )


def camel_path(field: str) -> str:
    """`account_group_roles[0].role_ids` → `accountGroupRoles[0].roleIds`."""
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), field)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RosterdError, _core_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


async def answer_fault(
    request: Request, status: int, retry_after: int, *, limit: int
) -> JSONResponse:
    """A fault the control plane injects, answered as this dialect answers that status for
    real: a 429 with the counters and `Retry-After` the official SDK waits for."""
    error = core_error_for(status, retry_after)
    if error is None:
        return problem(request, status, HTTPStatus(status).phrase)
    response = await _core_error(request, error)
    if status == 429:
        reset = int(time.time()) + retry_after
        response.headers.update(
            {
                "X-Organization-Rate-Limit-Limit": str(limit),
                "X-Organization-Rate-Limit-Remaining": "0",
                "X-Organization-Rate-Limit-Reset": str(reset),
            }
        )
    return response


async def _core_error(request: Request, exc: Exception) -> JSONResponse:
    match exc:
        case Unauthenticated():
            return unauthorized(exc.message)
        case Invalid():
            return problem(request, 400, exc.message, errors=exc.errors)
        case Forbidden():
            return problem(request, 403, exc.message)
        case NotFound():
            return problem(request, 404, exc.message)
        case RateLimited():
            return problem(
                request,
                429,
                "Exhausted rate limit for the organization",
                headers={"Retry-After": str(exc.retry_after)},
            )
    return await _unexpected(request, exc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_field_error(e) for e in exc.errors()]
    return problem(request, 400, "Your request object contains invalid fields.", errors=errors)


def _field_error(error: Any) -> FieldError:
    location = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
    field = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in location).lstrip(".")
    kind = str(error.get("type", "invalid"))
    if kind == "json_invalid":
        return FieldError("body", "INVALID_JSON", f"Malformed JSON: {error.get('msg', '')}")
    return FieldError(field or "body", kind.upper(), str(error.get("msg", "invalid value")))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and not isinstance(exc, HostNotAllowed):
        # FastAPI reports bodies it cannot parse at all (e.g. nested too deeply) this way.
        return problem(
            request,
            400,
            "Your request object contains invalid fields.",
            errors=[FieldError("body", "INVALID_BODY", str(exc.detail))],
        )
    detail = str(exc.detail)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        detail = f"No resource at {request.url.path}"
    elif exc.status_code == 405:
        detail = f"The method {request.method} is not allowed for {request.url.path}"
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem(request, exc.status_code, detail, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log_unexpected(log, request.scope, exc)
    return problem(request, 500, "An unexpected error occurred; it has been logged.")
