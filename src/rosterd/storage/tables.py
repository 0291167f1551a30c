"""The schema, as SQLAlchemy Core tables. Only migrations create or change it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from rosterd.storage._types import UTCDateTime

# Integer primary keys autoincrement on SQLite only as INTEGER, on PostgreSQL as BIGINT.
Id = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

organizations = Table(
    "organizations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("subdomain", String(63), nullable=False, unique=True),
    Column("rate_limit_per_minute", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # Moved by triggers whenever the organization's account groups, roles or token endpoint
    # permissions change (migration 0005): what the in-memory caller caches are checked against.
    Column("access_version", BigInteger, nullable=False, server_default="0"),
)

account_groups = Table(
    "account_groups",
    metadata,
    Column("aid", Id, primary_key=True, autoincrement=True),
    Column(
        "org_id", Id, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("name", String(255), nullable=False),
    Column("is_default", Boolean, nullable=False),
    # Binds an Enterprise Agent to the group (ThousandEyes' `accountToken`); not a secret.
    Column("account_token", String(32), nullable=False, server_default=""),
    UniqueConstraint("org_id", "name"),
)

permissions = Table(
    "permissions",
    metadata,
    Column("permission_id", Id, primary_key=True, autoincrement=False),
    Column("code", String(64), nullable=False, unique=True),
    Column("label", String(255), nullable=False),
    Column("is_management", Boolean, nullable=False),
)

roles = Table(
    "roles",
    metadata,
    Column("role_id", Id, primary_key=True, autoincrement=True),
    Column(
        "org_id", Id, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=True, index=True
    ),
    Column("name", String(255), nullable=False),
    Column("is_builtin", Boolean, nullable=False),
    UniqueConstraint("org_id", "name"),
)

role_permissions = Table(
    "role_permissions",
    metadata,
    Column("role_id", Id, ForeignKey("roles.role_id", ondelete="CASCADE"), primary_key=True),
    Column("permission_id", Id, ForeignKey("permissions.permission_id"), primary_key=True),
)

users = Table(
    "users",
    metadata,
    Column("uid", Id, primary_key=True, autoincrement=True),
    Column("id", Uuid(as_uuid=True), nullable=False, unique=True),
    Column("org_id", Id, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(254), nullable=False),
    # Indexed alone on PostgreSQL only; SQLite's lookups use (org_id, email_key) (migration 0010).
    Column("email_key", String(254), nullable=False, index=True),
    Column("email_confirmed", Boolean, nullable=False),
    Column("name", String(255), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("archived", Boolean, nullable=False),
    Column("department", String(255), nullable=False),
    Column("job_title", String(255), nullable=False),
    Column("integration_id", Id, nullable=True),
    Column(
        "login_account_group_id",
        Id,
        ForeignKey("account_groups.aid", ondelete="SET NULL"),
        nullable=True,
    ),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("last_login", UTCDateTime, nullable=True),
    Column("external_id", String(255), nullable=True),
    UniqueConstraint("org_id", "email_key"),
    Index("ix_users_org_id_uid", "org_id", "uid"),
    Index("ix_users_org_id_integration_id_uid", "org_id", "integration_id", "uid"),
    Index("ix_users_integration_id_external_id", "integration_id", "external_id"),
    # The console's archived filter, newest first (migration 0012).
    Index("ix_users_org_id_archived_uid", "org_id", "archived", "uid"),
)

user_account_group_roles = Table(
    "user_account_group_roles",
    metadata,
    Column("uid", Id, ForeignKey("users.uid", ondelete="CASCADE"), primary_key=True),
    Column("aid", Id, ForeignKey("account_groups.aid", ondelete="CASCADE"), primary_key=True),
    Column("role_id", Id, ForeignKey("roles.role_id", ondelete="CASCADE"), primary_key=True),
    # The holders of a group's roles or of a role (the console's filters; migration 0009).
    Index("ix_user_account_group_roles_aid_role_id_uid", "aid", "role_id", "uid"),
    Index("ix_user_account_group_roles_role_id_uid", "role_id", "uid"),
)

user_all_account_group_roles = Table(
    "user_all_account_group_roles",
    metadata,
    Column("uid", Id, ForeignKey("users.uid", ondelete="CASCADE"), primary_key=True),
    Column("role_id", Id, ForeignKey("roles.role_id", ondelete="CASCADE"), primary_key=True),
    Index("ix_user_all_account_group_roles_role_id_uid", "role_id", "uid"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("org_id", Id, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("user_uid", Id, ForeignKey("users.uid", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    # Written at most once a minute per token and process, off the request (migration 0011).
    Column("last_used_at", UTCDateTime, nullable=True),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", String(26), primary_key=True),
    Column("org_id", Id, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("actor_type", String(32), nullable=False),
    Column("actor_id", String(64), nullable=True),
    Column("action", String(64), nullable=False),
    Column("target_type", String(32), nullable=False),
    Column("target_id", String(64), nullable=False),
    Column("new_state", JSON, nullable=True),
    Column("request_id", String(64), nullable=True),
    # The account group the change was made in (none: outside any, e.g. by the CLI), and what
    # the target was called then; neither is a foreign key, as the log outlives both.
    Column("aid", Id, nullable=True),
    Column("target_name", String(512), nullable=True),
    Index("ix_audit_events_org_id_occurred_at", "org_id", "occurred_at"),
    Index("ix_audit_events_org_id_occurred_at_id", "org_id", "occurred_at", "id"),
    Index("ix_audit_events_org_id_id", "org_id", "id"),
    # The console's filters (migration 0009), each giving its events newest first.
    Index(
        "ix_audit_events_org_id_target_id_occurred_at_id",
        "org_id",
        "target_id",
        "occurred_at",
        "id",
    ),
    Index(
        "ix_audit_events_org_id_actor_occurred_at_id",
        "org_id",
        "actor_type",
        "actor_id",
        "occurred_at",
        "id",
    ),
    Index("ix_audit_events_org_id_action_occurred_at_id", "org_id", "action", "occurred_at", "id"),
)

# Kandji-style endpoint permissions of a token; a token without rows may call every endpoint.
api_token_permissions = Table(
    "api_token_permissions",
    metadata,
    Column("token_id", Id, ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True),
    Column("path", String(255), primary_key=True),
    Column("http_method", String(16), primary_key=True),
)

integrations = Table(
    "integrations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("uuid", Uuid(as_uuid=True), nullable=False, unique=True),
    Column(
        "org_id", Id, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("name", String(255), nullable=False),
    Column("type", String(32), nullable=False),
    # SHA-256 of the integration's SCIM bearer token (only `scim` integrations have one).
    Column("scim_token_hash", String(64), nullable=True, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("device_id", Uuid(as_uuid=True), nullable=False, unique=True),
    Column("org_id", Id, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("model", String(255), nullable=False),
    Column("serial_number", String(64), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("os_version", String(64), nullable=False),
    Column("supplemental_build_version", String(64), nullable=False),
    Column("supplemental_os_version_extra", String(64), nullable=False),
    Column("last_check_in", UTCDateTime, nullable=True),
    Column("asset_tag", String(255), nullable=False),
    Column("blueprint_id", Uuid(as_uuid=True), nullable=True),
    Column("blueprint_name", String(255), nullable=False),
    Column("mdm_enabled", Boolean, nullable=False),
    Column("agent_installed", Boolean, nullable=False),
    Column("is_missing", Boolean, nullable=False),
    Column("is_removed", Boolean, nullable=False),
    Column("agent_version", String(64), nullable=False),
    Column("first_enrollment", UTCDateTime, nullable=True),
    Column("last_enrollment", UTCDateTime, nullable=True),
    Column("lost_mode_status", String(64), nullable=False),
    Column("tags", JSON, nullable=False),
    Column("mac_address", String(64), nullable=False, server_default=""),
    Column("filevault_enabled", Boolean, nullable=True),
    # A user deleted elsewhere (the ThousandEyes API) leaves its devices unassigned.
    Column("user_uid", Id, ForeignKey("users.uid", ondelete="SET NULL"), nullable=True, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("org_id", "serial_number"),
    Index("ix_devices_org_id_id", "org_id", "id"),
    # The platform and asset tag filters, in enrolment order (migration 0012).
    Index("ix_devices_org_id_platform_id", "org_id", "platform", "id"),
    Index("ix_devices_org_id_asset_tag_id", "org_id", "asset_tag", "id"),
)

# What a SCIM client knows a user by (userName, unique per integration) and the attributes it sent,
# kept as given; the users row holds the directory columns derived from them.
scim_users = Table(
    "scim_users",
    metadata,
    Column("uid", Id, ForeignKey("users.uid", ondelete="CASCADE"), primary_key=True),
    Column("integration_id", Id, ForeignKey("integrations.id", ondelete="CASCADE"), nullable=False),
    Column("user_name", String(255), nullable=False),
    Column("user_name_key", String(255), nullable=False),
    Column("attributes", JSON, nullable=False),
    UniqueConstraint("integration_id", "user_name_key"),
)

directory_groups = Table(
    "directory_groups",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("uuid", Uuid(as_uuid=True), nullable=False, unique=True),
    Column("org_id", Id, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("integration_id", Id, ForeignKey("integrations.id", ondelete="CASCADE"), nullable=False),
    Column("display_name", String(255), nullable=False),
    Column("display_name_key", String(255), nullable=False),
    Column("external_id", String(255), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_directory_groups_integration_id_id", "integration_id", "id"),
    Index(
        "ix_directory_groups_integration_id_display_name_key", "integration_id", "display_name_key"
    ),
    Index("ix_directory_groups_integration_id_external_id", "integration_id", "external_id"),
)

directory_group_members = Table(
    "directory_group_members",
    metadata,
    Column("group_id", Id, ForeignKey("directory_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_uid", Id, ForeignKey("users.uid", ondelete="CASCADE"), primary_key=True),
    Column("display", String(255), nullable=True),
    Index("ix_directory_group_members_user_uid", "user_uid"),
)

# The console's uploaded import files (core/import_jobs.py), each the session's that sent it
# (`owner`, a digest of the session), in chunks; deleted an hour after last looked at.
console_uploads = Table(
    "console_uploads",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("org_id", Id, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("integration_id", Id, ForeignKey("integrations.id", ondelete="CASCADE"), nullable=False),
    Column("filename", String(100), nullable=False),
    Column("format", String(8), nullable=True),  # None: told from the content
    Column("full_sync", Boolean, nullable=False),
    Column("size", BigInteger, nullable=False),  # bytes, once all chunks are in
    Column("chunks", Integer, nullable=False),
    Column("total", BigInteger, nullable=False),  # records, once planned
    Column("plan", JSON, nullable=True),  # the dry run's; None until it is made
    Column("created_at", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
)

console_upload_chunks = Table(
    "console_upload_chunks",
    metadata,
    Column(
        "upload_id",
        String(32),
        ForeignKey("console_uploads.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("number", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

# An upload's import, run by one worker; `heartbeat_at` moves while that worker is alive.
console_import_jobs = Table(
    "console_import_jobs",
    metadata,
    Column(
        "upload_id",
        String(32),
        ForeignKey("console_uploads.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("state", String(16), nullable=False),  # running, done, stopped
    Column("done", BigInteger, nullable=False),  # records written so far
    Column("created", BigInteger, nullable=False),
    Column("updated", BigInteger, nullable=False),
    Column("unchanged", BigInteger, nullable=False),
    Column("archived", BigInteger, nullable=False),
    Column("error", Text, nullable=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("heartbeat_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
)
