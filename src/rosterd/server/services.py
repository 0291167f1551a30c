"""The services one running rosterd shares between its dialects."""

from __future__ import annotations

from dataclasses import dataclass

from rosterd.core.account_groups import AccountGroupsService
from rosterd.core.audit_log import AuditLogService
from rosterd.core.auth import AuthService
from rosterd.core.catalogue import CatalogueService
from rosterd.core.organizations import OrganizationsService
from rosterd.core.ports import DirectoryStore
from rosterd.core.roles import RolesService
from rosterd.core.users import UsersService
from rosterd.server.ratelimit import RateLimiter
from rosterd.server.settings import Settings


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    store: DirectoryStore
    auth: AuthService
    users: UsersService
    catalogue: CatalogueService
    organizations: OrganizationsService
    roles: RolesService
    account_groups: AccountGroupsService
    audit_log: AuditLogService
    rate_limiter: RateLimiter

    @classmethod
    def build(cls, settings: Settings, store: DirectoryStore) -> Services:
        return cls(
            settings=settings,
            store=store,
            auth=AuthService(store),
            users=UsersService(store),
            catalogue=CatalogueService(store),
            organizations=OrganizationsService(store),
            roles=RolesService(store),
            account_groups=AccountGroupsService(store),
            audit_log=AuditLogService(store),
            rate_limiter=RateLimiter(settings.redis_url or "memory://"),
        )
