"""Directory entities: plain, immutable values shared by every dialect."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Organization:
    id: int
    name: str
    subdomain: str
    rate_limit_per_minute: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AccountGroup:
    aid: int
    org_id: int
    name: str
    is_default: bool
    account_token: str  # binds an Enterprise Agent to the group; not a secret


@dataclass(frozen=True, slots=True)
class Permission:
    permission_id: int
    code: str
    label: str
    is_management: bool


@dataclass(frozen=True, slots=True)
class Role:
    role_id: int
    org_id: int | None  # None for the built-in roles every organization shares
    name: str
    is_builtin: bool
    permission_codes: frozenset[str]
    has_management_permissions: bool


@dataclass(frozen=True, slots=True)
class Catalogue:
    """An organization's account groups and the roles it can use, with their permissions."""

    account_groups: Mapping[int, AccountGroup]  # by aid, in aid order
    roles: Mapping[int, Role]  # by role id


@dataclass(frozen=True, slots=True)
class User:
    uid: int
    id: UUID
    org_id: int
    email: str
    name: str
    active: bool
    archived: bool
    department: str
    job_title: str
    integration_id: int | None
    login_account_group_id: int | None
    email_confirmed: bool
    created_at: datetime
    updated_at: datetime
    last_login: datetime | None
    external_id: str | None = None  # the directory's own id for the person (SCIM externalId)


@dataclass(frozen=True, slots=True)
class RoleAssignments:
    """Role ids per account group (aid), and the roles held in all account groups."""

    by_account_group: dict[int, frozenset[int]] = field(default_factory=dict)
    all_account_groups: frozenset[int] = frozenset()

    def role_ids(self) -> frozenset[int]:
        held = set(self.all_account_groups)
        for roles in self.by_account_group.values():
            held |= roles
        return frozenset(held)

    def in_account_group(self, aid: int) -> frozenset[int]:
        return self.by_account_group.get(aid, frozenset()) | self.all_account_groups


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    org_id: int
    user_uid: int
    name: str
    created_at: datetime
    revoked_at: datetime | None
    # When it was last used, to within a minute or so (None: not since rosterd recorded it).
    last_used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request."""

    org: Organization
    user: User
    token_id: int
    # The endpoints the token is limited to; empty: every endpoint.
    endpoints: frozenset[EndpointPermission] = frozenset()

    def may_call(self, endpoint: EndpointPermission) -> bool:
        return not self.endpoints or endpoint in self.endpoints


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: str
    org_id: int
    occurred_at: datetime
    actor_type: str  # "user", "cli", "integration"
    actor_id: str | None
    action: str  # e.g. "user.create"
    target_type: str
    target_id: str
    new_state: dict[str, Any] | None
    request_id: str | None
    aid: int | None = None  # the account group the change was made in, if any
    target_name: str | None = None  # what the target was called when it changed


@dataclass(frozen=True, slots=True)
class Integration:
    """A directory integration (Office 365, Google Workspace, SCIM) that users come from."""

    id: int
    uuid: UUID
    org_id: int
    name: str
    type: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DirectoryUser:
    """A user as the directory shows it: with its integration and how many devices it has."""

    user: User
    integration: Integration | None
    device_count: int


@dataclass(frozen=True, slots=True)
class Device:
    """A managed device; at most one user is assigned to it."""

    id: int
    device_id: UUID
    org_id: int
    name: str
    model: str
    serial_number: str
    platform: str
    os_version: str
    supplemental_build_version: str
    supplemental_os_version_extra: str
    last_check_in: datetime | None
    asset_tag: str
    blueprint_id: UUID | None
    blueprint_name: str
    mdm_enabled: bool
    agent_installed: bool
    is_missing: bool
    is_removed: bool
    agent_version: str
    first_enrollment: datetime | None
    last_enrollment: datetime | None
    lost_mode_status: str
    tags: tuple[str, ...]
    user_uid: int | None
    created_at: datetime
    updated_at: datetime
    mac_address: str = ""  # filtered on, not shown in the device list
    filevault_enabled: bool | None = None  # macOS only; None: unknown


@dataclass(frozen=True, slots=True)
class DeviceView:
    device: Device
    user: User | None


@dataclass(frozen=True, slots=True)
class EndpointPermission:
    """One endpoint a token may call, Kandji-style: a path template and an HTTP method."""

    path: str
    http_method: str


@dataclass(frozen=True, slots=True)
class GroupRef:
    """A directory group as its members see it."""

    id: UUID
    display_name: str


@dataclass(frozen=True, slots=True)
class ProvisionedUser:
    """A directory user as its integration's provisioning client (SCIM) sees it.

    `attributes` holds what the client sent, as it sent it (the core never reads it); it is None,
    like `user_name`, for a user that came into the integration some other way (an import).
    """

    user: User
    user_name: str | None
    attributes: dict[str, Any] | None
    groups: tuple[GroupRef, ...]


@dataclass(frozen=True, slots=True)
class GroupMember:
    user_id: UUID
    user_uid: int
    display: str | None  # the label the client gave the member, kept as given


@dataclass(frozen=True, slots=True)
class DirectoryGroup:
    """A group of an integration's users, as the directory's provisioning client keeps it."""

    id: int
    uuid: UUID
    org_id: int
    integration_id: int
    display_name: str
    external_id: str | None
    created_at: datetime
    updated_at: datetime
    member_count: int
    member_checksum: int  # sum of the members' uids: changes whenever a member goes
    members: tuple[GroupMember, ...] | None  # None when not loaded
