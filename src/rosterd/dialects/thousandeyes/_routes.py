"""/v7 routes: parse the vendor request, make one core call, render the vendor response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request, Response
from fastapi.responses import JSONResponse

from rosterd.core.access import default_account_group
from rosterd.core.users import AccountGroupRolesInput, UserInput
from rosterd.dialects.thousandeyes import _render as render
from rosterd.dialects.thousandeyes import _wire as wire
from rosterd.dialects.thousandeyes._deps import ActorDep, Aid, BaseUrl, Caller, ServicesDep
from rosterd.dialects.thousandeyes._errors import PROBLEM_JSON

PREFIX = "/v7"
HAL_JSON = "application/hal+json"


def _error(model: type[Any], description: str) -> dict[str, Any]:
    return {"model": model, "description": description, "content": {PROBLEM_JSON: {}}}


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error(wire.ValidationError, "Bad Request"),
    401: _error(wire.UnauthorizedError, "Unauthorized"),
    403: _error(wire.Error, "Insufficient permissions to query endpoint"),
    404: _error(wire.Error, "Not found"),
    429: _error(wire.Error, "Exhausted rate limit for the organization"),
    500: _error(wire.Error, "Internal server error"),
}


def _ok(model: type[Any], status: int = 200, description: str = "OK") -> dict[int | str, Any]:
    content: dict[str, Any] = {HAL_JSON: {}, "application/json": {}}
    return {status: {"model": model, "description": description, "content": content}, **_ERRORS}


router = APIRouter()
UserId = Annotated[str, Path(description="Identifier for the user.", max_length=64)]
UserBody = Annotated[wire.UserRequest, Body()]


def _json(request: Request, body: Any, status: int = 200, **headers: str) -> JSONResponse:
    accept = request.headers.get("accept", "")
    media = HAL_JSON if HAL_JSON in accept else "application/json"
    return JSONResponse(body, status_code=status, media_type=media, headers=headers or None)


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
    name="get_users",
    summary="List users",
    responses=_ok(wire.Users),
    response_class=Response,
)
def get_users(
    request: Request, svc: ServicesDep, caller: Caller, base: BaseUrl, aid: Aid = None
) -> Response:
    listing = svc.users.list_users(principal=caller, aid=aid)
    users = [render.extended_user(u, listing.account_groups) for u in listing.users]
    return _json(request, {"users": users, "_links": render.links(f"{base}{PREFIX}/users")})


@router.post(
    "/users",
    name="create_user",
    summary="Create user",
    status_code=201,
    responses=_ok(wire.CreatedUser, 201, "Created"),
    response_class=Response,
)
def create_user(
    request: Request,
    svc: ServicesDep,
    caller: Caller,
    actor: ActorDep,
    base: BaseUrl,
    body: UserBody,
    aid: Aid = None,
) -> Response:
    view = svc.users.create_user(principal=caller, aid=aid, data=_user_input(body), actor=actor)
    href = _user_href(base, view.user.uid)
    return _json(request, render.created_user(view, href), 201, Location=href)


@router.get(
    "/users/current",
    name="get_current_user",
    summary="Retrieve current user",
    responses=_ok(wire.UserDetail),
    response_class=Response,
)
def get_current_user(request: Request, svc: ServicesDep, caller: Caller, base: BaseUrl) -> Response:
    view = svc.users.get_current_user(principal=caller)
    return _json(request, render.user_detail(view, _user_href(base, view.user.uid)))


@router.get(
    "/users/{id}",
    name="get_user",
    summary="Retrieve user",
    responses=_ok(wire.UserDetail),
    response_class=Response,
)
def get_user(
    request: Request,
    svc: ServicesDep,
    caller: Caller,
    base: BaseUrl,
    id: UserId,
    aid: Aid = None,
) -> Response:
    view = svc.users.get_user(principal=caller, aid=aid, user_id=id)
    return _json(request, render.user_detail(view, _user_href(base, view.user.uid)))


@router.put(
    "/users/{id}",
    name="update_user",
    summary="Update user",
    responses=_ok(wire.UserDetail),
    response_class=Response,
)
def update_user(
    request: Request,
    svc: ServicesDep,
    caller: Caller,
    actor: ActorDep,
    base: BaseUrl,
    id: UserId,
    body: UserBody,
    aid: Aid = None,
) -> Response:
    view = svc.users.update_user(
        principal=caller, aid=aid, user_id=id, data=_user_input(body), actor=actor
    )
    return _json(request, render.user_detail(view, _user_href(base, view.user.uid)))


@router.delete(
    "/users/{id}",
    name="delete_user",
    summary="Delete user",
    status_code=204,
    responses={204: {"description": "No content"}, **_ERRORS},
    response_class=Response,
)
def delete_user(
    svc: ServicesDep, caller: Caller, actor: ActorDep, id: UserId, aid: Aid = None
) -> Response:
    svc.users.delete_user(principal=caller, aid=aid, user_id=id, actor=actor)
    return Response(status_code=204)


@router.get(
    "/account-groups",
    name="get_account_groups",
    summary="List account groups",
    responses=_ok(wire.AccountGroups),
    response_class=Response,
)
def get_account_groups(
    request: Request, svc: ServicesDep, caller: Caller, base: BaseUrl
) -> Response:
    ctx = svc.catalogue.list_account_groups(principal=caller)
    default = default_account_group(caller.user.login_account_group_id, ctx.account_groups)
    groups = [
        render.account_group_info(g, caller.org, current=ctx.account_group, default=default)
        for g in ctx.available_account_groups()
    ]
    return _json(
        request, {"accountGroups": groups, "_links": render.links(f"{base}{PREFIX}/account-groups")}
    )


@router.get(
    "/roles",
    name="get_roles",
    summary="List roles",
    responses=_ok(wire.Roles),
    response_class=Response,
)
def get_roles(
    request: Request, svc: ServicesDep, caller: Caller, base: BaseUrl, aid: Aid = None
) -> Response:
    roles = svc.catalogue.list_roles(principal=caller, aid=aid)
    return _json(
        request,
        {"roles": [render.role(r) for r in roles], "_links": render.links(f"{base}{PREFIX}/roles")},
    )


@router.get(
    "/permissions",
    name="get_permissions",
    summary="List assignable permissions",
    responses=_ok(wire.Permissions),
    response_class=Response,
)
def get_permissions(
    request: Request, svc: ServicesDep, caller: Caller, base: BaseUrl, aid: Aid = None
) -> Response:
    permissions = svc.catalogue.list_permissions(principal=caller, aid=aid)
    return _json(
        request,
        {
            "permissions": [render.permission(p) for p in permissions],
            "_links": render.links(f"{base}{PREFIX}/permissions"),
        },
    )
