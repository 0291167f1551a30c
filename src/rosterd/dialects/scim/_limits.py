"""Bounds on what one SCIM request may ask rosterd to evaluate.

A filter is evaluated in Python on every candidate (see `_search`), so its cost is its number of
comparisons times the number of users; a PATCH's path filters are evaluated on every value of the
attribute they select (a group's members); `attributes` and `excludedAttributes` are applied to
every resource of a response. Lengths are checked on the raw request, before anything is parsed;
comparisons are counted once the (then short) filter is parsed, before any SQL or evaluation.

Identity providers send one or two comparisons (`userName eq "…"`, `id eq "…" and
members[value eq "…"]`); the bounds are far above that. A filter past them is `invalidFilter`,
not `tooMany`: RFC 7644 §3.12 keeps `tooMany` for a filter that yields too many results, and
these bounds are on what a filter holds, whatever it yields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from scim2_models import (
    InvalidFilterException,
    InvalidPathException,
    InvalidValueException,
    PatchOp,
)
from scim2_models.path import Comparison, FilterNode, LogicalExpr, Not, Present, ValuePath

MAX_FILTER_LENGTH: Final = 4096  # characters of a `filter`, or of a PATCH `path`
MAX_FILTER_TERMS: Final = 20  # comparisons (`eq`, …, `pr`) in one filter
MAX_PATCH_FILTER_TERMS: Final = 50  # comparisons in all path filters of one PATCH together
MAX_ATTRIBUTES: Final = 20  # names in `attributes`, and in `excludedAttributes`
MAX_SORT_BY_LENGTH: Final = 256  # characters of `sortBy` (one attribute path)


def _values(payload: dict[str, Any], name: str) -> Iterator[Any]:
    """The values of `name` in a request object, whose keys SCIM compares without case."""
    return (value for key, value in payload.items() if key.lower() == name.lower())


def check_parameters(payload: dict[str, Any]) -> None:
    """A search's or a response's parameters, before they are parsed: the filter's length,
    sortBy's length and how many attributes are named."""
    for expression in _values(payload, "filter"):
        if isinstance(expression, str) and len(expression) > MAX_FILTER_LENGTH:
            raise InvalidFilterException(
                detail=f"The filter is {len(expression)} characters long; "
                f"at most {MAX_FILTER_LENGTH} are accepted"
            )
    for sort_by in _values(payload, "sortBy"):
        if isinstance(sort_by, str) and len(sort_by) > MAX_SORT_BY_LENGTH:
            raise InvalidValueException(
                detail=f"sortBy is {len(sort_by)} characters long; "
                f"at most {MAX_SORT_BY_LENGTH} are accepted"
            )
    for name in ("attributes", "excludedAttributes"):
        for names in _values(payload, name):
            count = _count_names(names)
            if count > MAX_ATTRIBUTES:
                raise InvalidValueException(
                    detail=f"{name} names {count} attributes; at most {MAX_ATTRIBUTES} are accepted"
                )


def _count_names(names: Any) -> int:
    # A query parameter is a comma-separated string; a search body may send a list.
    if isinstance(names, str):
        return names.count(",") + 1
    return len(names) if isinstance(names, list) else 0


def terms(node: FilterNode | None) -> int:
    """How many comparisons (`pr` included) a filter holds, value filters' included."""
    if isinstance(node, Comparison | Present):
        return 1
    if isinstance(node, LogicalExpr):
        return sum(terms(term) for term in node.terms)
    if isinstance(node, Not):
        return terms(node.expr)
    if isinstance(node, ValuePath):
        return terms(node.val_filter)
    return 0


def check_filter_terms(node: FilterNode | None, what: str = "The filter") -> None:
    found = terms(node)
    if found > MAX_FILTER_TERMS:
        raise InvalidFilterException(
            detail=f"{what} holds {found} comparisons; at most {MAX_FILTER_TERMS} are accepted"
        )


def check_patch_paths(payload: Any) -> None:
    """Each path of a PATCH body's operations, before they are parsed: not too long."""
    for operations in _values(payload, "Operations") if isinstance(payload, dict) else ():
        for number, operation in enumerate(operations if isinstance(operations, list) else ()):
            paths = _values(operation, "path") if isinstance(operation, dict) else ()
            for path in paths:
                if isinstance(path, str) and len(path) > MAX_FILTER_LENGTH:
                    raise InvalidPathException(
                        detail=f"The path of operation {number + 1} is {len(path)} characters "
                        f"long; at most {MAX_FILTER_LENGTH} are accepted"
                    )


def check_patch_filters(patch: PatchOp[Any]) -> None:
    """Each path filter of a parsed PATCH: as many comparisons as a search filter may hold."""
    for number, operation in enumerate(patch.operations or (), start=1):
        if operation.path is not None:
            check_filter_terms(operation.path.value_filter, f"The path of operation {number}")


def check_evaluated_patch(patch: PatchOp[Any]) -> None:
    """A PATCH applied to the whole resource evaluates every path filter on every value of its
    attribute: all of them together hold at most MAX_PATCH_FILTER_TERMS comparisons. (A group
    PATCH that only adds members and removes them by id evaluates nothing and is not checked.)"""
    found = sum(terms(op.path.value_filter) for op in patch.operations or () if op.path)
    if found > MAX_PATCH_FILTER_TERMS:
        raise InvalidFilterException(
            detail=f"The paths of this PATCH hold {found} comparisons; "
            f"at most {MAX_PATCH_FILTER_TERMS} are accepted in one PATCH"
        )
