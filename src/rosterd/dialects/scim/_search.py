"""Filters, sorting and pages of a SCIM list or search.

A search without a filter or a sort is paged by the database: it costs the same at any depth.
With a filter, the `eq` comparisons the filter requires (at its top level, joined by `and`) on
`id`, `userName` and `externalId` (for groups `id`, `displayName`, `externalId` and
`members[value eq ...]`) narrow the candidates through indexes; scim2-models then evaluates the
whole filter, and sorts, on those candidates in Python. So `userName eq "x"`, what identity
providers send, reads one row; a filter with nothing to narrow by (`title co "x"`) reads every
user of the integration, and so does any `sortBy`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from scim2_models import Resource, ResponseParameters, ScimFilter, SearchRequest
from scim2_models.path import CompareOperator, Comparison, FilterNode, LogicalExpr, ValuePath
from scim2_models.path.expressions import LogicalOperator

from rosterd.core.ports import GroupQuery, ProvisionedUserQuery
from rosterd.core.provisioning import parse_id
from rosterd.core.validation import fold
from rosterd.dialects.scim._wire import GROUP_SCHEMA, PROVIDER, USER_SCHEMA

_Q = TypeVar("_Q", ProvisionedUserQuery, GroupQuery)


@dataclass(frozen=True, slots=True)
class Narrowing:
    """Candidates a filter can only match among; `impossible` when it matches nothing."""

    users: ProvisionedUserQuery
    groups: GroupQuery
    impossible: bool = False


def _required_terms(node: FilterNode) -> Iterator[FilterNode]:
    if isinstance(node, LogicalExpr) and node.op == LogicalOperator.and_:
        for term in node.terms:
            yield from _required_terms(term)
    else:
        yield node


def _eq_target(node: FilterNode, schema: str) -> tuple[str, str] | None:
    """(attribute, value) when the node compares an attribute of `schema` to a string with
    `eq`; the attribute lower case, with its sub-attribute (`members.value`)."""
    if isinstance(node, ValuePath):
        inner = node.val_filter
        if node.sub_attr or not isinstance(inner, Comparison) or inner.attr_path.sub_attr:
            return None
        path = node.attr_path
        name = f"{path.attr}.{inner.attr_path.attr}"
        op, value = inner.op, inner.value
    elif isinstance(node, Comparison):
        path = node.attr_path
        name = f"{path.attr}.{path.sub_attr}" if path.sub_attr else path.attr
        op, value = node.op, node.value
    else:
        return None
    if op != CompareOperator.eq or not isinstance(value, str):
        return None
    if path.uri is not None and path.uri.lower() != schema.lower():
        return None
    return name.lower(), value


def narrowing(scim_filter: ScimFilter[Any] | None) -> Narrowing:
    users, groups = ProvisionedUserQuery(), GroupQuery()
    ok = True
    for term in _required_terms(scim_filter.ast) if scim_filter is not None else ():
        match _eq_target(term, USER_SCHEMA):
            case ("id", value):
                users, ok = _set(users, "id", parse_id(value), ok)
            case ("username", value):
                users, ok = _set(users, "user_name_key", fold(value), ok)
            case ("externalid", value):
                users, ok = _set(users, "external_id", value, ok)
        match _eq_target(term, GROUP_SCHEMA):
            case ("id", value):
                groups, ok = _set(groups, "uuid", parse_id(value), ok)
            case ("displayname", value):
                groups, ok = _set(groups, "display_name_key", fold(value), ok)
            case ("externalid", value):
                groups, ok = _set(groups, "external_id", value, ok)
            case ("members.value", value):
                groups, ok = _set(groups, "member_id", parse_id(value), ok)
    return Narrowing(users, groups, impossible=not ok)


def _set(query: _Q, field: str, value: Any, ok: bool) -> tuple[_Q, bool]:
    """Require `field` to be `value`; not ok when that cannot hold (an id that is no UUID, or
    two different values required of one field)."""
    if value is None:
        return query, False
    current = getattr(query, field)
    if current is not None and current != value:
        return query, False
    return replace(query, **{field: value}), ok


def evaluate(
    resources: Sequence[Resource[Any]], search: SearchRequest[Any]
) -> tuple[int, list[Resource[Any]]]:
    """Filter, sort and page candidates: the total that match, and the page."""
    with PROVIDER:
        found = [r for r in resources if search.filter is None or search.filter.match(r)]
        if search.sort_by is not None:
            found = search.sort(found)
    start = (search.start_index or 1) - 1
    count = search.count if search.count is not None else len(found)
    return len(found), found[start : start + count]


def returns(parameters: ResponseParameters[Any] | SearchRequest[Any], attribute: str) -> bool:
    """Whether a response shows `attribute` (a core attribute of the resource, lower case)."""

    def names(paths: Sequence[Any] | None) -> set[str]:
        found = set()
        for path in paths or ():
            text = str(path).lower()
            for schema in (USER_SCHEMA, GROUP_SCHEMA):
                text = text.removeprefix(schema.lower() + ":")
            found.add(text.split(".", 1)[0])
        return found

    if parameters.attributes:
        return attribute in names(parameters.attributes)
    return attribute not in names(parameters.excluded_attributes)
