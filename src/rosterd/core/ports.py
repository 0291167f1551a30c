"""What the core needs from storage; `rosterd.storage` implements it with SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from rosterd.core.entities import (
    AccountGroup,
    ApiToken,
    AuditEvent,
    Organization,
    Permission,
    Principal,
    Role,
    RoleAssignments,
    User,
)


@dataclass(frozen=True, slots=True)
class NewUser:
    id: UUID
    org_id: int
    email: str
    name: str
    login_account_group_id: int | None
    created_at: datetime
    department: str = ""
    job_title: str = ""
    integration_id: int | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class UserChanges:
    """Fields to overwrite on a user; None leaves a field as it is."""

    email: str | None = None
    email_confirmed: bool | None = None
    name: str | None = None
    login_account_group_id: int | None = None
    updated_at: datetime | None = None


class DirectoryTransaction(Protocol):
    """One database transaction; every method is scoped by organization where data is."""

    # organizations and account groups
    def add_organization(
        self, *, name: str, subdomain: str, rate_limit_per_minute: int | None, now: datetime
    ) -> Organization: ...
    def get_organization_by_subdomain(self, subdomain: str) -> Organization | None: ...
    def add_account_group(self, *, org_id: int, name: str, is_default: bool) -> AccountGroup: ...
    def list_account_groups(self, org_id: int) -> list[AccountGroup]: ...

    # permissions and roles
    def list_permissions(self) -> list[Permission]: ...
    def list_roles(self, org_id: int) -> list[Role]: ...
    def add_role(self, *, org_id: int, name: str, permission_codes: frozenset[str]) -> Role: ...

    # users
    def add_user(self, user: NewUser) -> User: ...
    def get_user(self, org_id: int, uid: int) -> User | None: ...
    def find_user_by_email(self, org_id: int, email: str) -> User | None: ...
    def email_registered_elsewhere(self, email: str, org_id: int) -> bool: ...
    def list_users(self, org_id: int) -> list[User]: ...
    def count_users(self, org_id: int) -> int: ...
    def update_user(self, org_id: int, uid: int, changes: UserChanges) -> User: ...
    def delete_user(self, org_id: int, uid: int) -> None: ...
    def get_role_assignments(self, uid: int) -> RoleAssignments: ...
    def set_role_assignments(self, uid: int, assignments: RoleAssignments) -> None: ...

    # API tokens
    def add_token(
        self, *, org_id: int, user_uid: int, token_hash: str, name: str, now: datetime
    ) -> ApiToken: ...
    def find_principal(self, token_hash: str) -> Principal | None: ...
    def revoke_token(self, *, org_id: int, token_hash: str, now: datetime) -> ApiToken | None: ...
    def list_tokens(self, org_id: int, user_uid: int) -> list[ApiToken]: ...

    # audit
    def add_audit_event(self, event: AuditEvent) -> None: ...
    def list_audit_events(self, org_id: int) -> Sequence[AuditEvent]: ...


class DirectoryStore(Protocol):
    """Opens transactions: `read()` for queries, `write()` for changes (serialized writers)."""

    def read(self) -> AbstractContextManager[DirectoryTransaction]: ...
    def write(self) -> AbstractContextManager[DirectoryTransaction]: ...
    def ping(self) -> None: ...
