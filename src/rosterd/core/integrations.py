"""Directory integrations: where directory users come from (Office 365, Google Workspace, SCIM)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Final

from rosterd.core.audit import Actor, record
from rosterd.core.clock import utcnow
from rosterd.core.entities import Integration, Organization
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


class IntegrationsService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def create_integration(
        self, *, org_subdomain: str, name: str, type: str, actor: Actor
    ) -> CreatedIntegration:
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
            org = organization(tx, org_subdomain)
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

    def rotate_scim_token(self, *, org_subdomain: str, integration: str, actor: Actor) -> str:
        """A new SCIM token for the integration (shown once); the old one stops working."""
        token = generate_token()
        self._replace_scim_token(org_subdomain, integration, hash_token(token), actor)
        return token

    def revoke_scim_token(self, *, org_subdomain: str, integration: str, actor: Actor) -> None:
        """The integration's SCIM token stops working; its users and groups stay."""
        self._replace_scim_token(org_subdomain, integration, None, actor)

    def _replace_scim_token(
        self, org_subdomain: str, integration: str, token_hash: str | None, actor: Actor
    ) -> None:
        with self._store.write() as tx:
            org = organization(tx, org_subdomain)
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

    def list_integrations(self, *, org_subdomain: str) -> list[Integration]:
        with self._store.read() as tx:
            return tx.list_integrations(organization(tx, org_subdomain).id)

    def authenticate_scim(self, token: str) -> Integration | None:
        """The integration a SCIM bearer token belongs to, if any."""
        with self._store.read() as tx:
            return tx.find_integration_by_scim_token(hash_token(token))


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
