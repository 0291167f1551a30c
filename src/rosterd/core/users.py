"""User operations shared by the dialects: read, create, update, delete, with their rules."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from rosterd.core import permissions as perm
from rosterd.core.access import (
    CallerContext,
    caller_context,
    default_account_group,
    granted_management_roles,
)
from rosterd.core.admins import (
    ORGANIZATION_ADMIN_ROLE_ID,
    keep_an_organization_admin,
    require_may_change_manager,
)
from rosterd.core.audit import Actor, record
from rosterd.core.clock import utcnow
from rosterd.core.entities import AccountGroup, Principal, Role, RoleAssignments, User
from rosterd.core.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from rosterd.core.ports import DirectoryStore, DirectoryTransaction, NewUser, UserChanges
from rosterd.core.validation import (
    email_problem,
    name_problem,
    normalize_email,
    parse_numeric_id,
)


@dataclass(frozen=True, slots=True)
class AccountGroupRolesInput:
    account_group_id: str
    role_ids: list[str]


@dataclass(frozen=True, slots=True)
class UserInput:
    """A create or partial update as a dialect parsed it; None means "not given"."""

    name: str | None = None
    email: str | None = None
    login_account_group_id: str | None = None
    account_group_roles: list[AccountGroupRolesInput] | None = None
    all_account_group_role_ids: list[str] | None = None


@dataclass(frozen=True, slots=True)
class UserView:
    """A user with its account groups and roles resolved, ready to render."""

    user: User
    login_account_group: AccountGroup | None
    account_group_roles: list[tuple[AccountGroup, list[Role]]]
    all_account_group_roles: list[Role]


@dataclass(frozen=True, slots=True)
class UserEditor:
    """A user's roles as a form edits them: with every account group and role of the caller's
    organization, and whether the caller may edit users at all (`update_user` still checks the
    change itself: the account groups it reaches, management roles, the last admin)."""

    view: UserView
    account_groups: list[AccountGroup]  # in aid order
    roles: list[Role]  # in role id order
    may_edit: bool


# How many users `list_users` reads at a time: its memory is bounded by this, not by the directory.
USERS_PER_READ = 1_000


@dataclass(frozen=True, slots=True)
class UserList:
    """Every user of the organization, read in uid order one bounded batch at a time."""

    batches: Iterator[list[User]]
    account_groups: Mapping[int, AccountGroup]


class UsersService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def list_users(self, *, principal: Principal, aid: str | None) -> UserList:
        """Checks access now; the users are read as the caller consumes the batches, each batch
        in a short transaction of its own (uid order: a user that exists throughout is listed
        exactly once, whatever is created or deleted meanwhile)."""
        with self._store.read() as tx:
            ctx = caller_context(tx, principal, aid)
            ctx.require_any(perm.VIEW_ALL_USERS)
        return UserList(self._batches_of_users(ctx.org_id), ctx.account_groups)

    def _batches_of_users(self, org_id: int) -> Iterator[list[User]]:
        after: int | None = None
        while True:
            with self._store.read() as tx:
                batch = tx.list_users(org_id, after_uid=after, limit=USERS_PER_READ)
            if batch:
                yield batch
            if len(batch) < USERS_PER_READ:
                return
            after = batch[-1].uid

    def get_user(self, *, principal: Principal, aid: str | None, user_id: str) -> UserView:
        with self._store.read() as tx:
            return _viewed_user(tx, caller_context(tx, principal, aid), user_id)

    def get_user_editor(self, *, principal: Principal, user_id: str) -> UserEditor:
        """`get_user` (in the caller's login account group) with what a form needs beside."""
        with self._store.read() as tx:
            ctx = caller_context(tx, principal, None)
            view = _viewed_user(tx, ctx, user_id)
        roles = sorted(ctx.roles.values(), key=lambda r: r.role_id)
        return UserEditor(view, list(ctx.account_groups.values()), roles, _may_edit(ctx))

    def get_current_user(self, *, principal: Principal) -> UserView:
        with self._store.read() as tx:
            ctx = caller_context(tx, principal, None)
            return _view(ctx, principal.user, ctx.assignments)

    def create_user(
        self, *, principal: Principal, aid: str | None, data: UserInput, actor: Actor
    ) -> UserView:
        with self._store.write() as tx:
            ctx = caller_context(tx, principal, aid)
            _require_edit(ctx)
            _check_fields(data, creating=True)
            assert data.email is not None
            assert data.name is not None
            if tx.find_user_by_email(ctx.org_id, data.email) is not None:
                raise _duplicate_email(data.email)
            assignments = _parse_assignments(ctx, data, RoleAssignments()) or _regular_user(ctx)
            _check_edit_scope(ctx, RoleAssignments(), assignments)
            login_group = _login_group_for_new_user(ctx, data, assignments)
            now = utcnow()
            user = tx.add_user(
                NewUser(
                    id=uuid.uuid4(),
                    org_id=ctx.org_id,
                    email=normalize_email(data.email),
                    name=data.name.strip(),
                    login_account_group_id=login_group,
                    created_at=now,
                )
            )
            tx.set_role_assignments(user.uid, assignments)
            view = _view(ctx, user, assignments)
            record(
                tx,
                org_id=ctx.org_id,
                actor=actor,
                action="user.create",
                target_type="user",
                target_id=str(user.id),
                new_state=audit_state(view),
                aid=ctx.account_group.aid,
                target_name=display_name(user),
            )
            return view

    def update_user(
        self,
        *,
        principal: Principal,
        aid: str | None,
        user_id: str,
        data: UserInput,
        actor: Actor,
    ) -> UserView:
        with self._store.write() as tx:
            ctx = caller_context(tx, principal, aid)
            _require_edit(ctx)
            user = _find_user(tx, ctx, user_id)
            _check_fields(data, creating=False)
            before = tx.get_role_assignments(user.uid)
            after = _parse_assignments(ctx, data, before)
            if after is None:
                raise Invalid(
                    "A user needs at least one role",
                    [
                        FieldError(
                            "account_group_roles",
                            "REQUIRED",
                            "a user needs at least one role in some account group",
                        )
                    ],
                )
            _check_edit_scope(ctx, before, after)
            changes = _changes(tx, ctx, user, data, after)
            disables = changes is not None and changes.email is not None
            _protect_managers(tx, ctx, user.uid, before, after, removes_or_disables=disables)
            if changes is not None:
                user = tx.update_user(ctx.org_id, user.uid, changes)
            if after != before:
                tx.set_role_assignments(user.uid, after)
            view = _view(ctx, user, after)
            record(
                tx,
                org_id=ctx.org_id,
                actor=actor,
                action="user.update",
                target_type="user",
                target_id=str(user.id),
                new_state=audit_state(view),
                aid=ctx.account_group.aid,
                target_name=display_name(user),
            )
            return view

    def delete_user(
        self, *, principal: Principal, aid: str | None, user_id: str, actor: Actor
    ) -> None:
        with self._store.write() as tx:
            ctx = caller_context(tx, principal, aid)
            _require_edit(ctx)
            user = _find_user(tx, ctx, user_id)
            before = tx.get_role_assignments(user.uid)
            _check_edit_scope(ctx, before, RoleAssignments())
            _protect_managers(
                tx, ctx, user.uid, before, RoleAssignments(), removes_or_disables=True
            )
            tx.delete_user(ctx.org_id, user.uid)
            record(
                tx,
                org_id=ctx.org_id,
                actor=actor,
                action="user.delete",
                target_type="user",
                target_id=str(user.id),
                new_state=None,
                aid=ctx.account_group.aid,
                target_name=display_name(user),
            )


def display_name(user: User) -> str:
    """A user as the activity log names them: `Name (email)`."""
    return f"{user.name} ({user.email})"


def audit_state(view: UserView) -> dict[str, Any]:
    """A user as an audit event records it: self-describing, no vendor field names."""
    user = view.user
    return {
        "id": str(user.id),
        "uid": str(user.uid),
        "email": user.email,
        "name": user.name,
        "login_account_group": user.login_account_group_id,
        "account_group_roles": {
            str(group.aid): sorted(r.role_id for r in roles)
            for group, roles in view.account_group_roles
        },
        "all_account_group_roles": sorted(r.role_id for r in view.all_account_group_roles),
    }


def _viewed_user(tx: DirectoryTransaction, ctx: CallerContext, user_id: str) -> UserView:
    """`get_user`'s check and read, in the caller's transaction."""
    ctx.require_any(perm.VIEW_ALL_USERS)
    user = _find_user(tx, ctx, user_id)
    return _view(ctx, user, tx.get_role_assignments(user.uid))


def _find_user(tx: DirectoryTransaction, ctx: CallerContext, user_id: str) -> User:
    uid = parse_numeric_id(user_id)
    user = tx.get_user(ctx.org_id, uid) if uid is not None else None
    if user is None:
        raise NotFound(f"No user with id {user_id!r}")
    return user


def _view(ctx: CallerContext, user: User, assignments: RoleAssignments) -> UserView:
    # Every user has one: the one set, or (a directory user's) the organization's default.
    login = default_account_group(user.login_account_group_id, ctx.account_groups)
    per_group = [
        (ctx.account_groups[aid], _roles(ctx, role_ids))
        for aid, role_ids in sorted(assignments.by_account_group.items())
    ]
    return UserView(user, login, per_group, _roles(ctx, assignments.all_account_groups))


def _roles(ctx: CallerContext, role_ids: frozenset[int]) -> list[Role]:
    return [ctx.roles[i] for i in sorted(role_ids)]


_EDIT_CODES = (perm.EDIT_USERS, perm.EDIT_USERS_ALL_ACCOUNT_GROUPS)


def _require_edit(ctx: CallerContext) -> None:
    ctx.require_any(*_EDIT_CODES)


def _may_edit(ctx: CallerContext) -> bool:
    return any(ctx.holds(code) for code in _EDIT_CODES)


def _check_edit_scope(ctx: CallerContext, before: RoleAssignments, after: RoleAssignments) -> None:
    """`Edit users` reaches only the account groups where the caller holds it.

    A caller with `Edit users in all account groups` may touch any assignment; one with only
    `Edit users` may neither touch "all account groups" roles nor any account group where it
    lacks `Edit users`. Granting a role with management permissions also needs
    `Assign management permissions`, so that nobody can hand out more than they hold.
    """
    if not ctx.holds(perm.EDIT_USERS_ALL_ACCOUNT_GROUPS):
        if before.all_account_groups or after.all_account_groups:
            raise Forbidden(
                "Roles in all account groups require the "
                "'Edit users in all account groups' permission"
            )
        reachable = ctx.account_groups_with(perm.EDIT_USERS)
        touched = set(before.by_account_group) | set(after.by_account_group)
        if not touched <= reachable:
            raise Forbidden(
                "The user has roles in account groups where you lack the 'Edit users' permission"
            )
    granted = granted_management_roles(ctx.roles, before, after)
    if granted and not ctx.holds(perm.ASSIGN_MANAGEMENT_PERMISSIONS):
        names = ", ".join(sorted({r.name for r in granted}))
        raise Forbidden(f"Granting {names} requires the 'Assign management permissions' permission")


def _protect_managers(
    tx: DirectoryTransaction,
    ctx: CallerContext,
    uid: int,
    before: RoleAssignments,
    after: RoleAssignments,
    *,
    removes_or_disables: bool,
) -> None:
    """See `core.admins`: management roles are protected, and the last Organization Admin."""
    require_may_change_manager(
        ctx.roles,
        before,
        after,
        removes_or_disables=removes_or_disables,
        may_assign_management=ctx.holds(perm.ASSIGN_MANAGEMENT_PERMISSIONS),
    )
    admin = ORGANIZATION_ADMIN_ROLE_ID
    if admin in before.role_ids() and admin not in after.role_ids():
        keep_an_organization_admin(tx, ctx.org_id, [uid])


def _check_fields(data: UserInput, *, creating: bool) -> None:
    problems: list[FieldError] = []
    if data.email is not None:
        problems += filter(None, [email_problem("email", normalize_email(data.email))])
    elif creating:
        problems.append(FieldError("email", "REQUIRED", "email is required"))
    if data.name is not None:
        problems += filter(None, [name_problem("name", data.name)])
    elif creating:
        problems.append(FieldError("name", "REQUIRED", "name is required"))
    if problems:
        raise Invalid("Your request object contains invalid fields.", problems)


def _duplicate_email(email: str) -> Conflict:
    return Conflict(
        "A user with this email already exists in the organization",
        [FieldError("email", "DUPLICATE", f"a user with email {email!r} already exists")],
    )


def _parse_assignments(
    ctx: CallerContext, data: UserInput, current: RoleAssignments
) -> RoleAssignments | None:
    """The assignments after applying `data` (replace-based per key); None when left empty."""
    problems: list[FieldError] = []
    by_group = current.by_account_group
    if data.account_group_roles is not None:
        by_group = {}
        for i, entry in enumerate(data.account_group_roles):
            where = f"account_group_roles[{i}]"
            aid = _known_account_group(
                ctx, entry.account_group_id, f"{where}.account_group_id", problems
            )
            roles = _known_roles(ctx, entry.role_ids, f"{where}.role_ids", problems)
            if aid is not None and roles:
                by_group[aid] = by_group.get(aid, frozenset()) | roles
    all_groups = current.all_account_groups
    if data.all_account_group_role_ids is not None:
        all_groups = _known_roles(
            ctx, data.all_account_group_role_ids, "all_account_group_role_ids", problems
        )
    if problems:
        raise Invalid("Your request object contains invalid fields.", problems)
    result = RoleAssignments(by_group, all_groups)
    return result if result.role_ids() else None


def _known_account_group(
    ctx: CallerContext, value: str, field: str, problems: list[FieldError]
) -> int | None:
    aid = parse_numeric_id(value)
    if aid is None or aid not in ctx.account_groups:
        problems.append(
            FieldError(field, "UNKNOWN_ACCOUNT_GROUP", f"account group {value!r} does not exist")
        )
        return None
    return aid


def _known_roles(
    ctx: CallerContext, values: list[str], field: str, problems: list[FieldError]
) -> frozenset[int]:
    found: set[int] = set()
    for j, value in enumerate(values):
        role_id = parse_numeric_id(value)
        if role_id is None or role_id not in ctx.roles:
            problems.append(
                FieldError(f"{field}[{j}]", "UNKNOWN_ROLE", f"role {value!r} does not exist")
            )
        else:
            found.add(role_id)
    return frozenset(found)


def _regular_user(ctx: CallerContext) -> RoleAssignments:
    """Without any roles in the request, a new user is a Regular User where the call acts."""
    role = next(r for r in ctx.roles.values() if r.is_builtin and r.name == perm.REGULAR_USER)
    return RoleAssignments({ctx.account_group.aid: frozenset({role.role_id})})


def _login_group_for_new_user(
    ctx: CallerContext, data: UserInput, assignments: RoleAssignments
) -> int:
    """Every user has a login account group of their own organization; whether the person
    also belongs to another organization never shows (nor changes anything) here."""
    if data.login_account_group_id is None:
        return _fallback_login_group(ctx, assignments)
    aid = _known_account_group(ctx, data.login_account_group_id, "login_account_group_id", [])
    return _checked_login_group(aid, data.login_account_group_id, assignments)


def _checked_login_group(aid: int | None, raw: str, assignments: RoleAssignments) -> int:
    if aid is None or not assignments.in_account_group(aid):
        raise Invalid(
            "Your request object contains invalid fields.",
            [
                FieldError(
                    "login_account_group_id",
                    "NOT_ASSIGNED",
                    f"the user must be assigned to the login account group {raw!r}",
                )
            ],
        )
    return aid


def _fallback_login_group(ctx: CallerContext, assignments: RoleAssignments) -> int:
    if assignments.in_account_group(ctx.account_group.aid):
        return ctx.account_group.aid
    if assignments.by_account_group:
        return min(assignments.by_account_group)
    return next(g.aid for g in ctx.account_groups.values() if g.is_default)


def _changes(
    tx: DirectoryTransaction,
    ctx: CallerContext,
    user: User,
    data: UserInput,
    after: RoleAssignments,
) -> UserChanges | None:
    changes = UserChanges()
    if data.name is not None and data.name.strip() != user.name:
        changes = replace(changes, name=data.name.strip())
    if data.email is not None and normalize_email(data.email) != user.email:
        new_email = normalize_email(data.email)
        other = tx.find_user_by_email(ctx.org_id, new_email)
        if other is not None and other.uid != user.uid:
            raise _duplicate_email(new_email)
        # A changed address must be confirmed before the user may use the API again.
        changes = replace(changes, email=new_email, email_confirmed=False)
    login = _updated_login_group(ctx, user, data, after)
    if login != user.login_account_group_id:
        changes = replace(changes, login_account_group_id=login)
    if changes == UserChanges():
        return None
    return replace(changes, updated_at=utcnow())


def _updated_login_group(
    ctx: CallerContext, user: User, data: UserInput, after: RoleAssignments
) -> int | None:
    if data.login_account_group_id is not None:
        aid = _known_account_group(ctx, data.login_account_group_id, "login_account_group_id", [])
        return _checked_login_group(aid, data.login_account_group_id, after)
    current = user.login_account_group_id
    if current is not None and not after.in_account_group(current):
        # The replace-based update removed the user's login account group: move it along.
        return _fallback_login_group(ctx, after)
    return current
