"""SCIM 2.0 on the wire: what rosterd publishes about itself, and reading requests.

The schemas are RFC 7643's (as scim2-models writes them). The models that read every request and
write every response are built from the published schemas themselves, exactly as a client builds
them from discovery, so that what rosterd announces and what it does cannot drift apart.
"""

from __future__ import annotations

import json
from typing import Any, Final, Union, cast

from pydantic import ValidationError
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    Error,
    ETag,
    Filter,
    Group,
    InvalidFilterException,
    InvalidSyntaxException,
    InvalidValueException,
    Patch,
    PatchOp,
    PatchOperation,
    Resource,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    ScimPolicy,
    ScimProvider,
    SearchRequest,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_models.path import CompareOperator, Comparison

from rosterd.core.groups import GroupRecord, MemberChange, MemberRecord
from rosterd.core.provisioning import UserRecord
from rosterd.dialects.scim import _limits as limits

MEDIA_TYPE: Final = "application/scim+json"
USER_SCHEMA: Final = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA: Final = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA: Final = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MAX_RESULTS: Final = 1000  # the most resources one list or search returns
DEFAULT_COUNT: Final = 100  # resources per page when the client names no count


def _schemas() -> list[Schema]:
    user = User.to_schema()
    enterprise = EnterpriseUser.to_schema().model_dump()
    group = Group.to_schema().model_dump()
    for attribute in enterprise["attributes"]:
        if attribute["name"] == "manager":
            # RFC 7643 §8.7.1: neither is required (IdPs send a manager by value alone).
            for sub in attribute["subAttributes"]:
                if sub["name"] in ("value", "$ref"):
                    sub["required"] = False
    for attribute in group["attributes"]:
        if attribute["name"] == "members":
            attribute["description"] = (
                "The members of the Group: users of the same directory integration "
                "(groups cannot be members)."
            )
            for sub in attribute["subAttributes"]:
                if sub["name"] == "$ref":
                    sub["referenceTypes"] = ["User"]
                if sub["name"] == "type":
                    sub["canonicalValues"] = ["User"]
    return [user, Schema.model_validate(enterprise), Schema.model_validate(group)]


SCHEMAS: Final = _schemas()
RESOURCE_TYPES: Final = (
    ResourceType.model_validate(
        {
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "A user of the directory integration the token belongs to",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": False}],
        }
    ),
    ResourceType.model_validate(
        {
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "A group of the directory integration's users",
            "schema": GROUP_SCHEMA,
        }
    ),
)
SERVICE_PROVIDER_CONFIG: Final = ServiceProviderConfig(
    patch=Patch(supported=True),
    bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
    filter=Filter(supported=True, max_results=MAX_RESULTS),
    change_password=ChangePassword(supported=False),
    sort=Sort(supported=True),
    etag=ETag(supported=True),
    authentication_schemes=[
        AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken,
            name="Bearer token",
            description="The directory integration's SCIM token, shown once by "
            "`rosterd integrations create --type scim`",
            primary=True,
        )
    ],
)
# Tolerances for what Microsoft Entra ID sends: a `remove` naming the values to remove in
# `value`, and a `replace` of `emails[type eq "work"].value` on a user without a work email.
POLICY: Final = ScimPolicy(
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)
PROVIDER: Final = ScimProvider.from_discovery(
    SCHEMAS, RESOURCE_TYPES, SERVICE_PROVIDER_CONFIG, POLICY
)
UserModel: Final = cast(type[Resource[Any]], PROVIDER.model_for("User"))
GroupModel: Final = cast(type[Resource[Any]], PROVIDER.model_for("Group"))
AnyModel: Final[Any] = Union[UserModel, GroupModel]  # noqa: UP007 - a value, not an annotation


def invalid(exc: ValidationError) -> SCIMException:
    """The SCIM error a payload that the models refuse gets (400, with its scimType)."""
    return SCIMException.from_error(Error.from_validation_errors(exc)[0])


def decode(body: bytes) -> Any:
    if not body.strip():
        raise InvalidSyntaxException(detail="The request has no body")
    try:
        payload = json.loads(body)
        # JSON may escape lone surrogates ("\ud800"), which no UTF-8 store or response can hold.
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidSyntaxException(detail="The body holds text that is not Unicode") from None
    except RecursionError:  # nesting past Python's stack: no SCIM resource is that deep
        raise InvalidSyntaxException(detail="The body is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidSyntaxException(detail=f"The body is not JSON: {exc}") from None
    return payload


def query_value(name: str, value: str) -> str:
    """A query parameter's value, refused when it is not Unicode text."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValueException(detail=f"{name} is not Unicode text") from None
    return value


def read(model: type[Any], body: bytes, context: Context) -> Any:
    """Validate a request body as `model` in the context of its operation."""
    return validate(model, decode(body), context)


def validate(model: type[Any], payload: Any, context: Context) -> Any:
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail="The body must be a JSON object")
    try:
        with PROVIDER:
            return model.model_validate(payload, scim_ctx=context)
    except ValidationError as exc:
        raise invalid(exc) from None


def read_patch(model: type[Resource[Any]], body: bytes) -> PatchOp[Any]:
    """A PATCH body, each of whose path filters is bounded as a search filter is."""
    payload = decode(body)
    limits.check_patch_paths(payload)
    if isinstance(payload, dict) and isinstance(payload.get("Operations"), list):
        payload["Operations"] = [_entra_manager(op) for op in payload["Operations"]]
    patch = cast(
        "PatchOp[Any]",
        validate(PatchOp[model], payload, Context.RESOURCE_PATCH_REQUEST),  # type: ignore[valid-type]
    )
    limits.check_patch_filters(patch)
    return patch


_MEMBER_KEYS: Final = frozenset({"value", "display", "$ref", "type"})


def member_changes(patch: PatchOp[Any]) -> tuple[MemberChange, ...] | None:
    """A group PATCH that only adds members and removes them by id, as membership changes (what
    identity providers send); None for any other PATCH, which applies to the whole group."""
    changes: list[MemberChange] = []
    for operation in patch.operations or ():
        path, value = operation.path, operation.value
        if path is None or path.parts != ("members",) or path.schema not in (None, GROUP_SCHEMA):
            return None
        selected = _member_id(path.value_filter)
        if operation.op is PatchOperation.Op.add and path.value_filter is None:
            entries = _member_entries(value)
            if entries is None:
                return None
            changes += [MemberChange(True, e["value"], e.get("display")) for e in entries]
        elif operation.op is PatchOperation.Op.remove and selected is not None and value is None:
            changes.append(MemberChange(False, selected))
        elif operation.op is PatchOperation.Op.remove and path.value_filter is None:
            entries = _member_entries(value)
            if not entries:
                return None  # no value: every member goes, as a whole-group change
            changes += [MemberChange(False, e["value"]) for e in entries]
        else:
            return None
    return tuple(changes)


def _member_entries(value: Any) -> list[dict[str, Any]] | None:
    if not isinstance(value, list):
        return None
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
            return None
        if not {key.lower() for key in entry} <= _MEMBER_KEYS:
            return None
        if entry.get("display") is not None and not isinstance(entry["display"], str):
            return None
    return value


def _member_id(node: Any) -> str | None:
    """The id in `members[value eq "id"]`."""
    if not isinstance(node, Comparison) or node.op != CompareOperator.eq:
        return None
    path = node.attr_path
    if path.attr.lower() != "value" or path.sub_attr or not isinstance(node.value, str):
        return None
    return node.value


_MANAGER_PATHS: Final = ("manager", f"{ENTERPRISE_SCHEMA}:manager".lower())


def _entra_manager(operation: Any) -> Any:
    """Microsoft Entra ID sets the enterprise manager by its id alone (a string), or, in its
    older form, as a one-element list under the bare path `manager`: read both as the complex
    value `{"value": id}` the schema describes."""
    if not isinstance(operation, dict) or not isinstance(operation.get("path"), str):
        return operation
    if operation["path"].lower() not in _MANAGER_PATHS:
        return operation
    value = operation.get("value")
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = {k: v for k, v in value[0].items() if v is not None}
    if isinstance(value, str):
        value = {"value": value}
    return operation | {"path": f"{ENTERPRISE_SCHEMA}:manager", "value": value}


def read_search(model: Any, payload: dict[str, Any]) -> SearchRequest[Any]:
    limits.check_parameters(payload)  # before parsing: see _limits
    try:
        with PROVIDER:
            search = SearchRequest[model].model_validate(payload, scim_ctx=Context.SEARCH_REQUEST)
    except ValidationError as exc:
        raise invalid(exc) from None
    if search.filter is not None:
        limits.check_filter_terms(search.filter.ast)
        _check_unicode(search.filter.ast)
    if search.cursor is not None:
        raise InvalidSyntaxException(detail="Cursor pagination is not supported: use startIndex")
    search.start_index = search.start_index or 1
    if search.count is None:
        search.count = DEFAULT_COUNT
    search.count = min(search.count, MAX_RESULTS)
    return search


def _check_unicode(node: Any) -> None:
    """Refuse filter values that escape lone surrogates (`"\\ud800"`): no store can hold them."""
    if isinstance(node, Comparison) and isinstance(node.value, str):
        try:
            node.value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidFilterException(
                detail="The filter holds text that is not Unicode"
            ) from None
    for child in getattr(node, "terms", None) or (
        getattr(node, "expr", None),
        getattr(node, "val_filter", None),
    ):
        if child is not None:
            _check_unicode(child)


def read_response_parameters(model: Any, query: dict[str, str]) -> ResponseParameters[Any]:
    if not query:  # most requests: nothing to check or to read in the provider's context
        return ResponseParameters[model]()
    limits.check_parameters(query)
    try:
        with PROVIDER:
            return ResponseParameters[model].model_validate(query)
    except ValidationError as exc:
        raise invalid(exc) from None


# requests → directory records

# What is stored is what a request may write: read-only attributes (id, meta, groups) are the
# server's and are left out.
_STORED: Final = Context.RESOURCE_REPLACEMENT_REQUEST


def user_record(resource: Resource[Any]) -> UserRecord:
    """A user as the directory keeps it. Everything the client sent is kept as given, except a
    password: users sign in through their identity provider, so rosterd never stores one."""
    with PROVIDER:
        data: dict[str, Any] = resource.model_dump(scim_ctx=_STORED)
    data.pop("schemas", None)
    data.pop("password", None)
    if data.get(ENTERPRISE_SCHEMA) == {}:
        del data[ENTERPRISE_SCHEMA]
    user_name = str(data.get("userName") or "")
    emails = [e for e in data.get("emails") or [] if isinstance(e.get("value"), str)]
    candidates = [e["value"] for e in emails if e.get("primary")]
    candidates += [e["value"] for e in emails if not e.get("primary")]
    name = data.get("name") or {}
    given = " ".join(part for part in (name.get("givenName"), name.get("familyName")) if part)
    enterprise = data.get(ENTERPRISE_SCHEMA) or {}
    return UserRecord(
        user_name=user_name,
        emails=(*candidates, user_name),
        name=data.get("displayName") or name.get("formatted") or given or None,
        active=data.get("active") is not False,
        job_title=data.get("title") or "",
        department=enterprise.get("department") or "",
        external_id=data.get("externalId") or None,
        attributes=data,
    )


def group_record(resource: Resource[Any]) -> GroupRecord:
    with PROVIDER:
        data: dict[str, Any] = resource.model_dump(scim_ctx=_STORED)
    members = tuple(
        MemberRecord(str(m.get("value") or ""), m.get("display")) for m in data.get("members") or []
    )
    return GroupRecord(
        display_name=str(data.get("displayName") or ""),
        external_id=data.get("externalId") or None,
        members=members,
    )
