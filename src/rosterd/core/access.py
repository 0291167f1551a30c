"""The caller's context: which account group a request acts in, and what the caller may do there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rosterd.core import permissions as perm
from rosterd.core.entities import AccountGroup, Principal, Role, RoleAssignments
from rosterd.core.errors import FieldError, Forbidden, Invalid
from rosterd.core.ports import DirectoryTransaction
from rosterd.core.validation import parse_numeric_id


@dataclass(frozen=True, slots=True)
class CallerContext:
    principal: Principal
    account_group: AccountGroup
    account_groups: Mapping[int, AccountGroup]  # every account group of the organization, by aid
    roles: Mapping[int, Role]  # every role the organization can use, by id
    assignments: RoleAssignments

    @property
    def org_id(self) -> int:
        return self.principal.org.id

    def permissions_in(self, aid: int) -> frozenset[str]:
        codes: set[str] = set()
        for role_id in self.assignments.in_account_group(aid):
            role = self.roles.get(role_id)
            if role is not None:
                codes |= role.permission_codes
        return frozenset(codes)

    def holds(self, code: str) -> bool:
        """Whether the caller holds `code` in the account group the request acts in."""
        return code in self.permissions_in(self.account_group.aid)

    def require_any(self, *codes: str) -> None:
        if not any(self.holds(code) for code in codes):
            labels = " or ".join(f"'{_label(code)}'" for code in codes)
            raise Forbidden(f"This operation requires the {labels} permission")

    def account_groups_with(self, code: str) -> frozenset[int]:
        return frozenset(aid for aid in self.account_groups if code in self.permissions_in(aid))

    def available_account_groups(self) -> list[AccountGroup]:
        if self.assignments.all_account_groups:
            return list(self.account_groups.values())
        return [
            group
            for aid, group in self.account_groups.items()
            if aid in self.assignments.by_account_group
        ]


def _label(code: str) -> str:
    return next(p.label for p in perm.CATALOGUE if p.code == code)


def default_account_group(
    login_account_group_id: int | None, account_groups: Mapping[int, AccountGroup]
) -> AccountGroup:
    """The caller's login account group when it is in this org, else the org's default one."""
    if login_account_group_id is not None and login_account_group_id in account_groups:
        return account_groups[login_account_group_id]
    return next(g for g in account_groups.values() if g.is_default)


def caller_context(
    tx: DirectoryTransaction, principal: Principal, aid: str | None
) -> CallerContext:
    """Resolve `aid` for the caller and check the `API Access` every call needs."""
    catalogue = tx.get_catalogue(principal.org.id)
    account_groups, roles = catalogue.account_groups, catalogue.roles
    assignments = tx.get_role_assignments(principal.user.uid)
    if aid is None:
        group = default_account_group(principal.user.login_account_group_id, account_groups)
    else:
        group = _requested_account_group(aid, account_groups, assignments)
    context = CallerContext(principal, group, account_groups, roles, assignments)
    context.require_any(perm.API_ACCESS)
    return context


def _requested_account_group(
    aid: str, account_groups: Mapping[int, AccountGroup], assignments: RoleAssignments
) -> AccountGroup:
    number = parse_numeric_id(aid)
    if number is None:
        raise Invalid(
            "The account group id is malformed",
            [FieldError("aid", "INVALID_ID", "aid must be a numeric account group id")],
        )
    group = account_groups.get(number)
    if group is None or not assignments.in_account_group(number):
        raise Forbidden(f"You are not assigned to the account group {aid}")
    return group


def granted_management_roles(
    roles: Mapping[int, Role], before: RoleAssignments, after: RoleAssignments
) -> list[Role]:
    """Roles with management permissions that `after` grants somewhere `before` did not."""
    granted = _grants(after) - _grants(before)
    ids = sorted({role_id for _, role_id in granted})
    return [roles[i] for i in ids if roles[i].has_management_permissions]


def _grants(assignments: RoleAssignments) -> set[tuple[int | None, int]]:
    pairs: set[tuple[int | None, int]] = {(None, r) for r in assignments.all_account_groups}
    for aid, role_ids in assignments.by_account_group.items():
        pairs |= {(aid, r) for r in role_ids}
    return pairs
