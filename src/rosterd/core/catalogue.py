"""Read-only views a caller needs to fill in a user request: account groups, roles, permissions."""

from __future__ import annotations

from rosterd.core.access import CallerContext, caller_context
from rosterd.core.entities import Permission, Principal, Role
from rosterd.core.errors import Forbidden
from rosterd.core.ports import DirectoryStore


class CatalogueService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def list_account_groups(self, *, principal: Principal) -> CallerContext:
        """The caller's context; its `available_account_groups()` are the ones to list."""
        with self._store.read() as tx:
            return caller_context(tx, principal, None)

    def list_roles(self, *, principal: Principal, aid: str | None) -> list[Role]:
        with self._store.read() as tx:
            ctx = caller_context(tx, principal, aid)
            return sorted(ctx.roles.values(), key=lambda r: r.role_id)

    def list_permissions(self, *, principal: Principal, aid: str | None) -> list[Permission]:
        with self._store.read() as tx:
            ctx = caller_context(tx, principal, aid)
            held = ctx.permissions_in(ctx.account_group.aid)
            if not any(p.is_management and p.code in held for p in tx.list_permissions()):
                raise Forbidden("Listing permissions requires a role with management permissions")
            return tx.list_permissions()
