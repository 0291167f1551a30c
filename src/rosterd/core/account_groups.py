"""Account groups: created, read, renamed and deleted by callers who may manage them.

The rules (docs/thousandeyes.md): reading one takes `View all account groups settings`;
creating and renaming take `Edit all account groups`; deleting takes that, `Assign management
permissions` and `Delete account`. Names are unique in the organization, ignoring case.
Whoever holds roles in all account groups holds them in a new one at once. The organization's
default account group and the one the call acts in cannot be deleted, nor one that some user
has their only roles in (every user keeps a role somewhere, as with roles in use), nor one whose
deletion would leave the organization without an Organization Admin. Users whose login account
group it was log in to the default one afterwards.

rosterd keeps no Enterprise Agents: a group's agent list is always empty, and naming an agent is
an error rather than something silently dropped.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final

from rosterd.core import permissions as perm
from rosterd.core.access import CallerContext, caller_context, default_account_group
from rosterd.core.admins import ORGANIZATION_ADMIN_ROLE_ID, keep_an_organization_admin
from rosterd.core.audit import Actor, record
from rosterd.core.entities import AccountGroup, Organization, Principal, Role, User
from rosterd.core.errors import FieldError, Invalid, NotFound
from rosterd.core.ports import DirectoryStore, DirectoryTransaction
from rosterd.core.validation import name_problem, parse_numeric_id

_TOKEN_ALPHABET: Final = string.ascii_lowercase + string.digits
_TOKEN_LENGTH: Final = 19  # as long as the vendor's own


def new_account_token() -> str:
    """An account group's `accountToken`: random, to bind agents to this group and no other."""
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(_TOKEN_LENGTH))


@dataclass(frozen=True, slots=True)
class AccountGroupInput:
    """An account group request as given; None: left out."""

    name: str | None = None
    agent_ids: Sequence[str] | None = None


@dataclass(frozen=True, slots=True)
class AccountGroupMember:
    user: User
    roles: list[Role]  # the roles the user holds in the group, by id


@dataclass(frozen=True, slots=True)
class AccountGroupView:
    group: AccountGroup
    organization: Organization
    current: AccountGroup  # the group the call acted in
    default: AccountGroup  # the caller's login (or the organization's default) group
    members: list[AccountGroupMember] | None  # only when asked for


class AccountGroupsService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def get_account_group(
        self, *, principal: Principal, group_id: str, with_members: bool
    ) -> AccountGroupView:
        with self._store.read() as tx:
            ctx = caller_context(tx, principal, None)
            ctx.require_any(perm.VIEW_ACCOUNT_GROUPS)
            group = _find_group(ctx, group_id)
            return _view(tx, ctx, group, with_members=with_members)

    def count_members(
        self, *, principal: Principal, aids: Collection[int] | None, bound: int
    ) -> dict[int, int] | None:
        """The members (as `with_members` lists them) of each account group the caller lists,
        or of those of them in `aids`, each counted up to `bound` + 1 (more than `bound`: at
        least that many); None when the caller may not see members ('View all account groups
        settings', as a group's members take)."""
        with self._store.read() as tx:
            ctx = caller_context(tx, principal, None)
            if not ctx.holds(perm.VIEW_ACCOUNT_GROUPS):
                return None
            role_ids = sorted(ctx.roles)
            return {
                group.aid: tx.count_account_group_members(ctx.org_id, group.aid, role_ids, bound)
                for group in ctx.available_account_groups()
                if aids is None or group.aid in aids
            }

    def create_account_group(
        self, *, principal: Principal, data: AccountGroupInput, actor: Actor, with_members: bool
    ) -> AccountGroupView:
        with self._store.write() as tx:
            ctx = caller_context(tx, principal, None)
            ctx.require_any(perm.EDIT_ACCOUNT_GROUPS)
            name = _name(ctx, data, keeping=None)
            group = tx.add_account_group(
                org_id=ctx.org_id, name=name, is_default=False, account_token=new_account_token()
            )
            _audit(tx, ctx, actor, "account_group.create", group, {"name": name})
            return _view(tx, ctx, group, with_members=with_members)

    def update_account_group(
        self,
        *,
        principal: Principal,
        group_id: str,
        data: AccountGroupInput,
        actor: Actor,
        with_members: bool,
    ) -> AccountGroupView:
        with self._store.write() as tx:
            ctx = caller_context(tx, principal, None)
            ctx.require_any(perm.EDIT_ACCOUNT_GROUPS)
            group = _find_group(ctx, group_id)
            name = _name(ctx, data, keeping=group)
            if name != group.name:
                group = tx.rename_account_group(org_id=ctx.org_id, aid=group.aid, name=name)
            _audit(tx, ctx, actor, "account_group.update", group, {"name": name})
            return _view(tx, ctx, group, with_members=with_members)

    def delete_account_group(self, *, principal: Principal, group_id: str, actor: Actor) -> None:
        with self._store.write() as tx:
            ctx = caller_context(tx, principal, None)
            for code in (
                perm.EDIT_ACCOUNT_GROUPS,
                perm.ASSIGN_MANAGEMENT_PERMISSIONS,
                perm.DELETE_ACCOUNT,
            ):
                ctx.require_any(code)
            group = _find_group(ctx, group_id)
            _check_deletable(tx, ctx, group)
            tx.delete_account_group(org_id=ctx.org_id, aid=group.aid)
            _audit(tx, ctx, actor, "account_group.delete", group, None)


def _find_group(ctx: CallerContext, group_id: str) -> AccountGroup:
    """A group of the caller's organization; any other id is not found."""
    number = parse_numeric_id(group_id)
    group = ctx.account_groups.get(number) if number is not None else None
    if group is None:
        raise NotFound(f"No account group with id {group_id}")
    return group


def _name(ctx: CallerContext, data: AccountGroupInput, *, keeping: AccountGroup | None) -> str:
    """The request's name, checked (after its agents: rosterd keeps none to name)."""
    if data.agent_ids:
        raise Invalid(
            "Unknown agents",
            [
                FieldError(f"agents[{i}]", "UNKNOWN_AGENT", f"no enterprise agent with id {given}")
                for i, given in enumerate(data.agent_ids)
            ],
        )
    if data.name is None:
        raise Invalid(
            "An account group needs a name",
            [FieldError("account_group_name", "REQUIRED", "accountGroupName is required")],
        )
    name = data.name.strip()
    problem = name_problem("account_group_name", data.name)
    if problem is not None:
        raise Invalid("The account group name is invalid", [problem])
    others = (g for g in ctx.account_groups.values() if keeping is None or g.aid != keeping.aid)
    if name.casefold() in {g.name.casefold() for g in others}:
        raise Invalid(
            "Account group name taken",
            [
                FieldError(
                    "account_group_name",
                    "DUPLICATE",
                    f"an account group named {name!r} already exists",
                )
            ],
        )
    return name


def _check_deletable(tx: DirectoryTransaction, ctx: CallerContext, group: AccountGroup) -> None:
    if group.is_default:
        raise _refused("DEFAULT_ACCOUNT_GROUP", "The organization's default account group")
    if group.aid == ctx.account_group.aid:
        raise _refused("CURRENT_ACCOUNT_GROUP", "The account group this call acts in")
    stranded = len(tx.holders_only_in_account_group(group.aid))
    if stranded:
        plural = "s have" if stranded != 1 else " has"
        raise Invalid(
            f"{stranded} user{plural} roles only in this account group; give them roles in "
            "another one, or delete them, before deleting it",
            [FieldError("id", "ACCOUNT_GROUP_IN_USE", "users have roles only in this group")],
        )
    admins = tx.holders_only_in_account_group(group.aid, ORGANIZATION_ADMIN_ROLE_ID)
    keep_an_organization_admin(tx, ctx.org_id, admins)


def _refused(code: str, what: str) -> Invalid:
    return Invalid(f"{what} cannot be deleted", [FieldError("id", code, f"{what} is kept")])


def _view(
    tx: DirectoryTransaction, ctx: CallerContext, group: AccountGroup, *, with_members: bool
) -> AccountGroupView:
    members = None
    if with_members:
        members = [
            AccountGroupMember(user, [ctx.roles[i] for i in sorted(role_ids) if i in ctx.roles])
            for user, role_ids in tx.account_group_members(ctx.org_id, group.aid)
        ]
    default = default_account_group(ctx.principal.user.login_account_group_id, ctx.account_groups)
    return AccountGroupView(group, ctx.principal.org, ctx.account_group, default, members)


def _audit(
    tx: DirectoryTransaction,
    ctx: CallerContext,
    actor: Actor,
    action: str,
    group: AccountGroup,
    state: dict[str, str] | None,
) -> None:
    record(
        tx,
        org_id=ctx.org_id,
        actor=actor,
        action=action,
        target_type="account_group",
        target_id=str(group.aid),
        new_state=state,
        aid=ctx.account_group.aid,
        target_name=group.name,
    )
