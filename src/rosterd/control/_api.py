"""`/_rosterd/…`: the control plane of rosterd as a test double (docs/testing.md).

Reset to the state rosterd started with, named snapshots, injected faults. Its own bearer token;
JSON in and out; errors as `{"detail": "…"}`.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rosterd.control._faults import FaultRule, Faults
from rosterd.control._snapshots import Snapshots
from rosterd.core import clock
from rosterd.core.audit import Actor
from rosterd.core.ports import DirectoryStore
from rosterd.server.responses import JSONResponse

_RULES = TypeAdapter(list[FaultRule])
CONTROL_ACTOR = Actor(type="control", id=None)  # who the audit log says seeded
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
Handler = Callable[[Request], Awaitable[Response]]


class ControlPlane:
    """What the control API changes: the database's snapshots and the fault rules."""

    def __init__(
        self, *, token: str, snapshots: Snapshots, faults: Faults, store: DirectoryStore
    ) -> None:
        self.token = token
        self.snapshots = snapshots
        self.faults = faults
        self.store = store
        self.reset_hooks: list[Callable[[], None]] = []  # e.g. rate-limit counters

    def close(self) -> None:
        self.snapshots.close()

    def reset(self) -> None:
        self.snapshots.reset()
        self.faults.clear()
        clock.freeze(None)
        for hook in self.reset_hooks:
            hook()


def control_app(plane: ControlPlane) -> Starlette:
    def guarded(handler: Callable[[Request, ControlPlane], Awaitable[Response]]) -> Handler:
        async def endpoint(request: Request) -> Response:
            _authenticate(request, plane.token)
            return await handler(request, plane)

        return endpoint

    routes = [
        Route("/reset", guarded(_reset), methods=["POST"]),
        Route("/snapshots", guarded(_list_snapshots), methods=["GET"]),
        Route("/snapshots", guarded(_take_snapshot), methods=["POST"]),
        Route("/snapshots/{name}/restore", guarded(_restore_snapshot), methods=["POST"]),
        Route("/snapshots/{name}", guarded(_delete_snapshot), methods=["DELETE"]),
        Route("/faults", guarded(_list_faults), methods=["GET"]),
        Route("/faults", guarded(_replace_faults), methods=["PUT"]),
        Route("/faults", guarded(_clear_faults), methods=["DELETE"]),
        Route("/clock", guarded(_get_clock), methods=["GET"]),
        Route("/clock", guarded(_set_clock), methods=["PUT"]),
        Route("/seed", guarded(_seed), methods=["POST"]),
        Route("/seed.schema.json", _seed_schema, methods=["GET"]),  # documentation: open
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: _error})


def _authenticate(request: Request, token: str) -> None:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(401, "A valid control token is required (Authorization: Bearer …)")


async def _error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return JSONResponse({"detail": exc.detail}, exc.status_code, headers=headers)


MAX_BODY_BYTES = 1024 * 1024  # a rule list or a snapshot name is far smaller


async def _body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"The body is larger than {limit} bytes")
    return bytes(body)


async def _json(request: Request) -> Any:
    try:
        return json.loads(await _body(request))
    except ValueError:
        raise HTTPException(400, "The body must be JSON") from None


async def _reset(_: Request, plane: ControlPlane) -> Response:
    plane.reset()
    return Response(status_code=204)


async def _list_snapshots(_: Request, plane: ControlPlane) -> Response:
    return JSONResponse({"snapshots": plane.snapshots.names()})


async def _take_snapshot(request: Request, plane: ControlPlane) -> Response:
    body = await _json(request)
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not _NAME.match(name):
        raise HTTPException(400, "name must be 1 to 64 letters, digits, '.', '_' or '-'")
    if name in plane.snapshots.names():
        raise HTTPException(400, f"A snapshot named {name!r} exists; delete it first")
    plane.snapshots.take(name)
    return JSONResponse({"name": name}, 201)


async def _restore_snapshot(request: Request, plane: ControlPlane) -> Response:
    if not plane.snapshots.restore(request.path_params["name"]):
        raise HTTPException(404, "No such snapshot")
    return Response(status_code=204)


async def _delete_snapshot(request: Request, plane: ControlPlane) -> Response:
    if not plane.snapshots.delete(request.path_params["name"]):
        raise HTTPException(404, "No such snapshot")
    return Response(status_code=204)


async def _list_faults(_: Request, plane: ControlPlane) -> Response:
    return JSONResponse(
        {
            "faults": [
                rule.model_dump(exclude_defaults=True) | {"fired": fired}
                for rule, fired in plane.faults.listing()
            ]
        }
    )


async def _replace_faults(request: Request, plane: ControlPlane) -> Response:
    try:
        rules = _RULES.validate_python(await _json(request))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise HTTPException(400, problems) from None
    plane.faults.replace(rules)
    return await _list_faults(request, plane)


async def _clear_faults(_: Request, plane: ControlPlane) -> Response:
    plane.faults.clear()
    return Response(status_code=204)


_INSTANT = TypeAdapter(AwareDatetime)


def _instant(given: object) -> datetime | None:
    """None, or an ISO 8601 date and time with an offset (not a date alone, not a number)."""
    if given is None:
        return None
    try:
        if not isinstance(given, str) or "T" not in given.upper():
            raise ValueError(given)
        return _INSTANT.validate_python(given)
    except (ValueError, ValidationError):
        raise HTTPException(
            400, "now must be an ISO 8601 date and time with an offset, or null"
        ) from None


async def _get_clock(_: Request, __: ControlPlane) -> Response:
    now = clock.utcnow()
    text = now.isoformat().replace("+00:00", "Z")
    return JSONResponse({"now": text, "frozen": clock.is_frozen()})


async def _set_clock(request: Request, plane: ControlPlane) -> Response:
    body = await _json(request)
    if not isinstance(body, dict) or "now" not in body:
        raise HTTPException(400, 'The body is {"now": "2026-01-01T00:00:00Z"} or {"now": null}')
    at = _instant(body["now"])
    clock.freeze(at)
    return await _get_clock(request, plane)


async def _seed(request: Request, plane: ControlPlane) -> Response:
    """A seed document (JSON, or YAML) added to the running server: all of it, or nothing."""
    from rosterd.seeds import MAX_SEED_BYTES, SeedError, load_seed, parse_seed

    text = (await _body(request, MAX_SEED_BYTES)).decode("utf-8", errors="replace")
    try:
        parsed = parse_seed(text, "body")
        result = await run_in_threadpool(load_seed, plane.store, parsed, actor=CONTROL_ACTOR)
    except SeedError as exc:
        return JSONResponse({"detail": "; ".join(exc.problems), "problems": exc.problems}, 400)
    return JSONResponse({"organizations": [o.subdomain for o in result.organizations]}, 201)


async def _seed_schema(_: Request) -> Response:
    from rosterd.seeds import seed_schema

    return JSONResponse(seed_schema(), media_type="application/schema+json")
