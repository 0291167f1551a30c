"""Roles: read, created, replaced and deleted by callers who may edit roles.

The rules (docs/thousandeyes.md): managing roles takes `Edit roles` in the account group the
call acts in; a role that would hold a management permission it did not hold before also takes
`Assign management permissions`, so that nobody hands out, through a role, more than they may
assign to a user. Built-in roles are read only. A role someone holds cannot be deleted: every
user keeps at least one role, and removing it from its holders is a decision for whoever edits
them. Role names are unique among the roles an organization can use, built-in ones included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rosterd.core import permissions as perm
from rosterd.core.access import CallerContext, caller_context
from rosterd.core.audit import Actor, record
from rosterd.core.entities import Permission, Principal, Role
from rosterd.core.errors import FieldError, Forbidden, Invalid, NotFound
from rosterd.core.ports import DirectoryStore, DirectoryTransaction
from rosterd.core.validation import parse_numeric_id

MAX_NAME = 255


@dataclass(frozen=True, slots=True)
class RoleInput:
    """A role request as given; None: left out."""

    name: str | None = None
    permission_ids: Sequence[str] | None = None


@dataclass(frozen=True, slots=True)
class RoleView:
    role: Role
    permissions: list[Permission]  # in the catalogue's order


class RolesService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def get_role(self, *, principal: Principal, aid: str | None, role_id: str) -> RoleView:
        with self._store.read() as tx:
            ctx = caller_context(tx, principal, aid)
            return _view(_find_role(ctx, role_id), tx.list_permissions())

    def create_role(
        self, *, principal: Principal, aid: str | None, data: RoleInput, actor: Actor
    ) -> RoleView:
        with self._store.write() as tx:
            ctx = caller_context(tx, principal, aid)
            ctx.require_any(perm.EDIT_ROLES)
            catalogue = tx.list_permissions()
            name = _name(ctx, data.name, required=True, keeping=None)
            codes = _codes(catalogue, data.permission_ids or ())
            _check_management(ctx, catalogue, codes, before=frozenset())
            role = tx.add_role(org_id=ctx.org_id, name=name, permission_codes=codes)
            _audit(tx, ctx, actor, "role.create", role.role_id, name, codes)
            return _view(role, catalogue)

    def update_role(
        self, *, principal: Principal, aid: str | None, role_id: str, data: RoleInput, actor: Actor
    ) -> RoleView:
        with self._store.write() as tx:
            ctx = caller_context(tx, principal, aid)
            ctx.require_any(perm.EDIT_ROLES)
            role = _custom(_find_role(ctx, role_id))
            catalogue = tx.list_permissions()
            if data.permission_ids is None:
                raise Invalid(
                    "The full list of permissions must be sent",
                    [FieldError("permissions", "REQUIRED", "permissions is required")],
                )
            name = _name(ctx, data.name, required=False, keeping=role)
            codes = _codes(catalogue, data.permission_ids)
            _check_management(ctx, catalogue, codes, before=role.permission_codes)
            replaced = tx.replace_role(
                org_id=ctx.org_id, role_id=role.role_id, name=name, permission_codes=codes
            )
            _audit(tx, ctx, actor, "role.update", role.role_id, name, codes)
            return _view(replaced, catalogue)

    def delete_role(
        self, *, principal: Principal, aid: str | None, role_id: str, actor: Actor
    ) -> None:
        with self._store.write() as tx:
            ctx = caller_context(tx, principal, aid)
            ctx.require_any(perm.EDIT_ROLES)
            role = _custom(_find_role(ctx, role_id))
            holders = tx.count_role_holders(role.role_id)
            if holders:
                raise Invalid(
                    f"The role is assigned to {holders} user{'s' if holders != 1 else ''}; "
                    "remove it from them before deleting it",
                    [FieldError("id", "ROLE_IN_USE", "the role is assigned to users")],
                )
            tx.delete_role(org_id=ctx.org_id, role_id=role.role_id)
            record(
                tx,
                org_id=ctx.org_id,
                actor=actor,
                action="role.delete",
                target_type="role",
                target_id=str(role.role_id),
                new_state=None,
                aid=ctx.account_group.aid,
                target_name=role.name,
            )


def _find_role(ctx: CallerContext, role_id: str) -> Role:
    """A role the organization can use; any other id (malformed, another organization's) is
    not found, as a user id is."""
    number = parse_numeric_id(role_id)
    role = ctx.roles.get(number) if number is not None else None
    if role is None:
        raise NotFound(f"No role with id {role_id}")
    return role


def _custom(role: Role) -> Role:
    if role.is_builtin:
        raise Forbidden(f"The built-in role {role.name!r} cannot be changed or deleted")
    return role


def _name(ctx: CallerContext, given: str | None, *, required: bool, keeping: Role | None) -> str:
    if given is None:
        if required or keeping is None:
            required_name = FieldError("name", "REQUIRED", "name is required")
            raise Invalid("A role needs a name", [required_name])
        return keeping.name
    name = given.strip()
    if not name or len(name) > MAX_NAME:
        raise Invalid(
            "The role name is invalid",
            [FieldError("name", "INVALID", f"name must be 1 to {MAX_NAME} characters")],
        )
    if not name.isprintable():  # no control characters (PostgreSQL refuses NUL in text)
        raise Invalid(
            "The role name is invalid",
            [FieldError("name", "INVALID_NAME", "name must be printable")],
        )
    others = (r for r in ctx.roles.values() if keeping is None or r.role_id != keeping.role_id)
    taken = {r.name.casefold() for r in others}
    if name.casefold() in taken:
        raise Invalid(
            "Role name taken",
            [FieldError("name", "DUPLICATE", f"a role named {name!r} already exists")],
        )
    return name


def _codes(catalogue: Sequence[Permission], permission_ids: Sequence[str]) -> frozenset[str]:
    by_id = {str(p.permission_id): p.code for p in catalogue}
    problems = [
        FieldError(f"permissions[{i}]", "UNKNOWN_PERMISSION", f"no permission with id {given}")
        for i, given in enumerate(permission_ids)
        if given not in by_id
    ]
    if problems:
        raise Invalid("Unknown permissions", problems)
    return frozenset(by_id[given] for given in permission_ids)


def _check_management(
    ctx: CallerContext,
    catalogue: Sequence[Permission],
    codes: frozenset[str],
    *,
    before: frozenset[str],
) -> None:
    management = {p.code for p in catalogue if p.is_management}
    if (codes - before) & management:
        ctx.require_any(perm.ASSIGN_MANAGEMENT_PERMISSIONS)


def _view(role: Role, catalogue: Sequence[Permission]) -> RoleView:
    return RoleView(role, [p for p in catalogue if p.code in role.permission_codes])


def _audit(
    tx: DirectoryTransaction,
    ctx: CallerContext,
    actor: Actor,
    action: str,
    role_id: int,
    name: str,
    codes: frozenset[str],
) -> None:
    record(
        tx,
        org_id=ctx.org_id,
        actor=actor,
        action=action,
        target_type="role",
        target_id=str(role_id),
        new_state={"name": name, "permissions": sorted(codes)},
        aid=ctx.account_group.aid,
        target_name=name,
    )
