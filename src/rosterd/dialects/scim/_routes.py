"""/api/v1/scim routes: read the SCIM request, make one core call, write the SCIM response.

Bounded reads are `async def`: they run the (synchronous) core call on the event loop, which costs
less than a worker-thread hop. Writes, which may wait for the database's write lock, and reads of
unbounded size stay plain `def`, in the thread pool, so that they never stall the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from fastapi import APIRouter, Request, Response
from scim2_models import (
    Context,
    ForbiddenException,
    InvalidSyntaxException,
    Meta,
    NotFoundException,
    NotImplementedException,
    Resource,
    ResponseParameters,
    SearchRequest,
)

from rosterd.core.entities import DirectoryGroup, Integration, ProvisionedUser
from rosterd.core.errors import PreconditionFailed
from rosterd.core.groups import GroupRecord, GroupResults
from rosterd.core.ports import GroupQuery, ProvisionedUserQuery
from rosterd.core.provisioning import UserRecord, UserResults, group_version, user_version
from rosterd.dialects.scim import _limits as limits
from rosterd.dialects.scim import _render as render
from rosterd.dialects.scim import _search as search
from rosterd.dialects.scim import _wire as wire
from rosterd.dialects.scim._deps import (
    AuthenticatedCall,
    Body,
    Conditions,
    ConditionsDep,
    ScimServices,
)
from rosterd.server.binding import BoundRoute
from rosterd.server.responses import JSONResponse

_RESPONSE_PARAMETERS: Final = ("attributes", "excludedAttributes")
_MAX_START: Final = 2**53
_SEARCH_PARAMETERS: Final = (
    *_RESPONSE_PARAMETERS,
    "filter",
    "sortBy",
    "sortOrder",
    "startIndex",
    "count",
)
router = APIRouter(route_class=BoundRoute)


def respond(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(content, status_code=status, headers=headers, media_type=wire.MEDIA_TYPE)


def _query(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    params = request.query_params
    return {name: wire.query_value(name, params[name]) for name in names if name in params}


def _response_parameters(request: Request, model: Any) -> ResponseParameters[Any]:
    return wire.read_response_parameters(model, _query(request, _RESPONSE_PARAMETERS))


def _search_body(body: bytes) -> dict[str, Any]:
    payload = wire.decode(body)
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail="The body must be a SearchRequest object")
    return payload


def _single(
    resource: Resource[Any],
    parameters: ResponseParameters[Any],
    version: str,
    *,
    status: int = 200,
    context: Context = Context.RESOURCE_QUERY_RESPONSE,
) -> JSONResponse:
    headers = {"ETag": render.etag(version)}
    if status == 201:
        assert resource.meta is not None
        assert resource.meta.location is not None
        headers["Location"] = resource.meta.location
    return respond(render.dump(resource, parameters, context), status, headers)


def _read_condition(conditions: Conditions, version: str) -> Response | None:
    """A GET's answer to its conditional headers: 412, 304, or None to go ahead."""
    if conditions.if_match is not None and not conditions.allows_change(version):
        raise PreconditionFailed("The resource changed: its version does not match If-Match")
    if conditions.not_modified(version):
        return Response(status_code=304, headers={"ETag": render.etag(version)})
    return None


# discovery


def _no_filter(request: Request) -> None:
    # RFC 7644 §4: discovery endpoints answer a filter with 403.
    if "filter" in request.query_params:
        raise ForbiddenException(detail="Discovery endpoints do not support filtering")


def _discovery(resource: Any, resource_type: str, location: str) -> dict[str, Any]:
    located = resource.model_copy(
        update={"meta": Meta(resource_type=resource_type, location=location)}
    )
    return dict(located.model_dump())


@router.get("/ServiceProviderConfig", name="get_service_provider_config")
async def get_service_provider_config(call: AuthenticatedCall) -> JSONResponse:
    _no_filter(call.request)
    location = f"{call.base_url}/ServiceProviderConfig"
    document = _discovery(wire.SERVICE_PROVIDER_CONFIG, "ServiceProviderConfig", location)
    return respond(document, headers={"Content-Location": location})


@router.get("/ResourceTypes", name="list_resource_types")
async def list_resource_types(call: AuthenticatedCall) -> JSONResponse:
    _no_filter(call.request)
    found = [
        _discovery(r, "ResourceType", f"{call.base_url}/ResourceTypes/{r.id}")
        for r in wire.RESOURCE_TYPES
    ]
    return respond(_listing(found))


@router.get("/ResourceTypes/{resource_type_id}", name="get_resource_type")
async def get_resource_type(call: AuthenticatedCall, resource_type_id: str) -> JSONResponse:
    _no_filter(call.request)
    for found in wire.RESOURCE_TYPES:
        if found.id == resource_type_id:
            location = f"{call.base_url}/ResourceTypes/{found.id}"
            return respond(_discovery(found, "ResourceType", location))
    raise NotFoundException(detail=f"No resource type {resource_type_id!r}")


@router.get("/Schemas", name="list_schemas")
async def list_schemas(call: AuthenticatedCall) -> JSONResponse:
    _no_filter(call.request)
    found = [_discovery(s, "Schema", f"{call.base_url}/Schemas/{s.id}") for s in wire.SCHEMAS]
    return respond(_listing(found))


@router.get("/Schemas/{schema_id}", name="get_schema")
async def get_schema(call: AuthenticatedCall, schema_id: str) -> JSONResponse:
    _no_filter(call.request)
    for found in wire.SCHEMAS:
        if found.id == schema_id:
            return respond(_discovery(found, "Schema", f"{call.base_url}/Schemas/{found.id}"))
    raise NotFoundException(detail=f"No schema {schema_id!r}")


def _listing(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return render.listing(resources, total=len(resources))


Page = Callable[[int, int | None], tuple[int, list[Resource[Any]]]]
Candidates = Callable[[search.Narrowing], list[Resource[Any]]]


def _searched(
    request: SearchRequest[Any], page: Page | None, candidates: Candidates
) -> dict[str, Any]:
    """A plain listing is paged by the database (`page`); a filter or a sort is evaluated in
    Python over the candidates the filter narrows to."""
    start = request.start_index or 1
    if page is not None and request.filter is None and request.sort_by is None:
        # Beyond any possible row, only the total is read (and no offset overflows a driver).
        beyond = start > _MAX_START
        total, found = page(0 if beyond else start - 1, 0 if beyond else request.count)
    else:
        narrowed = search.narrowing(request.filter)
        everything = [] if narrowed.impossible else candidates(narrowed)
        total, found = search.evaluate(everything, request)
    return render.list_response(found, total=total, start_index=start, parameters=request)


# users


def _search_users(
    svc: ScimServices, caller: Integration, base: str, request: SearchRequest[Any]
) -> dict[str, Any]:
    def listed(query: ProvisionedUserQuery, offset: int, limit: int | None) -> UserResults:
        return svc.provisioning.list_users(
            integration=caller, query=query, offset=offset, limit=limit
        )

    def page(offset: int, limit: int | None) -> tuple[int, list[Resource[Any]]]:
        found = listed(ProvisionedUserQuery(), offset, limit)
        return found.total, [render.user_resource(u, base) for u in found.users]

    def candidates(narrowed: search.Narrowing) -> list[Resource[Any]]:
        return [render.user_resource(u, base) for u in listed(narrowed.users, 0, None).users]

    return _searched(request, page, candidates)


@router.get("/Users", name="list_users")
async def list_users(call: AuthenticatedCall) -> JSONResponse:
    found = wire.read_search(wire.UserModel, _query(call.request, _SEARCH_PARAMETERS))
    return respond(_search_users(call.svc, call.integration, call.base_url, found))


@router.post("/Users/.search", name="search_users")
async def search_users(call: AuthenticatedCall, body: Body) -> JSONResponse:
    found = wire.read_search(wire.UserModel, _search_body(body))
    return respond(_search_users(call.svc, call.integration, call.base_url, found))


@router.post("/Users", name="create_user", status_code=201)
def create_user(call: AuthenticatedCall, body: Body) -> JSONResponse:
    parameters = _response_parameters(call.request, wire.UserModel)
    resource = wire.read(wire.UserModel, body, Context.RESOURCE_CREATION_REQUEST)
    created = call.svc.provisioning.create_user(
        integration=call.integration, data=wire.user_record(resource), actor=call.actor
    )
    return _single(
        render.user_resource(created, call.base_url),
        parameters,
        user_version(created),
        status=201,
        context=Context.RESOURCE_CREATION_RESPONSE,
    )


@router.get("/Users/{user_id}", name="get_user")
async def get_user(call: AuthenticatedCall, user_id: str, conditions: ConditionsDep) -> Response:
    parameters = _response_parameters(call.request, wire.UserModel)
    found = call.svc.provisioning.get_user(integration=call.integration, user_id=user_id)
    version = user_version(found)
    if (answer := _read_condition(conditions, version)) is not None:
        return answer
    headers = {"ETag": render.etag(version)}
    return respond(render.user_response(found, call.base_url, parameters, version), headers=headers)


@router.put("/Users/{user_id}", name="replace_user")
def replace_user(
    call: AuthenticatedCall, user_id: str, body: Body, conditions: ConditionsDep
) -> JSONResponse:
    parameters = _response_parameters(call.request, wire.UserModel)
    replacement = wire.read(wire.UserModel, body, Context.RESOURCE_REPLACEMENT_REQUEST)

    def change(current: ProvisionedUser) -> UserRecord | None:
        with wire.PROVIDER:
            differs = replacement.replace(render.user_resource(current, call.base_url))
        return wire.user_record(replacement) if differs else None

    changed = call.svc.provisioning.change_user(
        integration=call.integration,
        user_id=user_id,
        change=change,
        precondition=conditions.precondition,
        actor=call.actor,
    )
    return _single(
        render.user_resource(changed, call.base_url),
        parameters,
        user_version(changed),
        context=Context.RESOURCE_REPLACEMENT_RESPONSE,
    )


@router.patch("/Users/{user_id}", name="modify_user")
def modify_user(
    call: AuthenticatedCall, user_id: str, body: Body, conditions: ConditionsDep
) -> JSONResponse:
    parameters = _response_parameters(call.request, wire.UserModel)
    patch = wire.read_patch(wire.UserModel, body)
    limits.check_evaluated_patch(patch)

    def change(current: ProvisionedUser) -> UserRecord | None:
        resource = render.user_resource(current, call.base_url)
        with wire.PROVIDER:
            changed = patch.patch(resource)
        return wire.user_record(resource) if changed else None

    changed = call.svc.provisioning.change_user(
        integration=call.integration,
        user_id=user_id,
        change=change,
        precondition=conditions.precondition,
        actor=call.actor,
    )
    return _single(
        render.user_resource(changed, call.base_url),
        parameters,
        user_version(changed),
        context=Context.RESOURCE_PATCH_RESPONSE,
    )


@router.delete("/Users/{user_id}", name="delete_user", status_code=204)
def delete_user(call: AuthenticatedCall, user_id: str, conditions: ConditionsDep) -> Response:
    call.svc.provisioning.archive_user(
        integration=call.integration,
        user_id=user_id,
        precondition=conditions.precondition,
        actor=call.actor,
    )
    return Response(status_code=204)


# groups


def _search_groups(
    svc: ScimServices, caller: Integration, base: str, request: SearchRequest[Any]
) -> dict[str, Any]:
    def listed(query: GroupQuery, offset: int, limit: int | None, members: bool) -> GroupResults:
        return svc.groups.list_groups(
            integration=caller, query=query, offset=offset, limit=limit, with_members=members
        )

    def page(offset: int, limit: int | None) -> tuple[int, list[Resource[Any]]]:
        # Members are read only when the response shows them.
        found = listed(GroupQuery(), offset, limit, search.returns(request, "members"))
        return found.total, [render.group_resource(g, base) for g in found.groups]

    def candidates(narrowed: search.Narrowing) -> list[Resource[Any]]:
        found = listed(narrowed.groups, 0, None, True).groups
        return [render.group_resource(g, base) for g in found]

    return _searched(request, page, candidates)


@router.get("/Groups", name="list_groups")
async def list_groups(call: AuthenticatedCall) -> JSONResponse:
    found = wire.read_search(wire.GroupModel, _query(call.request, _SEARCH_PARAMETERS))
    return respond(_search_groups(call.svc, call.integration, call.base_url, found))


@router.post("/Groups/.search", name="search_groups")
async def search_groups(call: AuthenticatedCall, body: Body) -> JSONResponse:
    found = wire.read_search(wire.GroupModel, _search_body(body))
    return respond(_search_groups(call.svc, call.integration, call.base_url, found))


@router.post("/Groups", name="create_group", status_code=201)
def create_group(call: AuthenticatedCall, body: Body) -> JSONResponse:
    parameters = _response_parameters(call.request, wire.GroupModel)
    resource = wire.read(wire.GroupModel, body, Context.RESOURCE_CREATION_REQUEST)
    created = call.svc.groups.create_group(
        integration=call.integration, data=wire.group_record(resource), actor=call.actor
    )
    return _single(
        render.group_resource(created, call.base_url),
        parameters,
        group_version(created),
        status=201,
        context=Context.RESOURCE_CREATION_RESPONSE,
    )


@router.get("/Groups/{group_id}", name="get_group")
async def get_group(call: AuthenticatedCall, group_id: str, conditions: ConditionsDep) -> Response:
    parameters = _response_parameters(call.request, wire.GroupModel)
    found = call.svc.groups.get_group(
        integration=call.integration,
        group_id=group_id,
        with_members=search.returns(parameters, "members"),
    )
    version = group_version(found)
    if (answer := _read_condition(conditions, version)) is not None:
        return answer
    return _single(render.group_resource(found, call.base_url), parameters, version)


@router.put("/Groups/{group_id}", name="replace_group")
def replace_group(
    call: AuthenticatedCall, group_id: str, body: Body, conditions: ConditionsDep
) -> JSONResponse:
    parameters = _response_parameters(call.request, wire.GroupModel)
    replacement = wire.read(wire.GroupModel, body, Context.RESOURCE_REPLACEMENT_REQUEST)

    def change(current: DirectoryGroup) -> GroupRecord | None:
        with wire.PROVIDER:
            differs = replacement.replace(render.group_resource(current, call.base_url))
        return wire.group_record(replacement) if differs else None

    changed = call.svc.groups.change_group(
        integration=call.integration,
        group_id=group_id,
        change=change,
        precondition=conditions.precondition,
        actor=call.actor,
    )
    return _single(
        render.group_resource(changed, call.base_url),
        parameters,
        group_version(changed),
        context=Context.RESOURCE_REPLACEMENT_RESPONSE,
    )


@router.patch("/Groups/{group_id}", name="modify_group")
def modify_group(
    call: AuthenticatedCall, group_id: str, body: Body, conditions: ConditionsDep
) -> Response:
    """Answers 204 unless the request names attributes to return (RFC 7644 §3.5.2): a group's
    members can be many, and membership changes come often."""
    parameters = _response_parameters(call.request, wire.GroupModel)
    patch = wire.read_patch(wire.GroupModel, body)
    precondition = conditions.precondition
    members = wire.member_changes(patch)
    if members is not None:
        changed = call.svc.groups.change_members(
            integration=call.integration,
            group_id=group_id,
            changes=members,
            precondition=precondition,
            actor=call.actor,
        )
    else:
        # Members added, or removed by id, are not evaluated; any other PATCH is.
        limits.check_evaluated_patch(patch)

        def change(current: DirectoryGroup) -> GroupRecord | None:
            resource = render.group_resource(current, call.base_url)
            with wire.PROVIDER:
                modified = patch.patch(resource)
            return wire.group_record(resource) if modified else None

        changed = call.svc.groups.change_group(
            integration=call.integration,
            group_id=group_id,
            change=change,
            precondition=precondition,
            actor=call.actor,
        )
    version = group_version(changed)
    if not parameters.attributes and not parameters.excluded_attributes:
        return Response(status_code=204, headers={"ETag": render.etag(version)})
    if changed.members is None and search.returns(parameters, "members"):
        changed = call.svc.groups.get_group(integration=call.integration, group_id=group_id)
    return _single(
        render.group_resource(changed, call.base_url),
        parameters,
        version,
        context=Context.RESOURCE_PATCH_RESPONSE,
    )


@router.delete("/Groups/{group_id}", name="delete_group", status_code=204)
def delete_group(call: AuthenticatedCall, group_id: str, conditions: ConditionsDep) -> Response:
    call.svc.groups.delete_group(
        integration=call.integration,
        group_id=group_id,
        precondition=conditions.precondition,
        actor=call.actor,
    )
    return Response(status_code=204)


# searching every resource type at once (RFC 7644 §3.4.2, §3.4.3)


def _search_all(
    svc: ScimServices, caller: Integration, base: str, request: SearchRequest[Any]
) -> dict[str, Any]:
    def candidates(narrowed: search.Narrowing) -> list[Resource[Any]]:
        users = svc.provisioning.list_users(integration=caller, query=narrowed.users).users
        groups = svc.groups.list_groups(integration=caller, query=narrowed.groups).groups
        return [render.user_resource(u, base) for u in users] + [
            render.group_resource(g, base) for g in groups
        ]

    return _searched(request, None, candidates)


@router.get("/", name="list_resources")
async def list_resources(call: AuthenticatedCall) -> JSONResponse:
    found = wire.read_search(wire.AnyModel, _query(call.request, _SEARCH_PARAMETERS))
    return respond(_search_all(call.svc, call.integration, call.base_url, found))


@router.post("/.search", name="search_resources")
async def search_resources(call: AuthenticatedCall, body: Body) -> JSONResponse:
    found = wire.read_search(wire.AnyModel, _search_body(body))
    return respond(_search_all(call.svc, call.integration, call.base_url, found))


# what rosterd does not offer


@router.api_route("/Me", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], name="me")
async def me(call: AuthenticatedCall) -> Response:
    raise NotImplementedException(
        detail="/Me is not supported: a SCIM token belongs to a directory integration, not a user"
    )


@router.post("/Bulk", name="bulk")
async def bulk(call: AuthenticatedCall) -> Response:
    raise NotImplementedException(detail="Bulk operations are not supported")
