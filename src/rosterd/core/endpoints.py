"""API access: per-token endpoint permissions (the Kandji model) plus roles.

A token may be limited to a set of endpoints (`{path, http_method}`) of any dialect; a token
without any may call every endpoint, and a limited one is refused everywhere else.
Independently, the token's user must hold `API Access` and the permission the operation needs
in some account group (or in all of them), so that a token of a Regular User never reaches
tenant-wide operations.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from rosterd.core import permissions as perm
from rosterd.core.entities import EndpointPermission, Principal
from rosterd.core.errors import Forbidden, Invalid
from rosterd.core.ports import DirectoryTransaction

HTTP_METHODS: Final = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
NO_PERMISSION: Final = "You do not have permission to perform this action."


def require_endpoint(principal: Principal, endpoint: EndpointPermission) -> None:
    """Refuse the call unless the caller's token may call `endpoint` (a path template)."""
    if not principal.may_call(endpoint):
        raise Forbidden(
            f"This API token is limited to other endpoints than "
            f"{endpoint.http_method} {endpoint.path}"
        )


def require_unlimited_token(principal: Principal, what: str) -> None:
    """Refuse a token limited to endpoints from what no endpoint stands for (`what`)."""
    if principal.endpoints:
        raise Forbidden(
            f"This API token is limited to some API endpoints, and {what} have none: "
            "sign in with a token without endpoint limits"
        )


def require_tenant_permission(tx: DirectoryTransaction, principal: Principal, code: str) -> None:
    """The caller's user must hold `API Access` and `code` somewhere in the organization."""
    held = permission_codes_anywhere(tx, principal)
    if perm.API_ACCESS not in held or code not in held:
        raise Forbidden(NO_PERMISSION)


def permission_codes_anywhere(tx: DirectoryTransaction, principal: Principal) -> frozenset[str]:
    """Every permission the caller's user holds in some account group or in all of them."""
    roles = tx.get_catalogue(principal.org.id).roles
    held = tx.get_role_assignments(principal.user.uid).role_ids()
    return frozenset(code for r in held if r in roles for code in roles[r].permission_codes)


def parse_endpoint_permissions(
    values: Iterable[str], known: Iterable[EndpointPermission]
) -> list[EndpointPermission]:
    """`"GET /api/v1/users"` → an endpoint permission; only endpoints in `known` are accepted."""
    catalogue = set(known)
    found: list[EndpointPermission] = []
    for value in values:
        method, _, path = value.strip().partition(" ")
        permission = EndpointPermission(path.strip(), method.upper())
        if permission not in catalogue:
            choices = ", ".join(f"{p.http_method} {p.path}" for p in sorted(catalogue, key=str))
            raise Invalid(f"Unknown endpoint permission {value!r}; choose from: {choices}")
        found.append(permission)
    return found
