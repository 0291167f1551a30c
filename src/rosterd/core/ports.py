"""What the core needs from storage; `rosterd.storage` implements it with SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Protocol
from uuid import UUID

from rosterd.core.entities import (
    AccountGroup,
    ApiToken,
    AuditEvent,
    Catalogue,
    DeviceView,
    DirectoryGroup,
    DirectoryUser,
    EndpointPermission,
    Integration,
    Organization,
    Permission,
    Principal,
    ProvisionedUser,
    Role,
    RoleAssignments,
    User,
)
from rosterd.core.shapes import RenderedUser, UserShape

if TYPE_CHECKING:  # they import this module
    from rosterd.core.directory_sync import ImportPlan
    from rosterd.core.import_jobs import JobEnd, NewUpload, Upload


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
    external_id: str | None = None
    archived: bool = False


@dataclass(frozen=True, slots=True)
class UserChanges:
    """Fields to overwrite on a user; None leaves a field as it is."""

    email: str | None = None
    email_confirmed: bool | None = None
    name: str | None = None
    login_account_group_id: int | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DirectoryUserUpdate:
    """A directory sync's view of one existing user: every field is set as given."""

    uid: int
    email: str
    name: str
    department: str
    job_title: str
    active: bool
    archived: bool
    integration_id: int
    external_id: str | None
    updated_at: datetime
    # The fields above that differ from the stored user, when the caller knows (a bulk import
    # writes only those: on SQLite, setting an indexed column rewrites its index entries).
    changed: frozenset[str] | None = None


class DirectoryMatch(NamedTuple):
    """An existing user as a directory sync compares it with a record. A tuple: an import reads
    one per record, and a frozen dataclass costs several times as much to make."""

    uid: int
    id: str  # the user's UUID, in canonical text
    email: str
    email_key: str  # as stored: the key the user was found by
    name: str
    active: bool
    archived: bool
    department: str
    job_title: str
    integration_id: int | None
    external_id: str | None


class NewDirectoryUser(NamedTuple):
    """One new user of a `NewDirectoryUsers` batch."""

    id: str  # a new UUID, in canonical text
    email: str
    name: str
    department: str
    job_title: str
    active: bool
    external_id: str | None


@dataclass(frozen=True, slots=True)
class NewDirectoryUsers:
    """New users of one integration, made at one time: what they share, once."""

    org_id: int
    integration_id: int
    login_account_group_id: int
    created_at: datetime
    users: Sequence[NewDirectoryUser]


@dataclass(frozen=True, slots=True)
class AuditBatch:
    """Audit events of one bulk change by one actor at one time, on targets of one type: what
    they share, once, and (id, action, target_id, new_state) for each event."""

    org_id: int
    occurred_at: datetime
    actor_type: str
    actor_id: str | None
    request_id: str | None
    target_type: str
    events: Sequence[tuple[str, str, str, dict[str, Any] | None]]


@dataclass(frozen=True, slots=True)
class UserQuery:
    """Filters of a directory listing; None means "no filter"."""

    email_contains: str | None = None
    id: UUID | None = None
    integration_uuid: UUID | None = None
    archived: bool | None = None
    # The console's filters: the email or the name contains this (case-insensitive), and a
    # role in this account group (or in all of them) / this role anywhere, of the same
    # organization (another organization's aid or role_id matches nobody).
    text_contains: str | None = None
    account_group: int | None = None
    role: int | None = None


@dataclass(frozen=True, slots=True)
class Keyset:
    """One page of a newest-first listing by uid.

    Forward pages hold uids below `position` (all when None), newest first; reverse pages
    (the way back) hold the uids above it, returned oldest first.
    """

    position: int | None = None
    reverse: bool = False
    offset: int = 0
    limit: int = 300


@dataclass(frozen=True, slots=True)
class NewDevice:
    device_id: UUID
    org_id: int
    name: str
    model: str
    serial_number: str
    platform: str
    os_version: str
    created_at: datetime
    supplemental_build_version: str = ""
    supplemental_os_version_extra: str = ""
    last_check_in: datetime | None = None
    asset_tag: str = ""
    blueprint_id: UUID | None = None
    blueprint_name: str = ""
    mdm_enabled: bool = True
    agent_installed: bool = True
    is_missing: bool = False
    is_removed: bool = False
    agent_version: str = ""
    first_enrollment: datetime | None = None
    last_enrollment: datetime | None = None
    lost_mode_status: str = ""
    tags: tuple[str, ...] = ()
    user_uid: int | None = None
    mac_address: str = ""
    filevault_enabled: bool | None = None


@dataclass(frozen=True, slots=True)
class DeviceChanges:
    """A device update; `set_user` says whether `user_uid` (possibly None) is to be written."""

    updated_at: datetime
    set_user: bool = False
    user_uid: int | None = None
    asset_tag: str | None = None
    tags: tuple[str, ...] | None = None
    blueprint_id: UUID | None = None


# What a device listing may be ordered by (Kandji's `ordering` values); `user` is the
# assigned user's name.
DEVICE_ORDERINGS: Final = (
    "asset_tag",
    "blueprint_id",
    "device_id",
    "device_name",
    "last_check_in",
    "model",
    "platform",
    "os_version",
    "serial_number",
    "user",
)


@dataclass(frozen=True, slots=True)
class DeviceQuery:
    """Filters of a device listing, all of which a device must pass; None means "no filter".
    `*_contains` match case-insensitively anywhere in the value."""

    user_name_contains: str | None = None
    user_email_contains: str | None = None
    user_email_exact: str | None = None
    user_id: UUID | None = None
    device_id: UUID | None = None
    serial_number_contains: str | None = None
    platform: str | None = None
    device_name_contains: str | None = None
    model_contains: str | None = None
    os_version_contains: str | None = None
    asset_tag: str | None = None
    blueprint_id_contains: str | None = None
    mac_address: str | None = None  # exact, in any letter case
    filevault_enabled: bool | None = None  # macOS devices only
    tag_name: str | None = None  # devices with this tag (its exact name)
    tag_name_in: frozenset[str] | None = None  # devices with any of these tags
    tag_ids: frozenset[str] | None = None  # tags have no ids yet: matches no device
    # (field, descending) in order of precedence; the device's creation order breaks ties.
    ordering: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """A page of audit events, sorted by `sort` (`occurred_at` or `id`), keyset-paged."""

    sort: str = "occurred_at"
    descending: bool = False
    start: datetime | None = None
    end: datetime | None = None
    # The last event seen (occurred_at, id); the page continues after it in `sort` order,
    # or before it when `backwards` (the way to the previous page).
    after: tuple[datetime, str] | None = None
    backwards: bool = False
    limit: int = 500
    # Only events made in these account groups (None: every event), and then whether events
    # made outside every account group (the CLI, Kandji's API, a directory integration) count.
    account_groups: frozenset[int] | None = None
    unattributed: bool = True
    # Exact values (None: any); an `action` ending in "." is a prefix (`user.`: every action
    # on users).
    action: str | None = None
    actor_type: str | None = None
    actor_id: str | None = None
    target_id: str | None = None


@dataclass(frozen=True, slots=True)
class OperatorUserQuery:
    """An operator's listing of an organization's users: in uid order, after `after_uid`;
    None means "no filter"."""

    email_contains: str | None = None
    integration_uuid: UUID | None = None
    archived: bool | None = None
    account_group: int | None = None  # a role in it, or in all account groups
    after_uid: int | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class OperatorAuditQuery:
    """An operator's read of the audit log, newest first; None means "no filter"."""

    action: str | None = None
    actor_type: str | None = None
    actor_id: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class ProvisionedUserQuery:
    """An integration's users, narrowed by exact values; None means "any"."""

    id: UUID | None = None
    user_name_key: str | None = None
    external_id: str | None = None
    archived: bool | None = False


@dataclass(frozen=True, slots=True)
class ScimRecord:
    """What an integration's provisioning client knows a user by, stored beside the user."""

    uid: int
    integration_id: int
    user_name: str
    user_name_key: str
    attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class GroupQuery:
    """An integration's groups, narrowed by exact values; None means "any"."""

    uuid: UUID | None = None
    display_name_key: str | None = None
    external_id: str | None = None
    member_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class NewGroup:
    uuid: UUID
    org_id: int
    integration_id: int
    display_name: str
    display_name_key: str
    external_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class GroupChanges:
    display_name: str
    display_name_key: str
    external_id: str | None
    updated_at: datetime
    added: tuple[tuple[int, str | None], ...] = ()  # (user uid, display)
    removed: tuple[int, ...] = ()
    relabelled: tuple[tuple[int, str | None], ...] = ()


class DirectoryTransaction(Protocol):
    """One database transaction; every method is scoped by organization where data is."""

    # organizations and account groups
    def add_organization(
        self, *, name: str, subdomain: str, rate_limit_per_minute: int | None, now: datetime
    ) -> Organization: ...
    def get_organization_by_subdomain(self, subdomain: str) -> Organization | None: ...
    def get_organization(self, org_id: int) -> Organization | None: ...
    def list_organizations(self) -> list[Organization]:
        """Every organization, in the order they were created."""
        ...

    def find_users(self, org_id: int, query: OperatorUserQuery) -> list[DirectoryUser]: ...
    def find_audit_events(self, org_id: int, query: OperatorAuditQuery) -> list[AuditEvent]: ...
    def add_account_group(
        self, *, org_id: int, name: str, is_default: bool, account_token: str
    ) -> AccountGroup: ...
    def list_account_groups(self, org_id: int) -> list[AccountGroup]: ...
    def rename_account_group(self, *, org_id: int, aid: int, name: str) -> AccountGroup: ...
    def delete_account_group(self, *, org_id: int, aid: int) -> None: ...
    def account_group_members(self, org_id: int, aid: int) -> list[tuple[User, set[int]]]:
        """Users with a role in the group, in uid order, with the ids of their roles there."""
        ...

    def count_account_group_members(
        self, org_id: int, aid: int, role_ids: Sequence[int], bound: int
    ) -> int:
        """How many users `account_group_members` lists, counted up to `bound` + 1 at most
        (`role_ids`: every role that may be held there), at a cost bounded by `bound`."""
        ...

    def holders_only_in_account_group(self, aid: int, role_id: int | None = None) -> set[int]:
        """Users holding a role (`role_id`, or any) in this group and in no other."""
        ...

    # permissions and roles
    def list_permissions(self) -> list[Permission]: ...
    def list_roles(self, org_id: int) -> list[Role]: ...
    def get_catalogue(self, org_id: int) -> Catalogue:
        """The organization's account groups and roles as of this transaction (the store may
        answer from memory while nothing they depend on has changed)."""
        ...

    def add_role(self, *, org_id: int, name: str, permission_codes: frozenset[str]) -> Role: ...
    def replace_role(
        self, *, org_id: int, role_id: int, name: str, permission_codes: frozenset[str]
    ) -> Role:
        """Rename a custom role of the organization and give it exactly these permissions."""
        ...

    def delete_role(self, *, org_id: int, role_id: int) -> None: ...
    def count_role_holders(self, role_id: int) -> int:
        """How many users hold the role, in any account group or in all of them."""
        ...

    # users
    def add_user(self, user: NewUser) -> User: ...
    def get_user(self, org_id: int, uid: int) -> User | None: ...
    def find_user_by_email(self, org_id: int, email: str) -> User | None: ...
    def list_users(self, org_id: int, *, after_uid: int | None, limit: int) -> list[User]:
        """Up to `limit` of the organization's users in uid order, after `after_uid`."""
        ...

    def count_users(self, org_id: int) -> int: ...
    def update_user(self, org_id: int, uid: int, changes: UserChanges) -> User: ...
    def delete_user(self, org_id: int, uid: int) -> None: ...
    def get_role_assignments(self, uid: int) -> RoleAssignments: ...
    def set_role_assignments(self, uid: int, assignments: RoleAssignments) -> None: ...
    def lock_organization(self, org_id: int) -> None:
        """Queue up behind other writers that lock the organization (PostgreSQL)."""
        ...

    def active_role_holders(self, org_id: int, role_id: int) -> frozenset[int]:
        """The uids of active, unarchived users holding `role_id` anywhere in the org."""
        ...

    # API tokens
    def add_token(
        self, *, org_id: int, user_uid: int, token_hash: str, name: str, now: datetime
    ) -> ApiToken: ...
    def find_principal(self, token_hash: str) -> Principal | None: ...
    def revoke_token(
        self,
        *,
        org_id: int,
        now: datetime,
        token_hash: str | None = None,
        token_id: int | None = None,
    ) -> ApiToken | None: ...
    def list_tokens(self, org_id: int, user_uid: int) -> list[ApiToken]: ...

    # audit
    def add_audit_event(self, event: AuditEvent) -> None: ...
    def list_audit_events(self, org_id: int) -> Sequence[AuditEvent]: ...
    def add_audit_events(self, events: Sequence[AuditEvent]) -> None: ...
    def page_audit_events(self, org_id: int, query: AuditQuery) -> list[AuditEvent]: ...

    # endpoint permissions of API tokens
    def add_token_permissions(
        self, token_id: int, permissions: Sequence[EndpointPermission]
    ) -> None: ...
    def list_token_permissions(self, token_id: int) -> list[EndpointPermission]: ...

    # directory integrations
    def add_integration(
        self,
        *,
        org_id: int,
        uuid: UUID,
        name: str,
        type: str,
        scim_token_hash: str | None,
        now: datetime,
    ) -> Integration: ...
    def get_integration_by_uuid(self, org_id: int, uuid: UUID) -> Integration | None: ...
    def find_integration_by_scim_token(self, token_hash: str) -> Integration | None: ...
    def set_integration_scim_token(self, integration_id: int, token_hash: str | None) -> None: ...
    def list_integrations(self, org_id: int) -> list[Integration]: ...
    def scim_token_holders(self, org_id: int) -> frozenset[int]:
        """The ids of the organization's integrations that have a SCIM token."""
        ...

    # directory users
    # In a write, the user's row stays locked until commit, as with `get_user`.
    def get_user_by_id(self, org_id: int, id: UUID) -> User | None: ...
    def get_directory_user(self, org_id: int, id: UUID) -> DirectoryUser | None: ...
    def list_directory_users(
        self, org_id: int, query: UserQuery, page: Keyset
    ) -> list[DirectoryUser]: ...
    # The same user and page as JSON of `shape`, written by the store (core/shapes.py).
    def get_rendered_user(self, org_id: int, id: UUID, shape: UserShape) -> str | None: ...
    def list_rendered_users(
        self, org_id: int, query: UserQuery, page: Keyset, shape: UserShape
    ) -> list[RenderedUser]: ...
    def count_devices_of(self, org_id: int, uid: int) -> int: ...
    def find_directory_matches(
        self,
        org_id: int,
        integration_id: int,
        external_ids: Sequence[str],
        email_keys: Sequence[str],
    ) -> list[DirectoryMatch]:
        """The integration's users with these external ids, and the organization's users with
        these email keys (`validation.email_key`)."""
        ...

    def add_directory_users(self, batch: NewDirectoryUsers) -> None: ...
    def update_directory_users(
        self, org_id: int, updates: Sequence[DirectoryUserUpdate]
    ) -> None: ...
    def unarchived_integration_uids(self, org_id: int, integration_id: int) -> Iterator[int]:
        """The uids of the integration's users that are not archived, in increasing order."""
        ...

    def archive_directory_users(self, org_id: int, uids: Sequence[int], now: datetime) -> list[str]:
        """Archive these users; their ids (canonical UUID text), in the order of `uids`."""
        ...

    def archive_users(self, org_id: int, uids: Sequence[int], now: datetime) -> None: ...
    def add_audit_batch(self, batch: AuditBatch) -> None: ...

    # devices
    # The user a device is about to be assigned to, by id or else by email. In a write it is held
    # until commit: a delete of it waits for the assignment, or has already removed it (None).
    def find_assignee(
        self, org_id: int, *, id: UUID | None = None, email: str | None = None
    ) -> User | None: ...
    def add_device(self, device: NewDevice) -> DeviceView: ...
    def get_device(self, org_id: int, device_id: UUID) -> DeviceView | None: ...
    def find_device_by_serial(self, org_id: int, serial_number: str) -> DeviceView | None: ...
    def update_device(self, org_id: int, id: int, changes: DeviceChanges) -> DeviceView: ...
    # From `offset` in the query's order; or, in enrolment order, the page after the device of
    # id `after` or before that of id `before` (keyset pages), in enrolment order either way.
    def list_devices(
        self,
        org_id: int,
        query: DeviceQuery,
        *,
        limit: int,
        offset: int,
        after: int | None = None,
        before: int | None = None,
    ) -> list[DeviceView]: ...

    # provisioning (SCIM): an integration's users with their records, and its groups
    def lock_integration(self, integration_id: int) -> None: ...
    def find_provisioned_users(
        self,
        org_id: int,
        integration_id: int,
        query: ProvisionedUserQuery,
        *,
        offset: int = 0,
        limit: int | None = None,
        lock: bool = False,
    ) -> list[ProvisionedUser]: ...
    def count_provisioned_users(
        self, org_id: int, integration_id: int, query: ProvisionedUserQuery
    ) -> int: ...
    def save_scim_record(self, record: ScimRecord) -> None: ...
    def integration_user_uids(
        self, org_id: int, integration_id: int, ids: Sequence[UUID]
    ) -> dict[UUID, int]: ...
    def add_group(self, group: NewGroup) -> DirectoryGroup: ...
    def find_groups(
        self,
        org_id: int,
        integration_id: int,
        query: GroupQuery,
        *,
        offset: int = 0,
        limit: int | None = None,
        with_members: bool = True,
        lock: bool = False,
    ) -> list[DirectoryGroup]: ...
    def count_groups(self, org_id: int, integration_id: int, query: GroupQuery) -> int: ...
    def update_group(self, org_id: int, group_id: int, changes: GroupChanges) -> None: ...
    def group_members_among(self, group_id: int, uids: Sequence[int]) -> dict[int, str | None]: ...
    def delete_group(self, org_id: int, group_id: int) -> None: ...
    def leave_groups(self, uid: int, now: datetime) -> list[DirectoryGroup]: ...
    # the console's uploads and their import jobs (core/import_jobs.py)
    def add_upload(self, upload: NewUpload) -> None: ...
    def add_upload_chunk(self, upload_id: str, number: int, data: bytes) -> None: ...
    def set_upload_size(self, upload_id: str, *, size: int, chunks: int) -> None: ...
    def get_upload(self, upload_id: str) -> Upload | None:
        """The upload with its job (if it has one), whoever's it is."""
        ...

    def get_upload_chunk(self, upload_id: str, number: int) -> bytes | None: ...
    def set_upload_plan(self, upload_id: str, plan: ImportPlan, total: int) -> None: ...
    def see_upload(self, upload_id: str, now: datetime, expires_at: datetime) -> None: ...
    def delete_upload(self, upload_id: str) -> None: ...
    def delete_upload_chunks(self, upload_id: str) -> None: ...
    def any_expired_uploads(self, now: datetime) -> bool:
        """Whether an upload has expired by `now` (a read of the expiry index's first entry)."""
        ...

    def delete_expired_uploads(self, now: datetime, alive_since: datetime) -> int:
        """Delete the uploads expired by `now`, but those whose job is running with a
        heartbeat since `alive_since`; returns how many."""
        ...

    def add_import_job(self, upload_id: str, now: datetime) -> bool:
        """The upload's job, running; False if it has one."""
        ...

    def beat_import_job(self, upload_id: str, *, done: int, now: datetime) -> None: ...
    def finish_import_job(self, upload_id: str, end: JobEnd) -> None: ...


class DirectoryStore(Protocol):
    """Opens transactions: `read()` for queries, `write()` for changes (serialized writers)."""

    def read(self) -> AbstractContextManager[DirectoryTransaction]: ...
    def write(self) -> AbstractContextManager[DirectoryTransaction]: ...
    def shared_read(self) -> AbstractContextManager[None]:
        """Every `read()` of the block (in this task and thread) in one transaction."""
        ...

    def token_used(self, token_id: int) -> None:
        """The token authenticated a request now: record its last use (at most once a minute,
        never failing or delaying the request)."""
        ...

    def ping(self) -> None: ...
