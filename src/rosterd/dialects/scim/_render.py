"""Core entities → SCIM resources, list responses and errors.

A provisioned user is shown as its client sent it (the attributes it stored), with the id, the
groups and the meta the server keeps. A user brought into the integration some other way (an
import) has no SCIM attributes: it shows its userName as its email, its displayName, one primary
email, and its status, title, department and external id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final

from scim2_models import Context, Resource, ResponseParameters, SearchRequest

from rosterd.core.entities import DirectoryGroup, ProvisionedUser, User
from rosterd.core.provisioning import group_version, user_version
from rosterd.dialects.scim._wire import (
    ENTERPRISE_SCHEMA,
    GROUP_SCHEMA,
    PROVIDER,
    USER_SCHEMA,
    GroupModel,
    UserModel,
)

JSON = dict[str, Any]
LIST_RESPONSE: Final = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def etag(version: str) -> str:
    return f'W/"{version}"'


def user_location(base: str, user_id: object) -> str:
    return f"{base}/Users/{user_id}"


def group_location(base: str, group_id: object) -> str:
    return f"{base}/Groups/{group_id}"


def _imported(user: User) -> JSON:
    """What a user without SCIM attributes shows."""
    data: JSON = {
        "userName": user.email,
        "displayName": user.name,
        "emails": [{"value": user.email, "primary": True}],
        "active": user.active,
    }
    if user.external_id:
        data["externalId"] = user.external_id
    if user.job_title:
        data["title"] = user.job_title
    if user.department:
        data[ENTERPRISE_SCHEMA] = {"department": user.department}
    return data


def _groups(value: ProvisionedUser, base: str) -> list[JSON]:
    return [
        {
            "value": str(g.id),
            "$ref": group_location(base, g.id),
            "display": g.display_name,
            "type": "direct",
        }
        for g in value.groups
    ]


def user_document(value: ProvisionedUser, base: str) -> JSON:
    user = value.user
    data = dict(value.attributes) if value.attributes is not None else _imported(user)
    schemas = [USER_SCHEMA] + ([ENTERPRISE_SCHEMA] if data.get(ENTERPRISE_SCHEMA) else [])
    document: JSON = {"schemas": schemas, "id": str(user.id), **data}
    if value.groups:
        document["groups"] = _groups(value, base)
    document["meta"] = {
        "resourceType": "User",
        "created": timestamp(user.created_at),
        "lastModified": timestamp(user.updated_at),
        "location": user_location(base, user.id),
        "version": etag(user_version(value)),
    }
    return document


def group_document(value: DirectoryGroup, base: str) -> JSON:
    document: JSON = {
        "schemas": [GROUP_SCHEMA],
        "id": str(value.uuid),
        "displayName": value.display_name,
    }
    if value.external_id:
        document["externalId"] = value.external_id
    if value.members:
        document["members"] = [
            {"value": str(m.user_id), "$ref": user_location(base, m.user_id), "type": "User"}
            | ({"display": m.display} if m.display is not None else {})
            for m in value.members
        ]
    document["meta"] = {
        "resourceType": "Group",
        "created": timestamp(value.created_at),
        "lastModified": timestamp(value.updated_at),
        "location": group_location(base, value.uuid),
        "version": etag(group_version(value)),
    }
    return document


def user_response(
    value: ProvisionedUser,
    base: str,
    parameters: ResponseParameters[Any] | None = None,
    version: str | None = None,
) -> JSON:
    """What `dump(user_resource(value, base), parameters)` gives, made directly (without the
    models' validation and serialization, three quarters of a GET's rendering) for a user without
    SCIM attributes when no `attributes`/`excludedAttributes` narrow it. `version`: the user's
    `user_version`, when the caller has it already."""
    narrowed = parameters is not None and (parameters.attributes or parameters.excluded_attributes)
    if value.attributes is None and not narrowed:
        document = _imported_response(value, base, version or user_version(value))
        if document is not None:
            return document
    return dump(user_resource(value, base), parameters)


def _imported_response(value: ProvisionedUser, base: str, version: str) -> JSON | None:
    """`_imported`'s document as the User model dumps it in a query response: its attributes in
    the schema's order, meta's times as pydantic writes them. None for times the model refuses."""
    user = value.user
    created, modified = _model_time(user.created_at), _model_time(user.updated_at)
    if created is None or modified is None:
        return None
    document: JSON = {
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA] if user.department else [USER_SCHEMA],
        "id": str(user.id),
    }
    if user.external_id:
        document["externalId"] = user.external_id
    document["meta"] = {
        "resourceType": "User",
        "created": created,
        "lastModified": modified,
        "location": user_location(base, user.id),
        "version": etag(version),
    }
    document["userName"] = user.email
    document["displayName"] = user.name
    if user.job_title:
        document["title"] = user.job_title
    document["active"] = user.active
    document["emails"] = [{"value": user.email, "primary": True}]
    if value.groups:
        document["groups"] = _groups(value, base)
    if user.department:
        document[ENTERPRISE_SCHEMA] = {"department": user.department}
    return document


def _model_time(value: datetime) -> str | None:
    """A `timestamp` as the models read and write it back: in UTC, microseconds only when there
    are some; None for a year before 1000, whose `timestamp` they refuse."""
    value = value.astimezone(UTC)
    if value.year < 1000:
        return None
    whole = f"{value:%Y-%m-%dT%H:%M:%S}"
    return f"{whole}.{value.microsecond:06d}Z" if value.microsecond else f"{whole}Z"


def user_resource(value: ProvisionedUser, base: str) -> Resource[Any]:
    with PROVIDER:
        return UserModel.model_validate(user_document(value, base))


def group_resource(value: DirectoryGroup, base: str) -> Resource[Any]:
    with PROVIDER:
        return GroupModel.model_validate(group_document(value, base))


def dump(
    resource: Resource[Any],
    parameters: ResponseParameters[Any] | SearchRequest[Any] | None = None,
    context: Context = Context.RESOURCE_QUERY_RESPONSE,
) -> JSON:
    """A resource as a response carries it, with `attributes` / `excludedAttributes` applied."""
    with PROVIDER:
        if parameters is None:
            return dict(resource.model_dump(scim_ctx=context))
        return dict(resource.model_dump(scim_ctx=context, response_parameters=parameters))


def list_response(
    resources: Iterable[Resource[Any]],
    *,
    total: int,
    start_index: int,
    parameters: ResponseParameters[Any] | SearchRequest[Any] | None,
) -> JSON:
    return listing([dump(r, parameters) for r in resources], total=total, start_index=start_index)


def listing(dumped: list[JSON], *, total: int, start_index: int = 1) -> JSON:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(dumped),
        "Resources": dumped,
    }
