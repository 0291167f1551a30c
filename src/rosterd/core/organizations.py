"""Organizations and their administration (used by the CLI and the demo seed)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from rosterd.core import permissions as perm
from rosterd.core.account_groups import new_account_token
from rosterd.core.audit import Actor, record
from rosterd.core.clock import utcnow
from rosterd.core.entities import AccountGroup, Organization, Role, RoleAssignments, User
from rosterd.core.errors import Conflict, FieldError, Invalid, NotFound
from rosterd.core.ports import DirectoryStore, NewUser, UserChanges
from rosterd.core.tokens import generate_token, hash_token
from rosterd.core.validation import email_problem, name_problem, normalize_email

_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True, slots=True)
class NewOrganization:
    org: Organization
    account_group: AccountGroup
    admin: User
    token: str


class OrganizationsService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def create_organization(
        self,
        *,
        name: str,
        subdomain: str,
        admin_email: str,
        admin_name: str | None = None,
        account_group_name: str | None = None,
        rate_limit_per_minute: int | None = None,
        actor: Actor,
    ) -> NewOrganization:
        """An org with its default account group, an Organization Admin and their API token."""
        _check_new_org(name, subdomain, admin_email, rate_limit_per_minute)
        token = generate_token()
        now = utcnow()
        with self._store.write() as tx:
            if tx.get_organization_by_subdomain(subdomain) is not None:
                raise Conflict(
                    "Subdomain taken",
                    [
                        FieldError(
                            "subdomain",
                            "DUPLICATE",
                            f"the subdomain {subdomain!r} is already in use",
                        )
                    ],
                )
            org = tx.add_organization(
                name=name, subdomain=subdomain, rate_limit_per_minute=rate_limit_per_minute, now=now
            )
            group = tx.add_account_group(
                org_id=org.id,
                name=account_group_name or name,
                is_default=True,
                account_token=new_account_token(),
            )
            admin_role = _builtin(tx.list_roles(org.id), perm.ORGANIZATION_ADMIN)
            admin = tx.add_user(
                NewUser(
                    id=uuid.uuid4(),
                    org_id=org.id,
                    email=normalize_email(admin_email),
                    name=admin_name or admin_email.split("@", maxsplit=1)[0],
                    login_account_group_id=group.aid,
                    created_at=now,
                )
            )
            tx.set_role_assignments(
                admin.uid, RoleAssignments(all_account_groups=frozenset({admin_role.role_id}))
            )
            tx.add_token(
                org_id=org.id,
                user_uid=admin.uid,
                token_hash=hash_token(token),
                name="initial admin token",
                now=now,
            )
            record(
                tx,
                org_id=org.id,
                actor=actor,
                action="organization.create",
                target_type="organization",
                target_id=str(org.id),
                new_state={"name": name, "subdomain": subdomain, "admin_uid": str(admin.uid)},
            )
        return NewOrganization(org, group, admin, token)

    def add_account_group(self, *, org_subdomain: str, name: str, actor: Actor) -> AccountGroup:
        with self._store.write() as tx:
            org = _org(tx.get_organization_by_subdomain(org_subdomain), org_subdomain)
            group = tx.add_account_group(
                org_id=org.id, name=name, is_default=False, account_token=new_account_token()
            )
            record(
                tx,
                org_id=org.id,
                actor=actor,
                action="account_group.create",
                target_type="account_group",
                target_id=str(group.aid),
                new_state={"name": name},
                target_name=name,
            )
            return group

    def add_role(
        self, *, org_subdomain: str, name: str, permission_codes: frozenset[str], actor: Actor
    ) -> Role:
        unknown = permission_codes - {p.code for p in perm.CATALOGUE}
        if unknown:
            raise Invalid(f"Unknown permissions: {', '.join(sorted(unknown))}")
        with self._store.write() as tx:
            org = _org(tx.get_organization_by_subdomain(org_subdomain), org_subdomain)
            role = tx.add_role(org_id=org.id, name=name, permission_codes=permission_codes)
            record(
                tx,
                org_id=org.id,
                actor=actor,
                action="role.create",
                target_type="role",
                target_id=str(role.role_id),
                new_state={"name": name, "permissions": sorted(permission_codes)},
                target_name=name,
            )
            return role

    def confirm_email(self, *, org_subdomain: str, email: str, actor: Actor) -> User:
        """Confirm a changed email address, so that the user's tokens work again."""
        with self._store.write() as tx:
            org = _org(tx.get_organization_by_subdomain(org_subdomain), org_subdomain)
            user = tx.find_user_by_email(org.id, email)
            if user is None:
                raise NotFound(f"No user {email!r} in organization {org_subdomain!r}")
            if not user.email_confirmed:
                user = tx.update_user(
                    org.id, user.uid, UserChanges(email_confirmed=True, updated_at=utcnow())
                )
                record(
                    tx,
                    org_id=org.id,
                    actor=actor,
                    action="user.confirm_email",
                    target_type="user",
                    target_id=str(user.id),
                    new_state={"email": user.email},
                )
            return user


def _org(org: Organization | None, subdomain: str) -> Organization:
    if org is None:
        raise NotFound(f"No organization with subdomain {subdomain!r}")
    return org


def _builtin(roles: list[Role], name: str) -> Role:
    return next(r for r in roles if r.is_builtin and r.name == name)


def _check_new_org(
    name: str, subdomain: str, admin_email: str, rate_limit_per_minute: int | None
) -> None:
    problems = [
        p
        for p in (name_problem("name", name), email_problem("admin_email", admin_email))
        if p is not None
    ]
    problems += organization_problems(subdomain, rate_limit_per_minute)
    if problems:
        raise Invalid("Invalid organization", problems)


def organization_problems(subdomain: str, rate_limit_per_minute: int | None) -> list[FieldError]:
    """What is wrong with a new organization's subdomain and rate limit (for the CLI and
    seeds alike)."""
    problems: list[FieldError] = []
    if not _SUBDOMAIN.match(subdomain):
        problems.append(
            FieldError(
                "subdomain",
                "INVALID_SUBDOMAIN",
                "subdomain must be lowercase letters, digits and hyphens",
            )
        )
    if rate_limit_per_minute is not None and rate_limit_per_minute < 1:
        problems.append(FieldError("rate_limit_per_minute", "INVALID", "must be at least 1"))
    return problems
