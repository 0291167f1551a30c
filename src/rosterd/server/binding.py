"""Routes that bind a request to their handler without FastAPI's dependency solver.

A route is declared once, the FastAPI way (path and query parameters, a body model, `Depends`),
and FastAPI documents it from that declaration. Serving it, FastAPI's solver walks the whole
dependency tree on every request: a recursion, four parameter passes per dependency, cache keys,
callable checks, two exit stacks; for a route shaped like rosterd's that is more than the rest of
a single read costs (docs/performance.md). `BoundRoute` plans, once, what the declaration asks
for, and each request does only that: it validates the parameters and the body with FastAPI's
own functions, calls the dependencies in their order, then the handler.

What the plan does not cover falls back to FastAPI, which stays the reference: a route declaring
anything the plan does not know (a header or cookie parameter, a generator or sync dependency,
`BackgroundTasks`…) is served by FastAPI throughout, and a request whose parameters or body do not
validate is handed to FastAPI whole (its body replayed), before anything has run, so that its
error is FastAPI's, in the order FastAPI finds them (a dependency's error, such as a missing
token, before a parameter's), rendered by the dialect's handler as before.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_body_to_args
from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
from fastapi.params import Form
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

try:  # The tests FastAPI's solver applies, so that a plan binds exactly what FastAPI would.
    from fastapi._compat import field_annotation_is_sequence
    from fastapi.dependencies.models import _is_coroutine_callable
    from fastapi.dependencies.utils import _get_param_aliases, _get_param_model, _is_json_field

    _CAN_BIND = True
except ImportError:  # pragma: no cover - another FastAPI than the locked one: serve as FastAPI
    _CAN_BIND = False

T = TypeVar("T")
_NOT_JSON: Final = object()  # a body FastAPI must judge
_INVALID: Final = object()  # a parameter FastAPI must report
_IMMUTABLE: Final = (type(None), bool, int, float, str, bytes)


class BoundRoute(APIRoute):
    """An APIRoute served by its plan when it has one (see the module docstring)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        # FastAPI's own serving of the route, with the exit stack FastAPI's handler closes its
        # files on (FastAPI opens it for every request of the app; a dialect app does not).
        self.fastapi_app: ASGIApp = AsyncExitStackMiddleware(self.app)
        self.app = self.fastapi_app
        plan = _Plan.of(self)
        self.bound = plan is not None
        if plan is not None:
            self.app = plan.app(fallback=self.fastapi_app)


@dataclass(frozen=True, slots=True)
class _Call:
    """A dependency: what to call, and with what (the request and its own dependencies)."""

    name: str | None
    call: Callable[..., Awaitable[Any]]
    request_names: tuple[str, ...]  # its parameters that take the request (or connection)
    dependencies: tuple[_Call, ...]

    @classmethod
    def of(cls, dependant: Dependant) -> _Call | None:
        call = dependant.call
        if call is None or not _is_coroutine_callable(call):
            # A sync one runs in FastAPI's thread pool; a generator needs its exit stacks.
            return None
        if _has_own_inputs(dependant) or not dependant.use_cache:
            return None
        subs = _all_or_none([cls.of(sub) for sub in dependant.dependencies])
        if subs is None:
            return None
        return cls(dependant.name, call, _request_names(dependant), subs)

    async def solve(self, request: Request) -> Any:
        values: dict[str, Any] = {}
        await _solve_into(values, self.dependencies, request)
        for name in self.request_names:
            values[name] = request
        return await self.call(**values)


def _all_or_none(items: Sequence[T | None]) -> tuple[T, ...] | None:
    """The items, unless one could not be planned."""
    found = tuple(item for item in items if item is not None)
    return found if len(found) == len(items) else None


async def _solve_into(
    values: dict[str, Any], dependencies: Sequence[_Call], request: Request
) -> None:
    """Each dependency in its order; its value goes to its parameter, if it has one."""
    for dependency in dependencies:
        value = await dependency.solve(request)
        if dependency.name is not None:
            values[dependency.name] = value


def _has_own_inputs(dependant: Dependant) -> bool:
    """Whether a dependency reads anything but the request and its own dependencies."""
    return bool(
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.websocket_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
    )


def _request_names(dependant: Dependant) -> tuple[str, ...]:
    names = (dependant.request_param_name, dependant.http_connection_param_name)
    return tuple(name for name in names if name is not None)


def _calls_in(dependant: Dependant) -> list[Any]:
    found = []
    for sub in dependant.dependencies:
        found += [sub.call, *_calls_in(sub)]
    return found


@dataclass(frozen=True, slots=True)
class _Param:
    """A path or query parameter with one name and one value (no model, list or alias choices)."""

    field: Any  # FastAPI's ModelField
    key: str  # its name in the request
    required: bool
    default: Any
    validate_default: bool

    @classmethod
    def of(cls, field: Any) -> _Param | None:
        info = field.field_info
        aliases = _get_param_aliases(field)
        if (
            _get_param_model(field) is not None
            or _is_json_field(field)
            or field_annotation_is_sequence(info.annotation)
            or len(aliases) != 1
        ):
            return None
        return cls(field, aliases[0][1], info.is_required(), field.default, info.validate_default)

    def value(self, received: Mapping[str, Any]) -> Any:
        """The validated value (FastAPI's `request_params_to_args` for one such field)."""
        raw = received.get(self.key)
        if raw is None:
            if self.required:
                return _INVALID
            raw = self.default
            if isinstance(raw, _IMMUTABLE):
                if not self.validate_default:
                    return raw
            else:
                raw = copy.deepcopy(raw)
                if not self.validate_default:
                    return raw
        value, errors = self.field.validate(raw, {}, loc=())
        return _INVALID if errors else value


@dataclass(frozen=True, slots=True)
class _Plan:
    endpoint: Callable[..., Any]
    is_coroutine: bool
    request_names: tuple[str, ...]
    path_params: tuple[_Param, ...]
    query_params: tuple[_Param, ...]
    body_fields: Sequence[Any]
    embed_body_fields: bool
    dependencies: tuple[_Call, ...]

    @classmethod
    def of(cls, route: APIRoute) -> _Plan | None:
        dependant = route.dependant
        calls = _calls_in(dependant)
        if (
            not _CAN_BIND
            or dependant.call is None
            # Overrides are looked up per request; a response model needs serializing.
            or route.dependency_overrides_provider is not None
            or route.response_field is not None
            or dependant.header_params
            or dependant.cookie_params
            or dependant.websocket_param_name
            or dependant.response_param_name
            or dependant.background_tasks_param_name
            or dependant.security_scopes_param_name
            or len(calls) != len({id(c) for c in calls})  # FastAPI would call a repeat once
            or (route.body_field is not None and not _json_body(route))
        ):
            return None
        subs = _all_or_none([_Call.of(sub) for sub in dependant.dependencies])
        path = _all_or_none([_Param.of(field) for field in dependant.path_params])
        query = _all_or_none([_Param.of(field) for field in dependant.query_params])
        if subs is None or path is None or query is None:
            return None
        return cls(
            endpoint=dependant.call,
            is_coroutine=_is_coroutine_callable(dependant.call),
            request_names=_request_names(dependant),
            path_params=path,
            query_params=query,
            body_fields=tuple(dependant.body_params),
            embed_body_fields=route._embed_body_fields,
            dependencies=subs,
        )

    def app(self, *, fallback: ASGIApp) -> ASGIApp:
        async def bound(scope: Scope, receive: Receive, send: Send) -> None:
            request = Request(scope, receive, send)
            body = b""
            if self.body_fields:
                # Read first, as FastAPI does: an over-long body is refused before anything else.
                try:
                    body = await request.body()
                except HTTPException:
                    raise
                except Exception:  # e.g. the client went away: FastAPI's 400 says so
                    await fallback(scope, receive, send)
                    return
            values = await self._validated(request, body)
            if values is None:
                replayed = _replaying(body, receive) if self.body_fields else receive
                await fallback(scope, replayed, send)
                return
            for name in self.request_names:
                values[name] = request
            if self.is_coroutine:
                # On the event loop: the reads of the dependencies and the handler share one
                # transaction (the app's `read_scope`, server/routing.py).
                with _read_scope(request):
                    await _solve_into(values, self.dependencies, request)
                    response = await self.endpoint(**values)
            else:
                await _solve_into(values, self.dependencies, request)
                response = await run_in_threadpool(self.endpoint, **values)
            if not isinstance(response, Response):
                raise TypeError(f"{self.endpoint.__qualname__} must return a Response")
            await response(scope, receive, send)

        return bound

    async def _validated(self, request: Request, body: bytes) -> dict[str, Any] | None:
        """The handler's parameters and body as FastAPI validates them; None if any is invalid."""
        values: dict[str, Any] = {}
        for params, received in (
            (self.path_params, request.path_params),
            (self.query_params, request.query_params if self.query_params else {}),
        ):
            for param in params:
                value = param.value(received)
                if value is _INVALID:
                    return None
                values[param.field.name] = value
        if self.body_fields:
            parsed = _json_of(request.headers.get("content-type"), body)
            if parsed is _NOT_JSON:
                return None
            found, errors = await request_body_to_args(
                list(self.body_fields), parsed, self.embed_body_fields
            )
            if errors:
                return None
            values.update(found)
        return values


def _read_scope(request: Request) -> AbstractContextManager[None]:
    scope: Callable[[], AbstractContextManager[None]] | None = getattr(
        request.app.state, "read_scope", None
    )
    return scope() if scope is not None else nullcontext()


def _json_body(route: APIRoute) -> bool:
    """Whether the route's body is JSON (not a form, which FastAPI reads its own way)."""
    return route.body_field is not None and not isinstance(route.body_field.field_info, Form)


def _json_of(content_type: str | None, body: bytes) -> Any:
    """The body, parsed, when it is sent as JSON and parses; _NOT_JSON leaves it to FastAPI."""
    if content_type is None or not body:
        return _NOT_JSON
    kind, _, subtype = content_type.partition(";")[0].strip().lower().partition("/")
    if kind != "application" or not (subtype == "json" or subtype.endswith("+json")):
        return _NOT_JSON
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _replaying(body: bytes, receive: Receive) -> Receive:
    """`receive`, but first the body already read from it."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
