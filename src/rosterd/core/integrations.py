"""Directory integrations: where directory users come from (Office 365, Google Workspace, SCIM)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from rosterd.core import permissions as perm
from rosterd.core.audit import Actor, record
from rosterd.core.clock import utcnow
from rosterd.core.endpoints import (
    permission_codes_anywhere,
    require_tenant_permission,
    require_unlimited_token,
)
from rosterd.core.entities import Integration, Organization, Principal
from rosterd.core.errors import FieldError, Invalid, NotFound
from rosterd.core.integration_types import INTEGRATION_TYPES
from rosterd.core.ports import DirectoryStore, DirectoryTransaction
from rosterd.core.tokens import generate_token, hash_token
from rosterd.core.validation import name_problem

SCIM: Final = "scim"


@dataclass(frozen=True, slots=True)
class CreatedIntegration:
    integration: Integration
    scim_token: str | None  # shown once; only its hash is stored


@dataclass(frozen=True, slots=True)
class IntegrationView:
    integration: Integration
    scim_token_active: bool  # a scim integration whose token has not been revoked


@dataclass(frozen=True, slots=True)
class IntegrationsListing:
    integrations: list[IntegrationView]  # in the order they were made
    may_manage: bool  # whether the caller may create integrations and rotate their tokens


# Which organization a call acts on: the operator's CLI names it by subdomain; a signed-in
# caller (the console) acts on their own, with the permission the operation needs there.
OrgOf = Callable[[DirectoryTransaction], Organization]


class IntegrationsService:
    """The operator's commands (by org_subdomain, trusted) and a signed-in caller's (by
    principal, checked: `principal_org`); both go through the same rules below."""

    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def create_integration(
        self, *, org_subdomain: str, name: str, type: str, actor: Actor
    ) -> CreatedIntegration:
        return self._create(_by_subdomain(org_subdomain), name, type, actor)

    def create_integration_as(
        self, *, principal: Principal, name: str, type: str, actor: Actor
    ) -> CreatedIntegration:
        return self._create(principal_org(principal, MANAGE), name, type, actor)

    def rotate_scim_token(self, *, org_subdomain: str, integration: str, actor: Actor) -> str:
        """A new SCIM token for the integration (shown once); the old one stops working."""
        return self._rotate(_by_subdomain(org_subdomain), integration, actor)

    def rotate_scim_token_as(self, *, principal: Principal, integration: str, actor: Actor) -> str:
        return self._rotate(principal_org(principal, MANAGE), integration, actor)

    def revoke_scim_token(self, *, org_subdomain: str, integration: str, actor: Actor) -> None:
        """The integration's SCIM token stops working; its users and groups stay."""
        self._replace_scim_token(_by_subdomain(org_subdomain), integration, None, actor)

    def revoke_scim_token_as(self, *, principal: Principal, integration: str, actor: Actor) -> None:
        self._replace_scim_token(principal_org(principal, MANAGE), integration, None, actor)

    def list_integrations(self, *, org_subdomain: str) -> list[Integration]:
        with self._store.read() as tx:
            return tx.list_integrations(organization(tx, org_subdomain).id)

    def list_integrations_as(self, *, principal: Principal) -> IntegrationsListing:
        with self._store.read() as tx:
            org = principal_org(principal, READ)(tx)
            active = tx.scim_token_holders(org.id)
            views = [IntegrationView(i, i.id in active) for i in tx.list_integrations(org.id)]
            return IntegrationsListing(views, _may_manage(tx, principal))

    def get_integration_as(
        self, *, principal: Principal, integration: str
    ) -> tuple[IntegrationView, bool]:
        """The integration, and whether the caller may rotate and revoke its token."""
        with self._store.read() as tx:
            org = principal_org(principal, READ)(tx)
            found = integration_of(tx, org, integration)
            view = IntegrationView(found, found.id in tx.scim_token_holders(org.id))
            return view, _may_manage(tx, principal)

    def authenticate_scim(self, token: str) -> Integration | None:
        """The integration a SCIM bearer token belongs to, if any."""
        with self._store.read() as tx:
            return tx.find_integration_by_scim_token(hash_token(token))

    def _create(self, org_of: OrgOf, name: str, type: str, actor: Actor) -> CreatedIntegration:
        problems = [p for p in (name_problem("name", name),) if p is not None]
        if type not in INTEGRATION_TYPES:
            problems.append(
                FieldError(
                    "type", "INVALID_TYPE", f"type must be one of {', '.join(INTEGRATION_TYPES)}"
                )
            )
        if problems:
            raise Invalid("Invalid integration", problems)
        token = generate_token() if type == SCIM else None
        with self._store.write() as tx:
            org = org_of(tx)
            created = tx.add_integration(
                org_id=org.id,
                uuid=uuid.uuid4(),
                name=name.strip(),
                type=type,
                scim_token_hash=hash_token(token) if token else None,
                now=utcnow(),
            )
            record(
                tx,
                org_id=org.id,
                actor=actor,
                action="integration.create",
                target_type="integration",
                target_id=str(created.uuid),
                new_state={"id": created.id, "name": created.name, "type": created.type},
            )
        return CreatedIntegration(created, token)

    def _rotate(self, org_of: OrgOf, integration: str, actor: Actor) -> str:
        token = generate_token()
        self._replace_scim_token(org_of, integration, hash_token(token), actor)
        return token

    def _replace_scim_token(
        self, org_of: OrgOf, integration: str, token_hash: str | None, actor: Actor
    ) -> None:
        with self._store.write() as tx:
            org = org_of(tx)
            found = integration_of(tx, org, integration)
            if found.type != SCIM:
                raise Invalid(
                    "Invalid integration",
                    [FieldError("integration", "NOT_SCIM", "only scim integrations have a token")],
                )
            tx.set_integration_scim_token(found.id, token_hash)
            record(
                tx,
                org_id=org.id,
                actor=actor,
                action="integration.token.rotate" if token_hash else "integration.token.revoke",
                target_type="integration",
                target_id=str(found.uuid),
                new_state={"id": found.id, "name": found.name, "type": found.type},
            )


# A signed-in caller's permissions for integrations (docs/console.md): an integration's users
# are the directory's, so reading the integrations takes what listing the directory takes, and
# making one or its SCIM token (which creates, changes and archives users in every account
# group) takes what editing users in every account group takes. Both as the Kandji API checks
# them: held anywhere in the organization.
READ: Final = perm.VIEW_ALL_USERS
MANAGE: Final = perm.EDIT_USERS_ALL_ACCOUNT_GROUPS
# Integrations have no API endpoint for a token to be limited to.
INTEGRATIONS: Final = "directory integrations"


def principal_org(principal: Principal, code: str) -> OrgOf:
    """The caller's organization, once the caller is checked: a token without endpoint limits
    (no endpoint stands for integrations), whose user holds `API Access` and `code`."""

    def org_of(tx: DirectoryTransaction) -> Organization:
        require_unlimited_token(principal, INTEGRATIONS)
        require_tenant_permission(tx, principal, code)
        return principal.org

    return org_of


def _may_manage(tx: DirectoryTransaction, principal: Principal) -> bool:
    return MANAGE in permission_codes_anywhere(tx, principal)


def _by_subdomain(subdomain: str) -> OrgOf:
    return lambda tx: organization(tx, subdomain)


def organization(tx: DirectoryTransaction, subdomain: str) -> Organization:
    org = tx.get_organization_by_subdomain(subdomain)
    if org is None:
        raise NotFound(f"No organization with subdomain {subdomain!r}")
    return org


def integration_of(tx: DirectoryTransaction, org: Organization, value: str) -> Integration:
    try:
        key = uuid.UUID(value)
    except ValueError:
        key = None
    found = tx.get_integration_by_uuid(org.id, key) if key else None
    if found is None:
        raise NotFound(f"No integration {value!r} in organization {org.subdomain!r}")
    return found
