"""/api/v1 routes: parse the vendor request, make one core call, render the vendor response.

Bounded reads are `async def`: they run the (synchronous) core call on the event loop, which costs
less than a worker-thread hop. Writes, which may wait for the database's write lock, and reads of
unbounded size stay plain `def`, in the thread pool, so that they never stall the loop.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Final
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from rosterd.core.devices import UNSET, DeviceUpdate
from rosterd.core.directory import NOT_FOUND, UserPage
from rosterd.core.errors import Invalid, NotFound
from rosterd.core.ports import DEVICE_ORDERINGS, AuditQuery, DeviceQuery, Keyset, UserQuery
from rosterd.core.shapes import RenderedUser
from rosterd.dialects.kandji import PREFIX
from rosterd.dialects.kandji import _pagination as pages
from rosterd.dialects.kandji import _render as render
from rosterd.dialects.kandji import _wire as wire
from rosterd.dialects.kandji._deps import AuthenticatedCall, recorded_endpoint
from rosterd.server.binding import BoundRoute
from rosterd.server.endpoints import endpoint_catalogue
from rosterd.server.responses import JSONResponse

_UUID: Final = re.compile(wire.UUID_PATTERN)
USERS_PAGE: Final = 300
DEVICES_PAGE: Final = 300
AUDIT_PAGE: Final = 500
_USERS = f"{PREFIX}/users"
_DEVICES = f"{PREFIX}/devices"
_AUDIT_EVENTS = f"{PREFIX}/audit/events"


def _error(description: str) -> dict[str, Any]:
    return {"model": wire.Error, "description": description}


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("Bad Request"),
    401: _error("Unauthorized: the token is missing, incorrect or revoked"),
    403: _error("Forbidden: the token may not call this endpoint"),
    404: _error("Not found"),
    414: _error("URI Too Long"),
    429: _error("Too Many Requests: the tenant's rate limit is spent"),
    431: _error("Request Header Fields Too Large"),
}


def _ok(model: Any, status: int = 200, description: str = "OK") -> dict[int | str, Any]:
    return {status: {"model": model, "description": description}, **_ERRORS}


router = APIRouter(route_class=BoundRoute)
UserIdPath = Annotated[str, Path(description="The user's id (a UUID).", max_length=64)]
DeviceIdPath = Annotated[str, Path(description="The device's id (a UUID).", max_length=64)]


def _text(description: str, max_length: int = 254, pattern: str = wire.TEXT) -> Any:
    # Patterns are documented, not enforced by FastAPI: the parse step below refuses what they
    # leave out, with the vendor's message.
    return Query(
        description=description,
        max_length=max_length,
        json_schema_extra={"pattern": pattern},
    )


# users


@router.get(
    "/users",
    name="list_users",
    summary="List Users",
    description="Users from every directory integration (and those created otherwise, with "
    "`integration: null`), newest first, at most 300 per page; follow `next`/`previous`.",
    responses=_ok(wire.UserList),
    response_class=Response,
)
async def list_users(
    call: AuthenticatedCall,
    email: Annotated[
        str | None, _text("Returns users with email addresses containing the provided string.")
    ] = None,
    id: Annotated[
        str | None,
        _text("Search for a user matching the provided UUID value.", 64, wire.UUID_OR_EMPTY),
    ] = None,
    integration_id: Annotated[
        str | None,
        _text(
            "Search for a integration matching the provided UUID value.",
            64,
            wire.UUID_OR_EMPTY,
        ),
    ] = None,
    archived: Annotated[
        str | None,
        _text(
            "Return only users that are either archived (true) or not archived (false).",
            8,
            wire.BOOLEAN_OR_EMPTY,
        ),
    ] = None,
    cursor: Annotated[
        str | None, _text("Cursor for the next or previous page of results.", 2048)
    ] = None,
) -> Response:
    query = UserQuery(
        email_contains=_search("email", email),
        id=_uuid_filter("id", id),
        integration_uuid=_uuid_filter("integration_id", integration_id),
        archived=_bool_filter("archived", archived),
    )
    page = pages.decode_user_cursor(cursor, USERS_PAGE)
    found = call.svc.directory.list_rendered_users(
        principal=call.caller, query=query, page=page, shape=render.USER
    )
    return JSONResponse(_user_list(found, page, f"{call.base_url}{_USERS}", call.request.url.query))


@router.get(
    "/users/{user_id}",
    name="get_user",
    summary="Get User",
    responses=_ok(wire.User),
    response_class=Response,
)
async def get_user(call: AuthenticatedCall, user_id: UserIdPath) -> Response:
    found = call.svc.directory.get_rendered_user(
        principal=call.caller, user_id=_uuid_path(user_id), shape=render.USER
    )
    return JSONResponse(orjson.Fragment(found))


@router.delete(
    "/users/{user_id}",
    name="delete_user",
    summary="Delete User",
    description="Deletes the user for good. Refused (400) while devices are assigned to it: "
    'unassign them first with `PATCH /api/v1/devices/{device_id}` `{"user": null}`.',
    status_code=204,
    responses={204: {"description": "No Content"}, **_ERRORS},
    response_class=Response,
)
def delete_user(
    call: AuthenticatedCall,
    user_id: UserIdPath,
) -> Response:
    call.svc.directory.delete_user(
        principal=call.caller, user_id=_uuid_path(user_id), actor=call.actor
    )
    # Kandji's 204 carries a JSON content type, though no body.
    return Response(status_code=204, headers={"Content-Type": "application/json"})


# devices


# What `ordering` may hold, for the OpenAPI document (the parse below says what is wrong).
_ORDERING_ITEM = f"[ ]*(?:-?(?:{'|'.join(DEVICE_ORDERINGS)})[ ]*)?"
_ORDERING_PATTERN = f"^{_ORDERING_ITEM}(?:,{_ORDERING_ITEM})*$"


@router.get(
    "/devices",
    name="list_devices",
    summary="List Devices",
    description="Devices in enrolment order unless `ordering` says otherwise; at most 300 per "
    "request, paged with limit/offset. Every filter given must hold.",
    responses=_ok(list[wire.Device]),
    response_class=Response,
)
async def list_devices(
    call: AuthenticatedCall,
    user: Annotated[str | None, _text('Return results "containing" the user name')] = None,
    user_email: Annotated[
        str | None, _text('Return results "containing" search on email address')
    ] = None,
    user_email_exact: Annotated[
        str | None, _text('Return results "matching" the specified email address')
    ] = None,
    user_id: Annotated[
        str | None, _text('"exact" match on the user ID (a UUID)', 64, wire.UUID_OR_EMPTY)
    ] = None,
    user_name: Annotated[
        str | None, _text('Return results "containing" the assigned user Display Name')
    ] = None,
    device_id: Annotated[
        str | None, _text("Search for a device by its id", 64, wire.UUID_OR_EMPTY)
    ] = None,
    device_name: Annotated[str | None, _text('Devices whose name "contains" this')] = None,
    serial_number: Annotated[
        str | None, _text("Devices whose serial number contains this string", 64)
    ] = None,
    model: Annotated[
        str | None, _text('Return model results "containing" the specified model string.')
    ] = None,
    os_version: Annotated[
        str | None, _text("Return all device records containing the specified OS version", 64)
    ] = None,
    platform: Annotated[str | None, _text("Mac, iPad, iPhone or AppleTV", 32)] = None,
    asset_tag: Annotated[str | None, _text("Devices with exactly this asset tag")] = None,
    blueprint_id: Annotated[
        str | None, _text('Return results "containing" the specified blueprint id', 64)
    ] = None,
    mac_address: Annotated[
        str | None, _text("Search for a specific device by MAC address", 64)
    ] = None,
    filevault_enabled: Annotated[
        str | None,
        _text(
            "Query for devices that either have FileVault on (true) or off (false). This "
            "parameter only applies to macOS.",
            8,
            wire.BOOLEAN_OR_EMPTY,
        ),
    ] = None,
    tag_name: Annotated[
        str | None, _text("Return results for given tag name. Case sensitive.")
    ] = None,
    tag_name_in: Annotated[
        str | None,
        _text("Return results for given tag names separated by commas. Case sensitive.", 2048),
    ] = None,
    tag_id: Annotated[str | None, _text("Search for a tag by its ID. Case sensitive.")] = None,
    tag_id_in: Annotated[
        str | None,
        _text("Return results for given tag IDs separated by commas. Case sensitive.", 2048),
    ] = None,
    ordering: Annotated[
        str | None,
        _text(
            "Fields to order by, separated by commas, each optionally prefixed with - for "
            "descending: " + ", ".join(DEVICE_ORDERINGS),
            512,
            _ORDERING_PATTERN,
        ),
    ] = None,
    limit: Annotated[
        str | None, _text("At most 300 devices per request", 12, wire.POSITIVE_OR_EMPTY)
    ] = None,
    offset: Annotated[
        str | None, _text("Specify the starting record to return", 12, wire.COUNT_OR_EMPTY)
    ] = None,
) -> Response:
    tag_ids = _listed("tag_id_in", tag_id_in) | _listed("tag_id", tag_id)
    query = DeviceQuery(
        user_name_contains=_search("user", user) or _search("user_name", user_name),
        user_email_contains=_search("user_email", user_email),
        user_email_exact=_search("user_email_exact", user_email_exact),
        user_id=_uuid_filter("user_id", user_id),
        device_id=_uuid_filter("device_id", device_id),
        serial_number_contains=_search("serial_number", serial_number),
        platform=_search("platform", platform),
        device_name_contains=_search("device_name", device_name),
        model_contains=_search("model", model),
        os_version_contains=_search("os_version", os_version),
        asset_tag=_search("asset_tag", asset_tag),
        blueprint_id_contains=_search("blueprint_id", blueprint_id),
        mac_address=_search("mac_address", mac_address),
        filevault_enabled=_bool_filter("filevault_enabled", filevault_enabled),
        tag_name=_search("tag_name", tag_name),
        tag_name_in=_listed("tag_name_in", tag_name_in) or None,
        tag_ids=tag_ids or None,
        ordering=_device_ordering(ordering),
    )
    found = call.svc.devices.list_devices(
        principal=call.caller,
        query=query,
        limit=_count("limit", limit, default=DEVICES_PAGE, minimum=1),
        offset=_count("offset", offset, default=0, minimum=0),
    )
    return JSONResponse([render.device(d) for d in found])


def _listed(name: str, value: str | None) -> frozenset[str]:
    """A comma-separated list's items, spaces around them left out."""
    text = _search(name, value) or ""
    return frozenset(item.strip() for item in text.split(",") if item.strip())


def _device_ordering(value: str | None) -> tuple[tuple[str, bool], ...]:
    fields = [item.strip() for item in (_search("ordering", value) or "").split(",")]
    ordering = []
    for field in filter(None, fields):
        name = field.removeprefix("-")
        if name not in DEVICE_ORDERINGS:
            raise Invalid(
                f"ordering: “{field}” is not a field to order by; use "
                f"{', '.join(DEVICE_ORDERINGS)}, each with - in front for descending order."
            )
        ordering.append((name, field.startswith("-")))
    return tuple(ordering)


@router.get(
    "/devices/{device_id}",
    name="get_device",
    summary="Get Device",
    responses=_ok(wire.Device),
    response_class=Response,
)
async def get_device(
    call: AuthenticatedCall,
    device_id: DeviceIdPath,
) -> Response:
    found = call.svc.devices.get_device(principal=call.caller, device_id=_uuid_path(device_id))
    return JSONResponse(render.device(found))


async def _device_update(request: Request) -> DeviceUpdate:
    """The PATCH body, parsed as DRF's JSONParser does (its messages included)."""
    media = request.headers.get("content-type", "application/json")
    kind = media.split(";")[0].strip().lower()
    if kind != "application/json" and not kind.endswith("+json"):
        raise HTTPException(415, f'Unsupported media type "{media}" in request.')
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise Invalid(f"JSON parse error - {exc}") from exc
    try:
        body = wire.DeviceUpdate.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
    given = body.model_fields_set
    return DeviceUpdate(
        user=_user_ref(body.user) if "user" in given else UNSET,
        asset_tag=body.asset_tag if "asset_tag" in given else UNSET,
        tags=tuple(body.tags or ()) if "tags" in given else UNSET,
        blueprint_id=_uuid_body("blueprint_id", body.blueprint_id)
        if body.blueprint_id is not None
        else UNSET,
    )


@router.patch(
    "/devices/{device_id}",
    name="update_device",
    summary="Update Device",
    description='Set the assigned user (`{"user": "<uuid>"}`, or `null` to unassign), the '
    "asset tag (`null` clears it) and the tags (`[]` clears them). Attributes left out stay.",
    responses=_ok(wire.Device),
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/DeviceUpdate"},
                }
            },
        }
    },
)
def update_device(
    call: AuthenticatedCall,
    device_id: DeviceIdPath,
    update: Annotated[DeviceUpdate, Depends(_device_update)],
) -> Response:
    view = call.svc.devices.update_device(
        principal=call.caller, device_id=_uuid_path(device_id), update=update, actor=call.actor
    )
    return JSONResponse(render.device(view))


# audit log


@router.get(
    "/audit/events",
    name="list_audit_events",
    summary="List audit events",
    description="Every change made through any API or the CLI, oldest first unless `sort_by` "
    "says otherwise; at most 500 per request, paged with the cursor in `next`.",
    responses=_ok(wire.AuditEventList),
    response_class=Response,
)
async def list_audit_events(
    call: AuthenticatedCall,
    limit: Annotated[
        str | None, _text("At most 500 records per request", 12, wire.POSITIVE_OR_EMPTY)
    ] = None,
    sort_by: Annotated[
        str | None,
        _text(
            "`occurred_at` or `id`, ascending, or descending with a leading `-`",
            16,
            wire.AUDIT_SORT,
        ),
    ] = None,
    start_date: Annotated[
        str | None, _text("From this datetime or day (YYYY-MM-DD) on", 40)
    ] = None,
    end_date: Annotated[
        str | None, _text("Up to this datetime or day (YYYY-MM-DD), inclusive", 40)
    ] = None,
    cursor: Annotated[str | None, _text("The cursor from `next` or `previous`", 2048)] = None,
) -> Response:
    query = _audit_query(limit, sort_by, start_date, end_date, cursor)
    found = call.svc.audit_log.list_events(principal=call.caller, query=query)
    body: dict[str, Any] = {"results": [render.audit_event(e) for e in found.events]}
    body |= _audit_links(
        found.events, found.has_more, query, f"{call.base_url}{_AUDIT_EVENTS}", call.request
    )
    return JSONResponse(body)


# parsing


def _search(name: str, value: str | None) -> str | None:
    if value and "\x00" in value:
        raise Invalid(f"{name}: Null characters are not allowed.")
    return value or None


def _uuid(value: str) -> UUID | None:
    return UUID(value) if _UUID.fullmatch(value) else None


def _uuid_filter(name: str, value: str | None) -> UUID | None:
    if not value:
        return None
    return _uuid_body(name, value)


def _uuid_body(name: str, value: str) -> UUID:
    found = _uuid(value)
    if found is None:
        raise Invalid(f"{name}: “{value}” is not a valid UUID.")
    return found


def _uuid_path(value: str) -> UUID:
    found = _uuid(value)
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def _user_ref(value: str | None) -> UUID | None:
    return None if value is None else _uuid_body("user", value)


def _bool_filter(name: str, value: str | None) -> bool | None:
    if not value:
        return None
    lowered = value.lower() if value.isascii() else value
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise Invalid(f"{name}: “{value}” is not a valid boolean; use true or false.")


def _count(name: str, value: str | None, *, default: int, minimum: int) -> int:
    if value is None or value == "":
        return default
    if not value.isascii() or not value.isdigit() or len(value) > 9 or int(value) < minimum:
        raise Invalid(f"{name}: “{value}” is not a valid number (at least {minimum}).")
    return int(value)


def _user_list(
    found: UserPage[RenderedUser], page: Keyset, base: str, raw_query: str
) -> dict[str, Any]:
    users = found.users
    params = pages.query_items(raw_query)

    def link(position: int, *, reverse: bool) -> str:
        cursor = pages.encode_user_cursor(position, reverse=reverse)
        return pages.page_link(base, params, cursor, sort_params=True)

    next_link: str | None
    previous: str | None
    if page.reverse:
        next_link = link(users[-1].uid if users else (page.position or 0) + 1, reverse=False)
        previous = link(users[0].uid, reverse=True) if found.has_more else None
    else:
        next_link = link(users[-1].uid, reverse=False) if found.has_more else None
        previous = None
        if page.position is not None:
            previous = link(users[0].uid if users else page.position - 1, reverse=True)
    return {
        "next": next_link,
        "previous": previous,
        "results": [orjson.Fragment(u.json) for u in users],
    }


def _audit_query(
    limit: str | None,
    sort_by: str | None,
    start_date: str | None,
    end_date: str | None,
    cursor: str | None,
) -> AuditQuery:
    sort = sort_by or "occurred_at"
    if sort.lstrip("-") not in ("occurred_at", "id") or sort.count("-") > 1:
        raise Invalid(f"sort_by: “{sort}” is not one of occurred_at, -occurred_at, id, -id.")
    position = pages.decode_audit_cursor(cursor)
    return AuditQuery(
        sort=sort.lstrip("-"),
        descending=sort.startswith("-"),
        start=_moment("start_date", start_date, end_of_day=False),
        end=_moment("end_date", end_date, end_of_day=True),
        after=position[0] if position else None,
        backwards=position[1] if position else False,
        limit=min(_count("limit", limit, default=AUDIT_PAGE, minimum=1), AUDIT_PAGE),
    )


def _moment(name: str, value: str | None, *, end_of_day: bool) -> datetime | None:
    """A datetime (UTC unless it says otherwise) or a day; a day ends at its last microsecond."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime.combine(day, time(), tzinfo=UTC)
            return start + timedelta(days=1, microseconds=-1) if end_of_day else start
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"{name}: “{value}” is not a datetime or a date (YYYY-MM-DD).") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _audit_links(
    events: list[Any], has_more: bool, query: AuditQuery, base: str, request: Request
) -> dict[str, str | None]:
    params = pages.query_items(request.url.query)

    def link(index: int, *, backwards: bool) -> str:
        event = events[index]
        cursor = pages.encode_audit_cursor(event.occurred_at, event.id, backwards=backwards)
        return pages.page_link(base, params, cursor, sort_params=False)

    if not events:
        return {"previous": None, "next": None}
    if query.backwards:
        return {
            "previous": link(0, backwards=True) if has_more else None,
            "next": link(-1, backwards=False),
        }
    return {
        "previous": link(0, backwards=True) if query.after is not None else None,
        "next": link(-1, backwards=False) if has_more else None,
    }


# Every endpoint a token's permissions can name, as Kandji records them.
ENDPOINTS: Final = tuple(recorded_endpoint(e) for e in endpoint_catalogue(PREFIX, router.routes))
