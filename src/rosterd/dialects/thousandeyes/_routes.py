"""/v7 routes: parse the vendor request, make one core call, render the vendor response.

Bounded reads are `async def`: they run the (synchronous) core call on the event loop, which costs
less than a worker-thread hop. Writes, which may wait for the database's write lock, and reads of
unbounded size stay plain `def`, in the thread pool, so that they never stall the loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Final

from fastapi import APIRouter, Body, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.convertors import StringConvertor, register_url_convertor

from rosterd.core.access import default_account_group
from rosterd.core.account_groups import AccountGroupInput, AccountGroupView
from rosterd.core.roles import RoleInput, RoleView
from rosterd.core.users import AccountGroupRolesInput, UserInput, UserList
from rosterd.dialects.thousandeyes import PREFIX
from rosterd.dialects.thousandeyes import _activity as activity
from rosterd.dialects.thousandeyes import _render as render
from rosterd.dialects.thousandeyes import _wire as wire
from rosterd.dialects.thousandeyes._deps import Aid, AuthenticatedCall
from rosterd.dialects.thousandeyes._errors import PROBLEM_JSON, UNAUTHORIZED_CHALLENGE
from rosterd.server.binding import BoundRoute
from rosterd.server.calls import ApiCall
from rosterd.server.endpoints import endpoint_catalogue
from rosterd.server.responses import JSONResponse, encode_json
from rosterd.server.services import Services

HAL_JSON = "application/hal+json"
# What the expand list may name (empty: nothing), comma-separated as the vendor's clients send it.
MAX_EXPAND = 8  # names in an expand list (repeats allowed, as the vendor does not forbid them)
EXPAND_PATTERN = rf"^((user|agent)(,(user|agent)){{0,{MAX_EXPAND - 1}}})?$"


def _error(model: type[Any], description: str) -> dict[str, Any]:
    return {"model": model, "description": description}


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error(wire.ValidationError, "Bad Request"),
    401: _error(wire.UnauthorizedError, "Unauthorized"),
    403: _error(wire.Error, "Insufficient permissions to query endpoint"),
    404: _error(wire.Error, "Not found"),
    # The server's framing limits (server/request_limits.py), in this dialect's envelope.
    414: _error(wire.Error, "URI Too Long"),
    429: _error(wire.Error, "Exhausted rate limit for the organization"),
    431: _error(wire.Error, "Request Header Fields Too Large"),
    500: _error(wire.Error, "Internal server error"),
    # Bad input is a 400 here. A declared 422 keeps FastAPI from adding its own, whose
    # `ValidationError` schema would replace ours; `describe` removes it again.
    422: {"description": "Never sent"},
}
# Only operations that read a body can meet the body-size limit.
_BODY_ERRORS = _ERRORS | {413: _error(wire.Error, "Payload Too Large")}


def _ok(
    model: type[Any], status: int = 200, description: str = "OK", *, body: bool = False
) -> dict[int | str, Any]:
    return {
        status: {"model": model, "description": description},
        **(_BODY_ERRORS if body else _ERRORS),
    }


class _UserIdConvertor(StringConvertor):
    """A user id path segment: anything but `current`, which names its own resource.

    Without it `PUT /users/current` would reach update_user (a 404 for the user "current") and
    a 405's `Allow` would list PUT and DELETE for a path that documents only GET.
    """

    regex = r"(?!current$)[^/]+"


register_url_convertor("thousandeyes_user_id", _UserIdConvertor())
USER_PATH = "/users/{id:thousandeyes_user_id}"

router = APIRouter(route_class=BoundRoute)
UserId = Annotated[str, Path(description="Identifier for the user.", max_length=64)]
UserBody = Annotated[wire.UserRequest, Body()]


def _json(request: Request, body: Any, status: int = 200, **headers: str) -> JSONResponse:
    media = _media_type(request)
    return JSONResponse(body, status_code=status, media_type=media, headers=headers or None)


def _media_type(request: Request) -> str:
    return HAL_JSON if HAL_JSON in request.headers.get("accept", "") else "application/json"


def _user_href(base: str, uid: int) -> str:
    return f"{base}{PREFIX}/users/{uid}"


def _user_input(body: wire.UserRequest) -> UserInput:
    roles = body.account_group_roles
    return UserInput(
        name=body.name,
        email=body.email,
        login_account_group_id=body.login_account_group_id,
        account_group_roles=None
        if roles is None
        else [AccountGroupRolesInput(r.account_group_id, r.role_ids) for r in roles],
        all_account_group_role_ids=body.all_account_group_role_ids,
    )


@router.get(
    "/users",
    operation_id="getUsers",
    tags=["Users"],
    name="get_users",
    summary="List users",
    responses=_ok(wire.Users),
    response_class=Response,
)
def get_users(call: AuthenticatedCall, aid: Aid = None) -> Response:
    """Retrieves a list of users in the organization the account group ID belongs to. This
    operation requires the `API Access` and `View all users` permissions.
    """
    listing = call.svc.users.list_users(principal=call.caller, aid=aid)
    links = render.links(f"{call.base_url}{PREFIX}/users")
    # The vendor sends every user in one body: streamed, so that memory stays bounded.
    return StreamingResponse(_users_body(listing, links), media_type=_media_type(call.request))


def _users_body(listing: UserList, links: dict[str, Any]) -> Iterator[bytes]:
    """`{"users": [...], "_links": ...}`, byte for byte as one JSON response would be."""
    yield b'{"users":['
    separator = b""
    for batch in listing.batches:
        rendered = (encode_json(render.extended_user(u, listing.account_groups)) for u in batch)
        yield separator + b",".join(rendered)
        separator = b","
    yield b'],"_links":' + encode_json(links) + b"}"


@router.post(
    "/users",
    operation_id="createUser",
    tags=["Users"],
    name="create_user",
    summary="Create user",
    status_code=201,
    responses=_ok(wire.CreatedUser, 201, "Created", body=True),
    response_class=Response,
)
def create_user(call: AuthenticatedCall, body: UserBody, aid: Aid = None) -> Response:
    """Creates a new user. Requires `Edit users` (in the account groups the user gets roles in) or
    `Edit users in all account groups`. If the person already belongs to another organization,
    they keep their own login account group. `accountGroupRoles` is replace-based, not a delta.
    """
    view = call.svc.users.create_user(
        principal=call.caller, aid=aid, data=_user_input(body), actor=call.actor
    )
    href = _user_href(call.base_url, view.user.uid)
    return _json(call.request, render.created_user(view, href), 201, Location=href)


@router.get(
    "/users/current",
    operation_id="getCurrentUser",
    tags=["Users"],
    name="get_current_user",
    summary="Retrieve current user",
    responses=_ok(wire.UserDetail),
    response_class=Response,
)
async def get_current_user(call: AuthenticatedCall) -> Response:
    """Retrieves detailed information about the current user."""
    view = call.svc.users.get_current_user(principal=call.caller)
    return _json(call.request, render.user_detail(view, _user_href(call.base_url, view.user.uid)))


@router.get(
    USER_PATH,
    operation_id="getUser",
    tags=["Users"],
    name="get_user",
    summary="Retrieve user",
    responses=_ok(wire.UserDetail),
    response_class=Response,
)
async def get_user(call: AuthenticatedCall, id: UserId, aid: Aid = None) -> Response:
    """Retrieves detailed information about a user. This operation requires the `API Access` and
    `View All Users` permissions.
    """
    view = call.svc.users.get_user(principal=call.caller, aid=aid, user_id=id)
    return _json(call.request, render.user_detail(view, _user_href(call.base_url, view.user.uid)))


@router.put(
    USER_PATH,
    operation_id="updateUser",
    tags=["Users"],
    name="update_user",
    summary="Update user",
    responses=_ok(wire.UserDetail, body=True),
    response_class=Response,
)
def update_user(call: AuthenticatedCall, id: UserId, body: UserBody, aid: Aid = None) -> Response:
    """Updates a user: name, email address, account group assignments or roles; omitted fields are
    left as they are. Requires `Edit users` or `Edit users in all account groups`. A changed
    email must be confirmed before the user may use the API again. `accountGroupRoles` and
    `allAccountGroupRoleIds` are replace-based, not deltas.
    """
    view = call.svc.users.update_user(
        principal=call.caller, aid=aid, user_id=id, data=_user_input(body), actor=call.actor
    )
    return _json(call.request, render.user_detail(view, _user_href(call.base_url, view.user.uid)))


@router.delete(
    USER_PATH,
    operation_id="deleteUser",
    tags=["Users"],
    name="delete_user",
    summary="Delete user",
    status_code=204,
    responses={204: {"description": "No content"}, **_ERRORS},
    response_class=Response,
)
def delete_user(call: AuthenticatedCall, id: UserId, aid: Aid = None) -> Response:
    """Deletes a user. Requires `Edit users` or `Edit users in all account groups`."""
    call.svc.users.delete_user(principal=call.caller, aid=aid, user_id=id, actor=call.actor)
    return Response(status_code=204)


@router.get(
    "/account-groups",
    operation_id="getAccountGroups",
    tags=["Account Groups"],
    name="get_account_groups",
    summary="List account groups",
    responses=_ok(wire.AccountGroups),
    response_class=Response,
)
async def get_account_groups(call: AuthenticatedCall) -> Response:
    """Retrieves the account groups available to the current user."""
    ctx = call.svc.catalogue.list_account_groups(principal=call.caller)
    default = default_account_group(call.caller.user.login_account_group_id, ctx.account_groups)
    groups = [
        render.account_group_info(g, call.caller.org, current=ctx.account_group, default=default)
        for g in ctx.available_account_groups()
    ]
    return _json(
        call.request,
        {
            "accountGroups": groups,
            "_links": render.links(f"{call.base_url}{PREFIX}/account-groups"),
        },
    )


@router.get(
    "/roles",
    operation_id="getRoles",
    tags=["Roles"],
    name="get_roles",
    summary="List roles",
    responses=_ok(wire.Roles),
    response_class=Response,
)
async def get_roles(call: AuthenticatedCall, aid: Aid = None) -> Response:
    """Retrieves the roles the organization can assign."""
    roles = call.svc.catalogue.list_roles(principal=call.caller, aid=aid)
    return _json(
        call.request,
        {
            "roles": [render.role(r) for r in roles],
            "_links": render.links(f"{call.base_url}{PREFIX}/roles"),
        },
    )


ROLE_PATH = "/roles/{id}"
RoleId = Annotated[str, Path(description="Unique ID representing the role.", max_length=64)]
RoleCreateBody = Annotated[wire.RoleCreate, Body()]
RoleUpdateBody = Annotated[wire.RoleUpdate, Body()]


def _role_href(base: str, role_id: int) -> str:
    return f"{base}{PREFIX}/roles/{role_id}"


def _role_json(call: ApiCall[Services], view: RoleView, status: int = 200) -> Response:
    href = _role_href(call.base_url, view.role.role_id)
    headers = {"Location": href} if status == 201 else {}
    return _json(call.request, render.role_detail(view, href), status, **headers)


def _role_input(body: wire.RoleCreate | wire.RoleUpdate) -> RoleInput:
    return RoleInput(name=body.name, permission_ids=body.permissions)


@router.post(
    "/roles",
    operation_id="createRole",
    tags=["Roles"],
    name="create_role",
    summary="Create role",
    status_code=201,
    responses=_ok(wire.RoleDetail, 201, "Created", body=True),
    response_class=Response,
)
def create_role(call: AuthenticatedCall, body: RoleCreateBody, aid: Aid = None) -> Response:
    """Creates a new role. Requires `Edit roles`; a role with management permissions also
    `Assign management permissions`. `permissions` holds permission ids (`/permissions`)."""
    view = call.svc.roles.create_role(
        principal=call.caller, aid=aid, data=_role_input(body), actor=call.actor
    )
    return _role_json(call, view, 201)


@router.get(
    ROLE_PATH,
    operation_id="getRole",
    tags=["Roles"],
    name="get_role",
    summary="Retrieve role",
    responses=_ok(wire.RoleDetail),
    response_class=Response,
)
async def get_role(call: AuthenticatedCall, id: RoleId, aid: Aid = None) -> Response:
    """Returns detailed information about a role using its ID."""
    view = call.svc.roles.get_role(principal=call.caller, aid=aid, role_id=id)
    return _role_json(call, view)


@router.put(
    ROLE_PATH,
    operation_id="updateRole",
    tags=["Roles"],
    name="update_role",
    summary="Update role",
    responses=_ok(wire.RoleDetail, body=True),
    response_class=Response,
)
def update_role(
    call: AuthenticatedCall, id: RoleId, body: RoleUpdateBody, aid: Aid = None
) -> Response:
    """Updates a user-defined role using its ID. The full list of permissions must be sent: this
    operation does not support delta-based grant or revoking of permissions. Built-in roles
    cannot be changed."""
    view = call.svc.roles.update_role(
        principal=call.caller, aid=aid, role_id=id, data=_role_input(body), actor=call.actor
    )
    return _role_json(call, view)


@router.delete(
    ROLE_PATH,
    operation_id="deleteRole",
    tags=["Roles"],
    name="delete_role",
    summary="Delete role",
    status_code=204,
    responses={204: {"description": "No content"}, **_ERRORS},
    response_class=Response,
)
def delete_role(call: AuthenticatedCall, id: RoleId, aid: Aid = None) -> Response:
    """Deletes a user-defined role using its ID. A role that users hold cannot be deleted until
    it is removed from them; built-in roles cannot be deleted."""
    call.svc.roles.delete_role(principal=call.caller, aid=aid, role_id=id, actor=call.actor)
    return Response(status_code=204)


@router.get(
    "/permissions",
    operation_id="getPermissions",
    tags=["Permissions"],
    name="get_permissions",
    summary="List assignable permissions",
    responses=_ok(wire.Permissions),
    response_class=Response,
)
async def get_permissions(call: AuthenticatedCall, aid: Aid = None) -> Response:
    """Retrieves all assignable permissions. Requires a role with management permissions."""
    permissions = call.svc.catalogue.list_permissions(principal=call.caller, aid=aid)
    return _json(
        call.request,
        {
            "permissions": [render.permission(p) for p in permissions],
            "_links": render.links(f"{call.base_url}{PREFIX}/permissions"),
        },
    )


ACCOUNT_GROUP_PATH = "/account-groups/{id}"
AccountGroupId = Annotated[
    str, Path(description="Identifier for the account group.", max_length=64)
]
AccountGroupBody = Annotated[wire.AccountGroupRequest, Body()]
Expand = Annotated[
    str | None,
    Query(
        description="Account group related resources to expand, comma-separated: `user`, "
        "`agent`. By default nothing is expanded.",
        max_length=MAX_EXPAND * len("agent,"),
        pattern=EXPAND_PATTERN,
    ),
]


def _expanded(expand: str | None) -> frozenset[str]:
    return frozenset(expand.split(",")) if expand else frozenset()


def _account_group_href(base: str, aid: int) -> str:
    return f"{base}{PREFIX}/account-groups/{aid}"


def _account_group_input(body: wire.AccountGroupRequest) -> AccountGroupInput:
    return AccountGroupInput(name=body.account_group_name, agent_ids=body.agents)


@router.post(
    "/account-groups",
    operation_id="createAccountGroup",
    tags=["Account Groups"],
    name="create_account_group",
    summary="Create account group",
    status_code=201,
    responses=_ok(wire.CreatedAccountGroup, 201, "Created", body=True),
    response_class=Response,
)
def create_account_group(
    call: AuthenticatedCall, body: AccountGroupBody, expand: Expand = None
) -> Response:
    """Creates a new account group. Requires `Edit all account groups`. Users with roles in all
    account groups hold them in the new group at once."""
    view = call.svc.account_groups.create_account_group(
        principal=call.caller,
        data=_account_group_input(body),
        actor=call.actor,
        with_members="user" in _expanded(expand),
    )
    href = _account_group_href(call.base_url, view.group.aid)
    body_json = render.created_account_group(view, href)
    return _json(call.request, body_json, 201, Location=href)


@router.get(
    ACCOUNT_GROUP_PATH,
    operation_id="getAccountGroup",
    tags=["Account Groups"],
    name="get_account_group",
    summary="Retrieve account group",
    responses=_ok(wire.AccountGroupDetail),
    response_class=Response,
)
async def get_account_group(
    call: AuthenticatedCall, id: AccountGroupId, expand: Expand = None
) -> Response:
    """Retrieves detailed information about an account group. Requires `View all account
    groups settings`."""
    expanded = _expanded(expand)
    view = call.svc.account_groups.get_account_group(
        principal=call.caller, group_id=id, with_members="user" in expanded
    )
    return _account_group_json(call, view, expanded)


@router.put(
    ACCOUNT_GROUP_PATH,
    operation_id="updateAccountGroup",
    tags=["Account Groups"],
    name="update_account_group",
    summary="Update account group",
    responses=_ok(wire.AccountGroupDetail, body=True),
    response_class=Response,
)
def update_account_group(
    call: AuthenticatedCall, id: AccountGroupId, body: AccountGroupBody, expand: Expand = None
) -> Response:
    """Updates an account group: its name, or the full list of agents assigned to it (rosterd
    keeps no agents, so that list must be empty). Requires `Edit all account groups`."""
    expanded = _expanded(expand)
    view = call.svc.account_groups.update_account_group(
        principal=call.caller,
        group_id=id,
        data=_account_group_input(body),
        actor=call.actor,
        with_members="user" in expanded,
    )
    return _account_group_json(call, view, expanded)


def _account_group_json(
    call: ApiCall[Services], view: AccountGroupView, expanded: frozenset[str]
) -> Response:
    href = _account_group_href(call.base_url, view.group.aid)
    detail = render.account_group_detail(view, href, with_agents="agent" in expanded)
    return _json(call.request, detail)


@router.delete(
    ACCOUNT_GROUP_PATH,
    operation_id="deleteAccountGroup",
    tags=["Account Groups"],
    name="delete_account_group",
    summary="Delete account group",
    status_code=204,
    responses={204: {"description": "No content"}, **_ERRORS},
    response_class=Response,
)
def delete_account_group(call: AuthenticatedCall, id: AccountGroupId) -> Response:
    """Deletes an account group. Requires `Assign management permissions`, `Delete account`
    and `Edit all account groups`. The organization's default account group, the one the call
    acts in, and one some user has their only roles in are kept."""
    call.svc.account_groups.delete_account_group(
        principal=call.caller, group_id=id, actor=call.actor
    )
    return Response(status_code=204)


Window = Annotated[
    str | None,
    Query(
        description="A time interval up to now: a number and an optional unit, `s` (the "
        "default), `m`, `h`, `d` or `w`. Not with `startDate` or `endDate`.",
        max_length=16,
        pattern=activity.WINDOW_PATTERN,
        examples=["12h"],
    ),
]
StartDate = Annotated[
    wire.IsoDateTime | None,
    Query(alias="startDate", description="The start of the range, ISO 8601 (UTC)."),
]
EndDate = Annotated[
    wire.IsoDateTime | None,
    Query(alias="endDate", description="The end of the range, ISO 8601 (UTC); default now."),
]
UseAllPermittedAids = Annotated[
    bool,
    Query(
        alias="useAllPermittedAids",
        description="Events of every account group the caller may view the activity log in.",
    ),
]
Cursor = Annotated[
    str | None,
    Query(description="Opaque: follow `_links.next` rather than building it.", max_length=256),
]


@router.get(
    "/audit-user-events",
    operation_id="getUserEvents",
    tags=["User Events"],
    name="get_user_events",
    summary="List activity log events",
    responses=_ok(wire.AuditUserEvents),
    response_class=Response,
)
async def get_user_events(
    call: AuthenticatedCall,
    aid: Aid = None,
    use_all_permitted_aids: UseAllPermittedAids = False,
    window: Window = None,
    start_date: StartDate = None,
    end_date: EndDate = None,
    cursor: Cursor = None,
) -> Response:
    """Returns the activity log events of the current account group, oldest first, 100 a page.
    Requires `View activity log`; with `useAllPermittedAids=true`, the events of every account
    group the caller holds it in."""
    period = activity.time_range(window, start_date, end_date)
    query = activity.activity_query(
        aid=aid, all_permitted=use_all_permitted_aids, period=period, cursor=cursor
    )
    page = call.svc.audit_log.list_activity(principal=call.caller, query=query)
    href = f"{call.base_url}{PREFIX}/audit-user-events"
    body: dict[str, Any] = {"auditEvents": [render.user_event(e, page) for e in page.events]}
    # The range as resolved, when one was asked for (a window or a start ends now).
    if period.start is not None:
        body["startDate"] = render.timestamp(period.start)
    if period.end is not None:
        body["endDate"] = render.timestamp(period.end)
    query_string = call.request.url.query
    body["_links"] = {"self": {"href": f"{href}?{query_string}" if query_string else href}}
    if page.has_more:
        body["_links"]["next"] = {"href": f"{href}?{activity.next_query(query, page.events[-1])}"}
    return _json(call.request, body)


# Every endpoint a token's permissions can name.
ENDPOINTS: Final = endpoint_catalogue(PREFIX, router.routes)


# The OpenAPI document

_COUNTERS = {
    "X-Organization-Rate-Limit-Limit": "Requests the organization may make per minute.",
    "X-Organization-Rate-Limit-Remaining": "Requests left in the current window.",
    "X-Organization-Rate-Limit-Reset": "When the window rolls over, in epoch seconds.",
}


def _header(description: str, schema: dict[str, Any], *, required: bool) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": schema}


def _counter(name: str, *, required: bool) -> dict[str, Any]:
    return _header(_COUNTERS[name], {"type": "integer", "minimum": 0}, required=required)


# Shared by reference; the counters are there once the caller is known and limits are on.
_SHARED_HEADERS = {
    "X-Request-Id": _header(
        "The request's id, as logged.", {"type": "string", "minLength": 1}, required=True
    ),
} | {name: _counter(name, required=False) for name in _COUNTERS}


def _headers(status: str) -> dict[str, Any]:
    headers: dict[str, Any] = {
        name: {"$ref": f"#/components/headers/{name}"} for name in _SHARED_HEADERS
    }
    if status == "201":
        headers["Location"] = _header(
            "The absolute URL of the created resource.",
            {"type": "string", "format": "uri"},
            required=True,
        )
    elif status == "401":
        headers["WWW-Authenticate"] = _header(
            "The bearer challenge.",
            {"type": "string", "const": UNAUTHORIZED_CHALLENGE},
            required=True,
        )
    elif status == "429":
        headers |= {name: _counter(name, required=True) for name in _COUNTERS}
        headers["Retry-After"] = _header(
            "Seconds until the window rolls over.", {"type": "integer", "minimum": 1}, required=True
        )
    return headers


def describe(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's document for this dialect, corrected to say exactly what the handlers send.

    FastAPI files every model under application/json and adds a 422 that this dialect never
    sends (bad input is a 400). Here successes are hal+json or json (as the Accept header asks)
    and failures problem+json, each with the headers it carries; a create must name the user.
    """
    for item in document["paths"].values():
        for operation in item.values():
            responses = operation["responses"]
            responses.pop("422", None)
            for status, response in responses.items():
                media = (HAL_JSON, "application/json") if status < "300" else (PROBLEM_JSON,)
                schemas = [
                    c["schema"] for c in response.get("content", {}).values() if "schema" in c
                ]
                if schemas:
                    response["content"] = {m: {"schema": schemas[0]} for m in media}
                response["headers"] = _headers(status)
    document["components"]["headers"] = _SHARED_HEADERS
    create = document["paths"]["/users"]["post"]["requestBody"]["content"]["application/json"]
    strings = {"name": {"type": "string"}, "email": {"type": "string"}}
    create["schema"] = {
        "allOf": [create["schema"], {"properties": strings}],
        "required": list(strings),
    }
    for (path, method, status), links in _LINKS.items():
        document["paths"][path][method]["responses"][status]["links"] = links
    _describe_expand(document)
    return document


def _describe_expand(document: dict[str, Any]) -> None:
    """`expand` as the vendor documents it: an array sent comma-separated (FastAPI would read
    an array from repeated parameters, so the handlers take the text and split it)."""
    for item in document["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "expand":
                    parameter.update(style="form", explode=False)
                    parameter["schema"] = {
                        "type": "array",
                        "items": {"type": "string", "enum": ["user", "agent"]},
                        "maxItems": MAX_EXPAND,
                    }


def _user_links(uid: str) -> dict[str, Any]:
    return {
        f"{verb}User": {"operationId": f"{verb.lower()}User", "parameters": {"path.id": uid}}
        for verb in ("Get", "Update", "Delete")
    }


_AID = "$response.body#/accountGroups/0/aid"


def _account_group_links(aid: str) -> dict[str, Any]:
    return {
        f"{verb}AccountGroup": {
            "operationId": f"{verb.lower()}AccountGroup",
            "parameters": {"path.id": aid},
        }
        for verb in ("Get", "Update", "Delete")
    }


# OpenAPI links: where user and account-group ids come from, for clients and stateful fuzzing.
_LINKS: dict[tuple[str, str, str], dict[str, Any]] = {
    ("/account-groups", "get", "200"): {
        "ListUsers": {"operationId": "getUsers", "parameters": {"query.aid": _AID}},
        "CreateUser": {"operationId": "createUser", "parameters": {"query.aid": _AID}},
        "ListUserEvents": {"operationId": "getUserEvents", "parameters": {"query.aid": _AID}},
    }
    | _account_group_links(_AID),
    ("/account-groups", "post", "201"): _account_group_links("$response.body#/aid"),
    ("/users", "post", "201"): _user_links("$response.body#/uid"),
    ("/users", "get", "200"): _user_links("$response.body#/users/0/uid"),
}
