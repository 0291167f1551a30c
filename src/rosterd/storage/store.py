"""The SQLAlchemy implementation of the core's DirectoryStore."""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import (
    Connection,
    Engine,
    delete,
    func,
    insert,
    select,
    text,
    union,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Subquery

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
from rosterd.core.errors import Conflict, FieldError, NotFound
from rosterd.core.ports import (
    AuditBatch,
    AuditQuery,
    DeviceChanges,
    DeviceQuery,
    DirectoryMatch,
    DirectoryUserUpdate,
    GroupChanges,
    GroupQuery,
    Keyset,
    NewDevice,
    NewDirectoryUsers,
    NewGroup,
    NewUser,
    OperatorAuditQuery,
    OperatorUserQuery,
    ProvisionedUserQuery,
    ScimRecord,
    UserChanges,
    UserQuery,
)
from rosterd.core.shapes import RenderedUser, UserShape
from rosterd.core.validation import email_key
from rosterd.storage import (
    _account_groups,
    _audit,
    _devices,
    _directory,
    _groups,
    _operator,
    _provisioning,
    _rows,
    _statements,
)
from rosterd.storage import tables as t
from rosterd.storage._access import AccessCache
from rosterd.storage._kept import KeptConnections
from rosterd.storage._prepared import PreparedRow, PreparedStatements, Statement
from rosterd.storage._token_use import TokenUses
from rosterd.storage._turns import Turns
from rosterd.storage.engine import BEGIN_MODE_OPTION

if TYPE_CHECKING:
    from rosterd.core.directory_sync import ImportPlan
    from rosterd.core.import_jobs import JobEnd, NewUpload, Upload

_KEPT_READERS = 4  # the event loop's reads, and a few of the thread pool's


# The transaction `SqlDirectoryStore.shared_read` shares: its store, and the thread it is on.
_shared_read: ContextVar[tuple[SqlDirectoryStore, SqlTransaction, int] | None] = ContextVar(
    "rosterd_shared_read", default=None
)


class SqlDirectoryStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.access_cache = AccessCache()
        self.prepared = PreparedStatements(engine.dialect)
        # SQLite takes one writer at a time. Writers of this process queue here, in order, and
        # wait only as long as the writer ahead of them; left to SQLite's busy handler they
        # would poll with sleeps of up to 100 ms, and the unlucky ones wait seconds.
        self._writer_turn: contextlib.AbstractContextManager[None] = (
            Turns() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )
        # On PostgreSQL the pool's checkout pings an idle connection, which a kept one would not.
        sqlite = engine.dialect.name == "sqlite"
        self._readers = KeptConnections(engine, keep=_KEPT_READERS) if sqlite else None
        # One writer at a time (the turn above): one connection, beginning IMMEDIATE.
        self._writer = (
            KeptConnections(engine, keep=1, options={BEGIN_MODE_OPTION: "IMMEDIATE"})
            if sqlite
            else None
        )
        self._token_uses = TokenUses(self._write_token_uses)
        # PostgreSQL's reads: a statement a transaction, no BEGIN and COMMIT (storage/_blocks.py).
        self._autocommit = (
            engine if sqlite else engine.execution_options(isolation_level="AUTOCOMMIT")
        )

    @contextmanager
    def read(self) -> Iterator[SqlTransaction]:
        shared = _shared_read.get()
        if shared is not None and shared[0] is self and shared[2] == threading.get_ident():
            yield shared[1]  # inside `shared_read`: its transaction
            return
        if self._readers is not None:
            with self._readers.transaction() as conn:
                yield SqlTransaction(conn, self)
            return
        with self._autocommit.connect() as conn, conn.begin():  # storage/_blocks.py
            yield SqlTransaction(conn, self)

    @contextmanager
    def shared_read(self) -> Iterator[None]:
        """One read transaction for every `read` of the block, in this task and thread: an
        authenticated read request's principal, caller and answer come from one transaction
        instead of two, and the organization's access version is read once (docs/performance.md).
        Writes take their own transaction as always; a worker thread the block hands work to
        (whose context is a copy) does not share it, as a connection is not shared across
        threads."""
        with self.read() as tx:
            token = _shared_read.set((self, tx, threading.get_ident()))
            try:
                yield
            finally:
                _shared_read.reset(token)

    @contextmanager
    def write(self) -> Iterator[SqlTransaction]:
        try:
            with self._writer_turn, self._write_transaction() as conn:
                yield SqlTransaction(conn, self, writing=True)
        except IntegrityError as exc:
            # Constraints the core could not check first (a concurrent writer got there before
            # us) still end as a core error, never as a 500.
            raise Conflict("The change conflicts with a concurrent change; try again") from exc

    @contextmanager
    def _write_transaction(self) -> Iterator[Connection]:
        # `read` does the same inline: shared, it would be two generator frames more on every
        # read request (11 calls of ~700, bench.calls).
        if self._writer is not None:
            with self._writer.transaction() as conn:
                yield conn
            return
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def token_used(self, token_id: int) -> None:
        """The token authenticated a request: its last use is recorded, within a minute, off
        the request (storage/_token_use.py)."""
        self._token_uses.used(token_id)

    def flush_token_uses(self) -> None:
        """Write the token uses not written yet, now (the tests' way to see them at once)."""
        self._token_uses.flush()

    def _write_token_uses(self, uses: Mapping[int, datetime]) -> None:
        with self.write() as tx:
            tx.record_token_uses(uses)

    def close(self) -> None:
        """Close the connections this store keeps open (the engine's pool is the caller's)."""
        self._token_uses.close()
        for kept in (self._readers, self._writer):
            if kept is not None:
                kept.close()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))


class SqlTransaction:
    def __init__(
        self, conn: Connection, store: SqlDirectoryStore, *, writing: bool = False
    ) -> None:
        self._conn = conn
        self._access_cache = store.access_cache
        self._prepared = store.prepared
        self._writing = writing
        # Access versions this transaction has read, by organization: (created at, version).
        self._versions: dict[int, tuple[datetime, int]] = {}

    def _first(self, statement: Statement, params: Mapping[str, Any]) -> PreparedRow | None:
        return self._prepared[statement].first(self._conn, params)

    def _all(self, statement: Statement, params: Mapping[str, Any]) -> list[PreparedRow]:
        return list(self._prepared[statement].rows(self._conn, params))

    def _execute(self, statement: Statement, params: Mapping[str, Any]) -> None:
        self._prepared[statement].execute(self._conn, params)

    def _execute_many(self, statement: Statement, many: Sequence[Mapping[str, Any]]) -> None:
        self._prepared[statement].execute_many(self._conn, many)

    # organizations and account groups

    def add_organization(
        self, *, name: str, subdomain: str, rate_limit_per_minute: int | None, now: datetime
    ) -> Organization:
        org_id = self._conn.execute(
            insert(t.organizations)
            .values(
                name=name,
                subdomain=subdomain,
                rate_limit_per_minute=rate_limit_per_minute,
                created_at=now,
            )
            .returning(t.organizations.c.id)
        ).scalar_one()
        return Organization(org_id, name, subdomain, rate_limit_per_minute, now)

    def get_organization_by_subdomain(self, subdomain: str) -> Organization | None:
        row = self._conn.execute(
            select(*_rows.ORG_COLUMNS).where(t.organizations.c.subdomain == subdomain)
        ).first()
        return _rows.organization(row) if row else None

    def get_organization(self, org_id: int) -> Organization | None:
        row = self._first(_statements.ORGANIZATION_BY_ID, {"org_id": org_id})
        return _rows.organization(row) if row else None

    def list_organizations(self) -> list[Organization]:
        return _operator.list_organizations(self._conn)

    def find_users(self, org_id: int, query: OperatorUserQuery) -> list[DirectoryUser]:
        return _operator.find_users(self._conn, org_id, query)

    def find_audit_events(self, org_id: int, query: OperatorAuditQuery) -> list[AuditEvent]:
        return _operator.find_audit_events(self._conn, org_id, query)

    def add_account_group(
        self, *, org_id: int, name: str, is_default: bool, account_token: str
    ) -> AccountGroup:
        try:
            with self._conn.begin_nested():
                aid = self._conn.execute(
                    insert(t.account_groups)
                    .values(
                        org_id=org_id, name=name, is_default=is_default, account_token=account_token
                    )
                    .returning(t.account_groups.c.aid)
                ).scalar_one()
        except IntegrityError as exc:
            raise _account_groups.account_group_name_taken(name) from exc
        return AccountGroup(aid, org_id, name, is_default, account_token)

    def rename_account_group(self, *, org_id: int, aid: int, name: str) -> AccountGroup:
        return _account_groups.rename_account_group(self._conn, org_id, aid, name)

    def delete_account_group(self, *, org_id: int, aid: int) -> None:
        _account_groups.delete_account_group(self._conn, org_id, aid)

    def account_group_members(self, org_id: int, aid: int) -> list[tuple[User, set[int]]]:
        return _account_groups.account_group_members(self._conn, org_id, aid)

    def count_account_group_members(
        self, org_id: int, aid: int, role_ids: Sequence[int], bound: int
    ) -> int:
        roles = {f"role_{i}": role_id for i, role_id in enumerate(role_ids)}
        statement = _account_groups.members_counted(len(role_ids), bound)
        row = self._first(statement, {"aid": aid, "org_id": org_id, **roles})
        assert row is not None  # a count has its row
        counted: int = row._mapping["members"]
        return counted

    def holders_only_in_account_group(self, aid: int, role_id: int | None = None) -> set[int]:
        return _account_groups.holders_only_in_account_group(self._conn, aid, role_id)

    def list_account_groups(self, org_id: int) -> list[AccountGroup]:
        rows = self._conn.execute(_statements.ACCOUNT_GROUPS_OF_ORG, {"org_id": org_id})
        return [_rows.account_group(r) for r in rows]

    def get_catalogue(self, org_id: int) -> Catalogue:
        created_at, version = self._access_version(org_id)
        stamp = (org_id, created_at, version)
        catalogue = self._access_cache.catalogues.get(org_id, stamp)
        if catalogue is None:
            # Read after the version: what is kept is at least as new as its stamp says.
            catalogue = Catalogue(
                MappingProxyType({g.aid: g for g in self.list_account_groups(org_id)}),
                MappingProxyType({r.role_id: r for r in self.list_roles(org_id)}),
            )
            self._access_cache.catalogues.keep(org_id, stamp, catalogue)
        return catalogue

    def _access_version(self, org_id: int) -> tuple[datetime, int]:
        """The organization's access version, read once per read transaction (the principal's
        lookup reads it too); a write reads it afresh, as the write itself may move it."""
        known = None if self._writing else self._versions.get(org_id)
        if known is not None:
            return known
        found = self._first(_statements.ACCESS_VERSION, {"org_id": org_id})
        if found is None:
            raise NotFound(f"No organization {org_id}")
        known = self._versions[org_id] = (
            found._mapping["created_at"],
            found._mapping["access_version"],
        )
        return known

    # permissions and roles

    def list_permissions(self) -> list[Permission]:
        rows = self._conn.execute(select(t.permissions).order_by(t.permissions.c.permission_id))
        return [_rows.permission(r) for r in rows]

    def list_roles(self, org_id: int) -> list[Role]:
        rows = self._conn.execute(_statements.ROLES_OF_ORG, {"org_id": org_id})
        heads: dict[int, tuple[int | None, str, bool]] = {}
        codes: dict[int, set[str]] = defaultdict(set)
        management: dict[int, bool] = defaultdict(bool)
        for row in rows:
            m = row._mapping
            heads[m["role_id"]] = (m["org_id"], m["name"], m["is_builtin"])
            if m["code"] is not None:
                codes[m["role_id"]].add(m["code"])
                management[m["role_id"]] |= bool(m["is_management"])
        return [
            Role(role_id, org, name, builtin, frozenset(codes[role_id]), management[role_id])
            for role_id, (org, name, builtin) in heads.items()
        ]

    def add_role(self, *, org_id: int, name: str, permission_codes: frozenset[str]) -> Role:
        try:
            with self._conn.begin_nested():
                role_id = self._conn.execute(
                    insert(t.roles)
                    .values(org_id=org_id, name=name, is_builtin=False)
                    .returning(t.roles.c.role_id)
                ).scalar_one()
        except IntegrityError as exc:
            raise _role_name_taken(name) from exc
        management = self._grant(role_id, permission_codes)
        return Role(role_id, org_id, name, False, permission_codes, management)

    def replace_role(
        self, *, org_id: int, role_id: int, name: str, permission_codes: frozenset[str]
    ) -> Role:
        roles = t.roles
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    update(roles)
                    .where(roles.c.role_id == role_id, roles.c.org_id == org_id)
                    .values(name=name)
                )
        except IntegrityError as exc:
            raise _role_name_taken(name) from exc
        granted = t.role_permissions
        self._conn.execute(delete(granted).where(granted.c.role_id == role_id))
        management = self._grant(role_id, permission_codes)
        return Role(role_id, org_id, name, False, permission_codes, management)

    def _grant(self, role_id: int, permission_codes: frozenset[str]) -> bool:
        """Give the role these permissions; whether any of them is a management permission."""
        catalogue = {p.code: p for p in self.list_permissions()}
        if permission_codes:
            rows = [
                {"role_id": role_id, "permission_id": catalogue[c].permission_id}
                for c in sorted(permission_codes)
            ]
            self._conn.execute(insert(t.role_permissions), rows)
        return any(catalogue[c].is_management for c in permission_codes)

    def delete_role(self, *, org_id: int, role_id: int) -> None:
        self._conn.execute(
            delete(t.roles).where(t.roles.c.role_id == role_id, t.roles.c.org_id == org_id)
        )

    def count_role_holders(self, role_id: int) -> int:
        holders = _role_holders(role_id)
        count: int = self._conn.execute(select(func.count()).select_from(holders)).scalar_one()
        return count

    # users

    def add_user(self, user: NewUser) -> User:
        values = _directory.new_user_values(user)
        try:
            # No savepoint: the conflict ends the whole write (no caller goes on after it), so
            # the transaction it leaves aborted on PostgreSQL is rolled back in any case.
            uid = self._prepared[_statements.INSERT_USER].scalar(self._conn, values)
        except IntegrityError as exc:
            raise _email_conflict(user.email) from exc
        return User(
            uid=uid,
            id=user.id,
            org_id=user.org_id,
            email=user.email,
            name=user.name,
            active=user.active,
            archived=user.archived,
            department=user.department,
            job_title=user.job_title,
            integration_id=user.integration_id,
            login_account_group_id=user.login_account_group_id,
            email_confirmed=True,
            created_at=user.created_at,
            updated_at=user.created_at,
            last_login=None,
            external_id=user.external_id,
        )

    def get_user(self, org_id: int, uid: int) -> User | None:
        query = _statements.USER_BY_UID_FOR_UPDATE if self._writing else _statements.USER_BY_UID
        row = self._first(query, {"uid": uid, "org_id": org_id})
        return _rows.user(row) if row else None

    def find_user_by_email(self, org_id: int, email: str) -> User | None:
        row = self._first(
            _statements.USER_BY_EMAIL_KEY, {"org_id": org_id, "email_key": email_key(email)}
        )
        return _rows.user(row) if row else None

    def list_users(self, org_id: int, *, after_uid: int | None, limit: int) -> list[User]:
        params = {"org_id": org_id, "after_uid": -1 if after_uid is None else after_uid}
        rows = self._all(_statements.USERS_AFTER, params | {"limit": limit})
        return [_rows.user(r) for r in rows]

    def count_users(self, org_id: int) -> int:
        return int(
            self._conn.execute(
                select(func.count()).select_from(t.users).where(t.users.c.org_id == org_id)
            ).scalar_one()
        )

    def update_user(self, org_id: int, uid: int, changes: UserChanges) -> User:
        values = {k: v for k, v in asdict(changes).items() if v is not None}
        if changes.email is not None:
            values["email_key"] = email_key(changes.email)
        try:  # no savepoint, as in add_user: a conflict ends the whole write
            row = self._conn.execute(
                update(t.users)
                .where(t.users.c.uid == uid, t.users.c.org_id == org_id)
                .values(**values)
                .returning(*_rows.USER_COLUMNS)
            ).first()
        except IntegrityError as exc:
            raise _email_conflict(changes.email or "") from exc
        if row is None:
            raise NotFound(f"No user with id {uid}")
        return _rows.user(row)

    def delete_user(self, org_id: int, uid: int) -> None:
        deleted = self._conn.execute(
            delete(t.users).where(t.users.c.uid == uid, t.users.c.org_id == org_id)
        ).rowcount
        if deleted == 0:
            raise NotFound(f"No user with id {uid}")

    def get_role_assignments(self, uid: int) -> RoleAssignments:
        per_group: dict[int, set[int]] = defaultdict(set)
        everywhere: set[int] = set()
        for row in self._all(_statements.ROLE_ASSIGNMENTS, {"uid": uid}):
            aid, role_id = row._mapping["aid"], row._mapping["role_id"]
            (everywhere if aid is None else per_group[aid]).add(role_id)
        return RoleAssignments(
            {aid: frozenset(ids) for aid, ids in per_group.items()}, frozenset(everywhere)
        )

    def lock_organization(self, org_id: int) -> None:
        self._conn.execute(
            select(t.organizations.c.id).where(t.organizations.c.id == org_id).with_for_update()
        )

    def active_role_holders(self, org_id: int, role_id: int) -> frozenset[int]:
        holders = _role_holders(role_id)
        rows = self._conn.execute(
            select(t.users.c.uid).where(
                t.users.c.org_id == org_id,
                t.users.c.active.is_(True),
                t.users.c.archived.is_(False),
                t.users.c.uid.in_(select(holders.c.uid)),
            )
        )
        return frozenset(uid for (uid,) in rows)

    def set_role_assignments(self, uid: int, assignments: RoleAssignments) -> None:
        self._execute(_statements.DELETE_ACCOUNT_GROUP_ROLES, {"uid": uid})
        self._execute(_statements.DELETE_ALL_ACCOUNT_GROUP_ROLES, {"uid": uid})
        self._execute_many(
            _statements.INSERT_ACCOUNT_GROUP_ROLE,
            [
                {"uid": uid, "aid": aid, "role_id": role_id}
                for aid, role_ids in assignments.by_account_group.items()
                for role_id in role_ids
            ],
        )
        self._execute_many(
            _statements.INSERT_ALL_ACCOUNT_GROUP_ROLE,
            [{"uid": uid, "role_id": role_id} for role_id in assignments.all_account_groups],
        )

    # API tokens

    def add_token(
        self, *, org_id: int, user_uid: int, token_hash: str, name: str, now: datetime
    ) -> ApiToken:
        token_id = self._conn.execute(
            insert(t.api_tokens)
            .values(
                org_id=org_id, user_uid=user_uid, token_hash=token_hash, name=name, created_at=now
            )
            .returning(t.api_tokens.c.id)
        ).scalar_one()
        return ApiToken(token_id, org_id, user_uid, name, now, None)

    def find_principal(self, token_hash: str) -> Principal | None:
        row = self._first(_statements.FIND_PRINCIPAL, {"token_hash": token_hash})
        if row is None:
            return None
        m = row._mapping
        token_id = m["token_id"]
        self._versions[m["o__id"]] = (m["o__created_at"], m["access_version"])
        stamp = (token_id, m["token_created_at"], m["access_version"])
        endpoints = self._access_cache.endpoints.get(token_hash, stamp)
        if endpoints is None:
            endpoints = frozenset(self.list_token_permissions(token_id))
            self._access_cache.endpoints.keep(token_hash, stamp, endpoints)
        return Principal(_rows.organization(row, "o__"), _rows.user(row), token_id, endpoints)

    def revoke_token(
        self,
        *,
        org_id: int,
        now: datetime,
        token_hash: str | None = None,
        token_id: int | None = None,
    ) -> ApiToken | None:
        which = (
            t.api_tokens.c.token_hash == token_hash
            if token_hash is not None
            else t.api_tokens.c.id == token_id
        )
        row = self._conn.execute(
            update(t.api_tokens)
            .where(
                t.api_tokens.c.org_id == org_id,
                which,
                t.api_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .returning(t.api_tokens)
        ).first()
        return _rows.api_token(row) if row else None

    def record_token_uses(self, uses: Mapping[int, datetime]) -> None:
        many = [{"token_id": token_id, "at": at} for token_id, at in uses.items()]
        self._execute_many(_statements.RECORD_TOKEN_USE, many)

    def list_tokens(self, org_id: int, user_uid: int) -> list[ApiToken]:
        rows = self._all(_statements.TOKENS_OF_USER, {"org_id": org_id, "user_uid": user_uid})
        return [_rows.api_token(r) for r in rows]

    # audit

    def add_audit_event(self, event: AuditEvent) -> None:
        self._execute(_statements.INSERT_AUDIT_EVENT, _directory.shallow(event))

    def list_audit_events(self, org_id: int) -> Sequence[AuditEvent]:
        rows = self._conn.execute(
            select(t.audit_events)
            .where(t.audit_events.c.org_id == org_id)
            .order_by(t.audit_events.c.id)
        )
        return [_rows.audit_event(r) for r in rows]

    def add_audit_events(self, events: Sequence[AuditEvent]) -> None:
        if events:
            self._conn.execute(insert(t.audit_events), [_directory.shallow(e) for e in events])

    def page_audit_events(self, org_id: int, query: AuditQuery) -> list[AuditEvent]:
        return _audit.page_audit_events(self._conn, org_id, query)

    # endpoint permissions of API tokens

    def add_token_permissions(
        self, token_id: int, permissions: Sequence[EndpointPermission]
    ) -> None:
        unique = {(p.path, p.http_method) for p in permissions}
        if unique:
            self._conn.execute(
                insert(t.api_token_permissions),
                [
                    {"token_id": token_id, "path": path, "http_method": method}
                    for path, method in sorted(unique)
                ],
            )

    def list_token_permissions(self, token_id: int) -> list[EndpointPermission]:
        perms = t.api_token_permissions
        rows = self._conn.execute(
            select(perms.c.path, perms.c.http_method)
            .where(perms.c.token_id == token_id)
            .order_by(perms.c.path, perms.c.http_method)
        )
        return [EndpointPermission(path, method) for path, method in rows]

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
    ) -> Integration:
        return _directory.add_integration(
            self._conn,
            org_id=org_id,
            uuid=uuid,
            name=name,
            type=type,
            scim_token_hash=scim_token_hash,
            now=now,
        )

    def get_integration_by_uuid(self, org_id: int, uuid: UUID) -> Integration | None:
        return _directory.find_integration(
            self._conn, t.integrations.c.org_id == org_id, t.integrations.c.uuid == uuid
        )

    def find_integration_by_scim_token(self, token_hash: str) -> Integration | None:
        row = self._first(_statements.INTEGRATION_BY_SCIM_TOKEN, {"token_hash": token_hash})
        return _rows.integration(row) if row else None

    def set_integration_scim_token(self, integration_id: int, token_hash: str | None) -> None:
        self._conn.execute(
            update(t.integrations)
            .where(t.integrations.c.id == integration_id)
            .values(scim_token_hash=token_hash)
        )

    def list_integrations(self, org_id: int) -> list[Integration]:
        return _directory.list_integrations(self._conn, org_id)

    def scim_token_holders(self, org_id: int) -> frozenset[int]:
        rows = self._conn.execute(
            select(t.integrations.c.id).where(
                t.integrations.c.org_id == org_id, t.integrations.c.scim_token_hash.is_not(None)
            )
        )
        return frozenset(rows.scalars())

    # directory users

    def get_user_by_id(self, org_id: int, id: UUID) -> User | None:
        return _directory.get_user_by_id(self._conn, org_id, id, lock=self._writing)

    def get_directory_user(self, org_id: int, id: UUID) -> DirectoryUser | None:
        row = self._first(_directory.DIRECTORY_USER_BY_ID, {"org_id": org_id, "id": id})
        return _directory.directory_user(row) if row else None

    def list_directory_users(
        self, org_id: int, query: UserQuery, page: Keyset
    ) -> list[DirectoryUser]:
        return _directory.list_directory_users(self._conn, org_id, query, page)

    def get_rendered_user(self, org_id: int, id: UUID, shape: UserShape) -> str | None:
        return _directory.get_rendered_user(self._conn, org_id, id, shape)

    def list_rendered_users(
        self, org_id: int, query: UserQuery, page: Keyset, shape: UserShape
    ) -> list[RenderedUser]:
        return _directory.list_rendered_users(self._conn, org_id, query, page, shape)

    def count_devices_of(self, org_id: int, uid: int) -> int:
        return _directory.count_devices_of(self._conn, org_id, uid)

    def find_directory_matches(
        self,
        org_id: int,
        integration_id: int,
        external_ids: Sequence[str],
        email_keys: Sequence[str],
    ) -> list[DirectoryMatch]:
        return _directory.find_directory_matches(
            self._conn, org_id, integration_id, external_ids, email_keys
        )

    def add_directory_users(self, batch: NewDirectoryUsers) -> None:
        _directory.add_directory_users(self._conn, batch)

    def update_directory_users(self, org_id: int, updates: Sequence[DirectoryUserUpdate]) -> None:
        _directory.update_directory_users(self._conn, org_id, updates)

    def unarchived_integration_uids(self, org_id: int, integration_id: int) -> Iterator[int]:
        return _directory.unarchived_integration_uids(self._conn, org_id, integration_id)

    def archive_directory_users(self, org_id: int, uids: Sequence[int], now: datetime) -> list[str]:
        return _directory.archive_directory_users(self._conn, org_id, uids, now)

    def add_audit_batch(self, batch: AuditBatch) -> None:
        _directory.add_audit_batch(self._conn, batch)

    def archive_users(self, org_id: int, uids: Sequence[int], now: datetime) -> None:
        _directory.archive_users(self._conn, org_id, uids, now)

    # devices

    def find_assignee(
        self, org_id: int, *, id: UUID | None = None, email: str | None = None
    ) -> User | None:
        return _devices.find_assignee(self._conn, org_id, id=id, email=email, lock=self._writing)

    def add_device(self, device: NewDevice) -> DeviceView:
        return _devices.add_device(self._conn, device)

    def get_device(self, org_id: int, device_id: UUID) -> DeviceView | None:
        return _devices.find_device(
            self._conn, t.devices.c.org_id == org_id, t.devices.c.device_id == device_id
        )

    def find_device_by_serial(self, org_id: int, serial_number: str) -> DeviceView | None:
        return _devices.find_device(
            self._conn, t.devices.c.org_id == org_id, t.devices.c.serial_number == serial_number
        )

    def update_device(self, org_id: int, id: int, changes: DeviceChanges) -> DeviceView:
        return _devices.update_device(self._conn, org_id, id, changes)

    def list_devices(
        self,
        org_id: int,
        query: DeviceQuery,
        *,
        limit: int,
        offset: int,
        after: int | None = None,
        before: int | None = None,
    ) -> list[DeviceView]:
        return _devices.list_devices(
            self._conn, org_id, query, limit=limit, offset=offset, after=after, before=before
        )

    # provisioning (SCIM)

    def lock_integration(self, integration_id: int) -> None:
        _provisioning.lock_integration(self._conn, integration_id)

    def find_provisioned_users(
        self,
        org_id: int,
        integration_id: int,
        query: ProvisionedUserQuery,
        *,
        offset: int = 0,
        limit: int | None = None,
        lock: bool = False,
    ) -> list[ProvisionedUser]:
        return _provisioning.find_provisioned_users(
            self._conn,
            self._prepared,
            org_id,
            integration_id,
            query,
            offset=offset,
            limit=limit,
            lock=lock and self._writing,
        )

    def count_provisioned_users(
        self, org_id: int, integration_id: int, query: ProvisionedUserQuery
    ) -> int:
        return _provisioning.count_provisioned_users(self._conn, org_id, integration_id, query)

    def save_scim_record(self, record: ScimRecord) -> None:
        _provisioning.save_scim_record(self._conn, record)

    def integration_user_uids(
        self, org_id: int, integration_id: int, ids: Sequence[UUID]
    ) -> dict[UUID, int]:
        return _provisioning.integration_user_uids(self._conn, org_id, integration_id, ids)

    def add_group(self, group: NewGroup) -> DirectoryGroup:
        return _groups.add_group(self._conn, group)

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
    ) -> list[DirectoryGroup]:
        return _groups.find_groups(
            self._conn,
            org_id,
            integration_id,
            query,
            offset=offset,
            limit=limit,
            with_members=with_members,
            lock=lock and self._writing,
        )

    def count_groups(self, org_id: int, integration_id: int, query: GroupQuery) -> int:
        return _groups.count_groups(self._conn, org_id, integration_id, query)

    def update_group(self, org_id: int, group_id: int, changes: GroupChanges) -> None:
        _groups.update_group(self._conn, org_id, group_id, changes)

    def group_members_among(self, group_id: int, uids: Sequence[int]) -> dict[int, str | None]:
        return _groups.group_members_among(self._conn, group_id, uids)

    def delete_group(self, org_id: int, group_id: int) -> None:
        _groups.delete_group(self._conn, org_id, group_id)

    def leave_groups(self, uid: int, now: datetime) -> list[DirectoryGroup]:
        return _groups.leave_groups(self._conn, uid, now)

    # the console's uploads and their import jobs: loaded with the first, not at every start
    # (the console's import and its core services)

    def add_upload(self, upload: NewUpload) -> None:
        from rosterd.storage import _uploads

        _uploads.add_upload(self._conn, upload)

    def add_upload_chunk(self, upload_id: str, number: int, data: bytes) -> None:
        from rosterd.storage import _uploads

        _uploads.add_chunk(self._conn, upload_id, number, data)

    def set_upload_size(self, upload_id: str, *, size: int, chunks: int) -> None:
        from rosterd.storage import _uploads

        _uploads.set_size(self._conn, upload_id, size, chunks)

    def get_upload(self, upload_id: str) -> Upload | None:
        from rosterd.storage import _uploads

        return _uploads.get_upload(self._conn, upload_id)

    def get_upload_chunk(self, upload_id: str, number: int) -> bytes | None:
        from rosterd.storage import _uploads

        return _uploads.get_chunk(self._conn, upload_id, number)

    def set_upload_plan(self, upload_id: str, plan: ImportPlan, total: int) -> None:
        from rosterd.storage import _uploads

        _uploads.set_plan(self._conn, upload_id, plan, total)

    def see_upload(self, upload_id: str, now: datetime, expires_at: datetime) -> None:
        from rosterd.storage import _uploads

        _uploads.see(self._conn, upload_id, now, expires_at)

    def delete_upload(self, upload_id: str) -> None:
        from rosterd.storage import _uploads

        _uploads.delete_upload(self._conn, upload_id)

    def delete_upload_chunks(self, upload_id: str) -> None:
        from rosterd.storage import _uploads

        _uploads.delete_chunks(self._conn, upload_id)

    def any_expired_uploads(self, now: datetime) -> bool:
        from rosterd.storage import _uploads

        return _uploads.any_expired(self._conn, now)

    def delete_expired_uploads(self, now: datetime, alive_since: datetime) -> int:
        from rosterd.storage import _uploads

        return _uploads.delete_expired(self._conn, now, alive_since)

    def add_import_job(self, upload_id: str, now: datetime) -> bool:
        from rosterd.storage import _uploads

        return _uploads.add_job(self._conn, upload_id, now)

    def beat_import_job(self, upload_id: str, *, done: int, now: datetime) -> None:
        from rosterd.storage import _uploads

        _uploads.beat(self._conn, upload_id, done, now)

    def finish_import_job(self, upload_id: str, end: JobEnd) -> None:
        from rosterd.storage import _uploads

        _uploads.finish_job(self._conn, upload_id, end)


def _email_conflict(email: str) -> Conflict:
    return Conflict(
        "A user with this email already exists in the organization",
        [FieldError("email", "DUPLICATE", f"a user with email {email!r} already exists")],
    )


def _role_name_taken(name: str) -> Conflict:
    return Conflict(
        "Role name taken",
        [FieldError("name", "DUPLICATE", f"a role named {name!r} already exists")],
    )


def _role_holders(role_id: int) -> Subquery:
    """The uids holding the role, in an account group or in all of them."""
    return union(
        select(t.user_account_group_roles.c.uid).where(
            t.user_account_group_roles.c.role_id == role_id
        ),
        select(t.user_all_account_group_roles.c.uid).where(
            t.user_all_account_group_roles.c.role_id == role_id
        ),
    ).subquery()
