"""Test organizations, each with its own subdomain, admin and token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.core.entities import AccountGroup, Role, User
from rosterd.core.organizations import OrganizationsService
from rosterd.storage import SqlDirectoryStore


@dataclass(frozen=True)
class TestOrg:
    __test__ = False  # a helper, not a test class

    subdomain: str
    name: str
    account_group: AccountGroup
    admin: User
    token: str
    store: SqlDirectoryStore

    @property
    def aid(self) -> str:
        return str(self.account_group.aid)

    def add_account_group(self, name: str) -> AccountGroup:
        return OrganizationsService(self.store).add_account_group(
            org_subdomain=self.subdomain, name=name, actor=CLI_ACTOR
        )

    def add_role(self, name: str, *codes: str) -> Role:
        return OrganizationsService(self.store).add_role(
            org_subdomain=self.subdomain,
            name=name,
            permission_codes=frozenset(codes),
            actor=CLI_ACTOR,
        )

    def token_for(self, email: str) -> str:
        return (
            AuthService(self.store)
            .create_token(org_subdomain=self.subdomain, email=email, actor=CLI_ACTOR)
            .token
        )


class OrgFactory:
    def __init__(self, store: SqlDirectoryStore) -> None:
        self.store = store

    def create(
        self,
        *,
        rate_limit_per_minute: int | None = None,
        admin_email: str | None = None,
        admin_name: str | None = None,
    ) -> TestOrg:
        suffix = uuid.uuid4().hex[:10]
        subdomain = f"org-{suffix}"
        created = OrganizationsService(self.store).create_organization(
            name=f"Org {suffix}",
            subdomain=subdomain,
            admin_email=admin_email or f"admin-{suffix}@example.com",
            admin_name=admin_name or f"Admin {suffix}",
            rate_limit_per_minute=rate_limit_per_minute,
            actor=CLI_ACTOR,
        )
        return TestOrg(
            subdomain,
            created.org.name,
            created.account_group,
            created.admin,
            created.token,
            self.store,
        )
