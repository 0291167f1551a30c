"""The SQLAlchemy implementation of the core's DirectoryStore."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

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
from rosterd.core.errors import Conflict, FieldError, NotFound
from rosterd.core.ports import NewUser, UserChanges
from rosterd.core.validation import email_key
from rosterd.storage import _rows
from rosterd.storage import tables as t
from rosterd.storage.engine import BEGIN_MODE_OPTION


class SqlDirectoryStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def read(self) -> Iterator[SqlTransaction]:
        with self.engine.connect() as conn, conn.begin():
            yield SqlTransaction(conn)

    @contextmanager
    def write(self) -> Iterator[SqlTransaction]:
        with self.engine.connect() as plain:
            conn = plain.execution_options(**{BEGIN_MODE_OPTION: "IMMEDIATE"})
            with conn.begin():
                yield SqlTransaction(conn)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))


class SqlTransaction:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

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

    def add_account_group(self, *, org_id: int, name: str, is_default: bool) -> AccountGroup:
        try:
            with self._conn.begin_nested():
                aid = self._conn.execute(
                    insert(t.account_groups)
                    .values(org_id=org_id, name=name, is_default=is_default)
                    .returning(t.account_groups.c.aid)
                ).scalar_one()
        except IntegrityError as exc:
            raise Conflict(
                "Account group name taken",
                [
                    FieldError(
                        "name", "DUPLICATE", f"an account group named {name!r} already exists"
                    )
                ],
            ) from exc
        return AccountGroup(aid, org_id, name, is_default)

    def list_account_groups(self, org_id: int) -> list[AccountGroup]:
        rows = self._conn.execute(
            select(t.account_groups)
            .where(t.account_groups.c.org_id == org_id)
            .order_by(t.account_groups.c.aid)
        )
        return [_rows.account_group(r) for r in rows]

    # permissions and roles

    def list_permissions(self) -> list[Permission]:
        rows = self._conn.execute(select(t.permissions).order_by(t.permissions.c.permission_id))
        return [_rows.permission(r) for r in rows]

    def list_roles(self, org_id: int) -> list[Role]:
        rows = self._conn.execute(
            select(t.roles, t.permissions.c.code, t.permissions.c.is_management)
            .outerjoin(t.role_permissions, t.role_permissions.c.role_id == t.roles.c.role_id)
            .outerjoin(
                t.permissions, t.permissions.c.permission_id == t.role_permissions.c.permission_id
            )
            .where(or_(t.roles.c.org_id.is_(None), t.roles.c.org_id == org_id))
            .order_by(t.roles.c.role_id)
        )
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
            raise Conflict(
                "Role name taken",
                [FieldError("name", "DUPLICATE", f"a role named {name!r} already exists")],
            ) from exc
        catalogue = {p.code: p for p in self.list_permissions()}
        if permission_codes:
            self._conn.execute(
                insert(t.role_permissions),
                [
                    {"role_id": role_id, "permission_id": catalogue[c].permission_id}
                    for c in sorted(permission_codes)
                ],
            )
        management = any(catalogue[c].is_management for c in permission_codes)
        return Role(role_id, org_id, name, False, permission_codes, management)

    # users

    def add_user(self, user: NewUser) -> User:
        values = asdict(user) | {
            "email_key": email_key(user.email),
            "email_confirmed": True,
            "archived": False,
            "updated_at": user.created_at,
            "last_login": None,
        }
        try:
            with self._conn.begin_nested():
                uid = self._conn.execute(
                    insert(t.users).values(**values).returning(t.users.c.uid)
                ).scalar_one()
        except IntegrityError as exc:
            raise _email_conflict(user.email) from exc
        return User(
            uid=uid,
            id=user.id,
            org_id=user.org_id,
            email=user.email,
            name=user.name,
            active=user.active,
            archived=False,
            department=user.department,
            job_title=user.job_title,
            integration_id=user.integration_id,
            login_account_group_id=user.login_account_group_id,
            email_confirmed=True,
            created_at=user.created_at,
            updated_at=user.created_at,
            last_login=None,
        )

    def get_user(self, org_id: int, uid: int) -> User | None:
        row = self._conn.execute(
            select(*_rows.USER_COLUMNS).where(t.users.c.uid == uid, t.users.c.org_id == org_id)
        ).first()
        return _rows.user(row) if row else None

    def find_user_by_email(self, org_id: int, email: str) -> User | None:
        row = self._conn.execute(
            select(*_rows.USER_COLUMNS).where(
                t.users.c.org_id == org_id, t.users.c.email_key == email_key(email)
            )
        ).first()
        return _rows.user(row) if row else None

    def email_registered_elsewhere(self, email: str, org_id: int) -> bool:
        row = self._conn.execute(
            select(t.users.c.uid)
            .where(t.users.c.email_key == email_key(email), t.users.c.org_id != org_id)
            .limit(1)
        ).first()
        return row is not None

    def list_users(self, org_id: int) -> list[User]:
        rows = self._conn.execute(
            select(*_rows.USER_COLUMNS).where(t.users.c.org_id == org_id).order_by(t.users.c.uid)
        )
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
        try:
            with self._conn.begin_nested():
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
        for aid, role_id in self._conn.execute(
            select(t.user_account_group_roles.c.aid, t.user_account_group_roles.c.role_id).where(
                t.user_account_group_roles.c.uid == uid
            )
        ):
            per_group[aid].add(role_id)
        everywhere = self._conn.execute(
            select(t.user_all_account_group_roles.c.role_id).where(
                t.user_all_account_group_roles.c.uid == uid
            )
        ).scalars()
        return RoleAssignments(
            {aid: frozenset(ids) for aid, ids in per_group.items()}, frozenset(everywhere)
        )

    def set_role_assignments(self, uid: int, assignments: RoleAssignments) -> None:
        self._conn.execute(
            delete(t.user_account_group_roles).where(t.user_account_group_roles.c.uid == uid)
        )
        self._conn.execute(
            delete(t.user_all_account_group_roles).where(
                t.user_all_account_group_roles.c.uid == uid
            )
        )
        per_group = [
            {"uid": uid, "aid": aid, "role_id": role_id}
            for aid, role_ids in assignments.by_account_group.items()
            for role_id in role_ids
        ]
        if per_group:
            self._conn.execute(insert(t.user_account_group_roles), per_group)
        if assignments.all_account_groups:
            self._conn.execute(
                insert(t.user_all_account_group_roles),
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
        org = t.organizations
        row = self._conn.execute(
            select(
                t.api_tokens.c.id.label("token_id"),
                *_rows.USER_COLUMNS,
                *(c.label(f"o__{c.name}") for c in _rows.ORG_COLUMNS),
            )
            .join(t.users, t.users.c.uid == t.api_tokens.c.user_uid)
            .join(org, org.c.id == t.api_tokens.c.org_id)
            .where(t.api_tokens.c.token_hash == token_hash, t.api_tokens.c.revoked_at.is_(None))
        ).first()
        if row is None:
            return None
        return Principal(_rows.organization(row, "o__"), _rows.user(row), row._mapping["token_id"])

    def revoke_token(self, *, org_id: int, token_hash: str, now: datetime) -> ApiToken | None:
        row = self._conn.execute(
            update(t.api_tokens)
            .where(
                t.api_tokens.c.org_id == org_id,
                t.api_tokens.c.token_hash == token_hash,
                t.api_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .returning(t.api_tokens)
        ).first()
        return _rows.api_token(row) if row else None

    def list_tokens(self, org_id: int, user_uid: int) -> list[ApiToken]:
        rows = self._conn.execute(
            select(t.api_tokens)
            .where(t.api_tokens.c.org_id == org_id, t.api_tokens.c.user_uid == user_uid)
            .order_by(t.api_tokens.c.id)
        )
        return [_rows.api_token(r) for r in rows]

    # audit

    def add_audit_event(self, event: AuditEvent) -> None:
        self._conn.execute(insert(t.audit_events).values(**asdict(event)))

    def list_audit_events(self, org_id: int) -> Sequence[AuditEvent]:
        rows = self._conn.execute(
            select(t.audit_events)
            .where(t.audit_events.c.org_id == org_id)
            .order_by(t.audit_events.c.id)
        )
        return [_rows.audit_event(r) for r in rows]


def _email_conflict(email: str) -> Conflict:
    return Conflict(
        "A user with this email already exists in the organization",
        [FieldError("email", "DUPLICATE", f"a user with email {email!r} already exists")],
    )
