"""Seeds: a starting state declared in a file (docs/testing.md), written in one transaction.

A seed names everything by name (account groups, roles, users by email) and gives API and SCIM
tokens their values, so that a test can hard-code them. Every rule is checked before anything is
written, and the write is one transaction: a seed with any problem writes nothing. Problems are
`Invalid` errors whose fields are JSON Pointers into the seed document (`/organizations/0/users/1
/email`), which the file loader turns into lines.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from rosterd.core import permissions as perm
from rosterd.core.account_groups import new_account_token
from rosterd.core.audit import Actor, record
from rosterd.core.clock import utcnow
from rosterd.core.devices import parse_device, write_devices
from rosterd.core.directory_sync import checked_record, write_records
from rosterd.core.entities import (
    AccountGroup,
    EndpointPermission,
    Integration,
    Organization,
    Role,
    RoleAssignments,
)
from rosterd.core.errors import FieldError, Invalid
from rosterd.core.integration_types import INTEGRATION_TYPES
from rosterd.core.integrations import SCIM
from rosterd.core.organizations import organization_problems
from rosterd.core.ports import DirectoryStore, DirectoryTransaction, NewDevice, NewUser
from rosterd.core.tokens import TOKEN_PREFIX, hash_token
from rosterd.core.validation import email_problem, name_problem, normalize_email

_WHERE: Final = "seed"  # what an import's parser calls a record of the seed in its errors
_IMPORT_FIELDS: Final = {"user": "user_email"}  # a device's assignee, as the seed names it
ALL_ACCOUNT_GROUPS: Final = "*"  # in a user's roles: the roles they hold in every account group
TOKEN_VALUE: Final = re.compile(rf"^{TOKEN_PREFIX}[A-Za-z0-9_-]{{8,200}}$")


@dataclass(frozen=True, slots=True)
class SeedToken:
    value: str
    name: str = ""
    endpoints: tuple[str, ...] = ()  # "GET /v7/users"; none: every endpoint


@dataclass(frozen=True, slots=True)
class SeedUser:
    email: str
    name: str
    roles: Mapping[str, Sequence[str]]  # account group name (or "*") -> role names
    login_account_group: str | None = None
    tokens: tuple[SeedToken, ...] = ()


@dataclass(frozen=True, slots=True)
class SeedRole:
    name: str
    permissions: tuple[str, ...]  # permission codes


@dataclass(frozen=True, slots=True)
class SeedIntegration:
    name: str
    type: str
    scim_token: str | None = None
    # Directory users as an import file lists them (`directory_sync.checked_record`), each
    # with "archived": true for one a full sync would have archived.
    users: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class SeedOrganization:
    name: str
    subdomain: str
    users: tuple[SeedUser, ...]
    account_groups: tuple[str, ...] = ()  # the first is the default one; none: one named as the org
    roles: tuple[SeedRole, ...] = ()
    integrations: tuple[SeedIntegration, ...] = ()
    rate_limit_per_minute: int | None = None
    # Devices as `rosterd devices import` reads them (`devices.parse_device`); "user_email"
    # assigns one to a user of the seed.
    devices: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Seed:
    organizations: tuple[SeedOrganization, ...]


@dataclass(frozen=True, slots=True)
class SeedResult:
    organizations: list[Organization] = field(default_factory=list)


EndpointParser = Callable[[Sequence[str]], list[EndpointPermission]]


class SeedService:
    def __init__(self, store: DirectoryStore, parse_endpoints: EndpointParser) -> None:
        self._store = store
        self._parse_endpoints = parse_endpoints  # the dialects know the endpoints

    def load(self, seed: Seed, *, actor: Actor) -> SeedResult:
        problems = list(_problems(seed))
        scopes = self._scopes(seed, problems)
        if problems:
            raise Invalid("The seed is invalid", problems)
        result = SeedResult()
        with self._store.write() as tx:
            _refuse_taken(tx, seed)
            for i, org in enumerate(seed.organizations):
                result.organizations.append(_write(tx, i, org, scopes[i], actor))
        return result

    def _scopes(
        self, seed: Seed, problems: list[FieldError]
    ) -> dict[int, dict[str, list[EndpointPermission]]]:
        scopes: dict[int, dict[str, list[EndpointPermission]]] = {}
        for i, org in enumerate(seed.organizations):
            scopes[i] = {}
            for j, user in enumerate(org.users):
                for k, token in enumerate(user.tokens):
                    found: list[EndpointPermission] = []
                    for n, endpoint in enumerate(token.endpoints):
                        try:
                            found += self._parse_endpoints([endpoint])
                        except Invalid:
                            where = f"/organizations/{i}/users/{j}/tokens/{k}/permissions/{n}"
                            message = f"no endpoint {endpoint!r} (METHOD /path, as documented)"
                            problems.append(FieldError(where, "UNKNOWN_ENDPOINT", message))
                    scopes[i][token.value] = found
        return scopes


def _problems(seed: Seed) -> Iterator[FieldError]:
    subdomains: set[str] = set()
    tokens: set[str] = set()
    for i, org in enumerate(seed.organizations):
        at = f"/organizations/{i}"
        yield from _organization_problems(org, at)
        if org.subdomain in subdomains:
            yield FieldError(f"{at}/subdomain", "DUPLICATE", "subdomain appears twice")
        subdomains.add(org.subdomain)
        groups = set(_group_names(org))
        roles = {r.name for r in org.roles} | {r.name for r in perm.BUILTIN_ROLES}
        emails: set[str] = set()
        for j, user in enumerate(org.users):
            yield from _user_problems(user, f"{at}/users/{j}", groups, roles, emails, tokens)
        external_ids: set[tuple[int, str]] = set()
        for j, integration in enumerate(org.integrations):
            where = f"{at}/integrations/{j}"
            yield from _integration_problems(integration, where, tokens)
            for k, row in enumerate(integration.users):
                spot = (j, str(row.get("external_id") or ""))
                yield from _directory_user_problems(row, f"{where}/users/{k}", emails)
                if spot[1] and spot in external_ids:
                    yield FieldError(f"{where}/users/{k}/external_id", "DUPLICATE", "twice")
                external_ids.add(spot)
        serials: set[str] = set()
        for j, row in enumerate(org.devices):
            yield from _device_problems(row, f"{at}/devices/{j}", emails, serials)


def _organization_problems(org: SeedOrganization, at: str) -> Iterator[FieldError]:
    yield from _named(name_problem("name", org.name), f"{at}/name")
    for problem in organization_problems(org.subdomain, org.rate_limit_per_minute):
        yield FieldError(f"{at}/{problem.field}", problem.code, problem.message)
    if not org.users:
        yield FieldError(f"{at}/users", "REQUIRED", "an organization needs a user")
    seen: set[str] = set()
    for k, group in enumerate(_group_names(org)):
        if org.account_groups:
            yield from _named(name_problem("name", group), f"{at}/account_groups/{k}")
        if group.casefold() in seen:
            yield FieldError(f"{at}/account_groups/{k}", "DUPLICATE", "account group twice")
        seen.add(group.casefold())
    builtin = {r.name.casefold() for r in perm.BUILTIN_ROLES}
    codes = {p.code for p in perm.CATALOGUE}
    for k, role in enumerate(org.roles):
        yield from _named(name_problem("name", role.name), f"{at}/roles/{k}/name")
        if role.name.casefold() in builtin:
            yield FieldError(f"{at}/roles/{k}/name", "DUPLICATE", "a built-in role has this name")
        builtin.add(role.name.casefold())
        for n, code in enumerate(role.permissions):
            if code not in codes:
                where = f"{at}/roles/{k}/permissions/{n}"
                yield FieldError(where, "UNKNOWN_PERMISSION", f"no permission {code!r}")


def _user_problems(
    user: SeedUser,
    at: str,
    groups: set[str],
    roles: set[str],
    emails: set[str],
    tokens: set[str],
) -> Iterator[FieldError]:
    email = normalize_email(user.email)
    yield from _named(email_problem("email", email), f"{at}/email")
    yield from _named(name_problem("name", user.name), f"{at}/name")
    if email.casefold() in emails:
        yield FieldError(f"{at}/email", "DUPLICATE", "a user with this email appears twice")
    emails.add(email.casefold())
    if not any(user.roles.values()):
        yield FieldError(f"{at}/roles", "REQUIRED", "a user needs at least one role")
    for group, names in user.roles.items():
        if group != ALL_ACCOUNT_GROUPS and group not in groups:
            yield FieldError(
                f"{at}/roles/{_escape(group)}", "UNKNOWN_ACCOUNT_GROUP", "no such group"
            )
        for n, name in enumerate(names):
            if name not in roles:
                where = f"{at}/roles/{_escape(group)}/{n}"
                yield FieldError(where, "UNKNOWN_ROLE", f"no role named {name!r}")
    login = user.login_account_group
    if login is not None and login not in groups:
        yield FieldError(f"{at}/login_account_group", "UNKNOWN_ACCOUNT_GROUP", "no such group")
    elif login is not None and ALL_ACCOUNT_GROUPS not in user.roles and login not in user.roles:
        message = "the user holds no role in that account group"
        yield FieldError(f"{at}/login_account_group", "NOT_ASSIGNED", message)
    for k, token in enumerate(user.tokens):
        yield from _token_problems(token.value, f"{at}/tokens/{k}/value", tokens)


def _integration_problems(
    integration: SeedIntegration, at: str, tokens: set[str]
) -> Iterator[FieldError]:
    yield from _named(name_problem("name", integration.name), f"{at}/name")
    if integration.type not in INTEGRATION_TYPES:
        types = ", ".join(INTEGRATION_TYPES)
        yield FieldError(f"{at}/type", "INVALID_TYPE", f"type must be one of {types}")
    if integration.scim_token is not None:
        if integration.type != SCIM:
            yield FieldError(f"{at}/scim_token", "INVALID", "only a scim integration has one")
        yield from _token_problems(integration.scim_token, f"{at}/scim_token", tokens)


def _directory_user_problems(
    row: Mapping[str, Any], at: str, emails: set[str]
) -> Iterator[FieldError]:
    fields = {key: value for key, value in row.items() if key != "archived"}
    try:
        record = checked_record(fields, _WHERE)
    except Invalid as exc:
        yield from _as_pointers(exc.errors, at)
        return
    if record.email.casefold() in emails:
        yield FieldError(f"{at}/email", "DUPLICATE", "a user with this email appears twice")
    emails.add(record.email.casefold())


def _device_problems(
    row: Mapping[str, Any], at: str, emails: set[str], serials: set[str]
) -> Iterator[FieldError]:
    """What can be checked before anything is written; the rest is `parse_device`'s, when the
    users it assigns to exist."""
    serial = row.get("serial_number")
    if isinstance(serial, str) and serial.strip():
        if serial.strip() in serials:
            yield FieldError(f"{at}/serial_number", "DUPLICATE", "this serial appears twice")
        serials.add(serial.strip())
    email = row.get("user_email")
    if isinstance(email, str) and email and normalize_email(email).casefold() not in emails:
        yield FieldError(f"{at}/user_email", "UNKNOWN_USER", "no user of the seed has this email")


def _as_pointers(problems: Sequence[FieldError], at: str) -> Iterator[FieldError]:
    """An import's problems (`seed: email`) as fields of the seed document (`…/users/3/email`)."""
    prefix = f"{_WHERE}: "
    for problem in problems:
        field = problem.field
        key = field.removeprefix(prefix)
        where = f"{at}/{_IMPORT_FIELDS.get(key, key)}" if field.startswith(prefix) else at
        yield FieldError(where, problem.code, problem.message.removeprefix(prefix))


def _token_problems(value: str, at: str, tokens: set[str]) -> Iterator[FieldError]:
    if not TOKEN_VALUE.match(value):
        message = f"a token is {TOKEN_PREFIX} and 8 to 200 letters, digits, '_' or '-'"
        yield FieldError(at, "INVALID_TOKEN", message)
    if value in tokens:
        yield FieldError(at, "DUPLICATE", "this token appears twice")
    tokens.add(value)


def _named(problem: FieldError | None, at: str) -> Iterator[FieldError]:
    if problem is not None:
        yield FieldError(at, problem.code, problem.message)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _group_names(org: SeedOrganization) -> tuple[str, ...]:
    return org.account_groups or (org.name,)


def _refuse_taken(tx: DirectoryTransaction, seed: Seed) -> None:
    """What the database already holds: subdomains and token values in use."""
    problems: list[FieldError] = []
    for i, org in enumerate(seed.organizations):
        at = f"/organizations/{i}"
        if tx.get_organization_by_subdomain(org.subdomain) is not None:
            problems.append(FieldError(f"{at}/subdomain", "TAKEN", "this subdomain is in use"))
        for j, user in enumerate(org.users):
            for k, token in enumerate(user.tokens):
                if tx.find_principal(hash_token(token.value)) is not None:
                    where = f"{at}/users/{j}/tokens/{k}/value"
                    problems.append(FieldError(where, "TAKEN", "this token is in use"))
        for j, integration in enumerate(org.integrations):
            value = integration.scim_token
            if value is not None and tx.find_integration_by_scim_token(hash_token(value)):
                where = f"{at}/integrations/{j}/scim_token"
                problems.append(FieldError(where, "TAKEN", "this token is in use"))
    if problems:
        raise Invalid("The seed is invalid", problems)


def _write(
    tx: DirectoryTransaction,
    index: int,
    org: SeedOrganization,
    scopes: Mapping[str, list[EndpointPermission]],
    actor: Actor,
) -> Organization:
    now = utcnow()
    created = tx.add_organization(
        name=org.name.strip(),
        subdomain=org.subdomain,
        rate_limit_per_minute=org.rate_limit_per_minute,
        now=now,
    )
    groups = {
        name: tx.add_account_group(
            org_id=created.id,
            name=name.strip(),
            is_default=k == 0,
            account_token=new_account_token(),
        )
        for k, name in enumerate(_group_names(org))
    }
    roles: dict[str, Role] = {r.name: r for r in tx.list_roles(created.id)}
    for role in org.roles:
        roles[role.name] = tx.add_role(
            org_id=created.id, name=role.name.strip(), permission_codes=frozenset(role.permissions)
        )
    for user in org.users:
        _write_user(tx, created, user, groups, roles, scopes, now)
    for integration in org.integrations:
        token = integration.scim_token
        added = tx.add_integration(
            org_id=created.id,
            uuid=uuid.uuid4(),
            name=integration.name.strip(),
            type=integration.type,
            scim_token_hash=hash_token(token) if token else None,
            now=now,
        )
        _write_directory_users(tx, created, added, integration.users)
    _write_devices(tx, created, org.devices, f"/organizations/{index}/devices", actor)
    record(
        tx,
        org_id=created.id,
        actor=actor,
        action="organization.create",
        target_type="organization",
        target_id=str(created.id),
        new_state={"name": created.name, "subdomain": created.subdomain, "seeded": True},
        target_name=created.name,
    )
    return created


def _write_directory_users(
    tx: DirectoryTransaction,
    org: Organization,
    integration: Integration,
    rows: Sequence[Mapping[str, Any]],
) -> None:
    if not rows:
        return
    fields = [{k: v for k, v in row.items() if k != "archived"} for row in rows]
    records = [checked_record(row, _WHERE) for row in fields]  # checked before: no error here
    archived = [k for k, row in enumerate(rows) if row.get("archived") is True]
    write_records(tx, org, integration, records, archived=archived)


def _write_devices(
    tx: DirectoryTransaction,
    org: Organization,
    rows: Sequence[Mapping[str, Any]],
    at: str,
    actor: Actor,
) -> None:
    problems: list[FieldError] = []
    parsed: list[NewDevice] = []
    for j, row in enumerate(rows):
        try:
            parsed.append(parse_device(tx, org, row, _WHERE))
        except Invalid as exc:
            problems += _as_pointers(exc.errors, f"{at}/{j}")
    if problems:  # raised inside the write: nothing of the seed is kept
        raise Invalid("The seed is invalid", problems)
    write_devices(tx, org, parsed, actor=actor)


def _write_user(
    tx: DirectoryTransaction,
    org: Organization,
    user: SeedUser,
    groups: Mapping[str, AccountGroup],
    roles: Mapping[str, Role],
    scopes: Mapping[str, list[EndpointPermission]],
    now: datetime,
) -> None:
    by_group = {
        groups[name].aid: frozenset(roles[r].role_id for r in names)
        for name, names in user.roles.items()
        if name != ALL_ACCOUNT_GROUPS and names
    }
    everywhere = frozenset(roles[r].role_id for r in user.roles.get(ALL_ACCOUNT_GROUPS, ()))
    added = tx.add_user(
        NewUser(
            id=uuid.uuid4(),
            org_id=org.id,
            email=normalize_email(user.email),
            name=user.name.strip(),
            login_account_group_id=_login_group(user, groups, by_group).aid,
            created_at=now,
        )
    )
    tx.set_role_assignments(
        added.uid, RoleAssignments(by_account_group=by_group, all_account_groups=everywhere)
    )
    for token in user.tokens:
        issued = tx.add_token(
            org_id=org.id,
            user_uid=added.uid,
            token_hash=hash_token(token.value),
            name=token.name,
            now=now,
        )
        tx.add_token_permissions(issued.id, scopes.get(token.value, []))


def _login_group(
    user: SeedUser, groups: Mapping[str, AccountGroup], by_group: Mapping[int, frozenset[int]]
) -> AccountGroup:
    """The one the seed names, else the first group the user holds a role in (the default one
    for a user with roles in all of them)."""
    if user.login_account_group is not None:
        return groups[user.login_account_group]
    ordered = list(groups.values())
    return next((g for g in ordered if g.aid in by_group), ordered[0])
