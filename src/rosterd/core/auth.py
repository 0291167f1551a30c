"""Turning a bearer token into a principal, and issuing and revoking tokens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rosterd.core.audit import Actor, record
from rosterd.core.clock import utcnow
from rosterd.core.entities import ApiToken, EndpointPermission, Principal
from rosterd.core.errors import Invalid, NotFound, Unauthenticated
from rosterd.core.ports import DirectoryStore
from rosterd.core.tokens import generate_token, hash_token, looks_like_token


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str  # the only time the secret exists outside the caller's hands
    record: ApiToken


class AuthService:
    def __init__(self, store: DirectoryStore) -> None:
        self._store = store

    def authenticate(self, token: str | None) -> Principal:
        if not token:
            raise Unauthenticated("Missing access token")
        if not looks_like_token(token):
            raise Unauthenticated("Invalid access token")
        return self.authenticate_digest(hash_token(token))

    def authenticate_digest(self, token_hash: str) -> Principal:
        """The principal of the token whose stored hash is `token_hash` (the console's signed
        session holds the hash, never the token), with every check `authenticate` makes."""
        with self._store.read() as tx:
            principal = tx.find_principal(token_hash)
        if principal is None:
            raise Unauthenticated("Invalid access token")
        if not principal.user.email_confirmed:
            raise Unauthenticated("The user's email address changed and is not yet confirmed")
        if not principal.user.active or principal.user.archived:
            raise Unauthenticated("The user is not active")
        return principal

    def create_token(
        self,
        *,
        org_subdomain: str,
        email: str,
        name: str = "",
        actor: Actor,
        permissions: Sequence[EndpointPermission] = (),
        value: str | None = None,
    ) -> IssuedToken:
        """Issue a token; `permissions` limit it to those endpoints (none: every endpoint).
        `value`: the token itself, for a published one (the demo's); else a new random one."""
        token = value or generate_token()
        with self._store.write() as tx:
            org = tx.get_organization_by_subdomain(org_subdomain)
            user = tx.find_user_by_email(org.id, email) if org else None
            if org is None or user is None:
                raise NotFound(f"No user {email!r} in organization {org_subdomain!r}")
            issued = tx.add_token(
                org_id=org.id,
                user_uid=user.uid,
                token_hash=hash_token(token),
                name=name,
                now=utcnow(),
            )
            tx.add_token_permissions(issued.id, permissions)
            record(
                tx,
                org_id=org.id,
                actor=actor,
                action="token.create",
                target_type="token",
                target_id=str(issued.id),
                new_state={
                    "user_uid": str(user.uid),
                    "name": name,
                    "permissions": [
                        {"path": p.path, "http_method": p.http_method} for p in permissions
                    ],
                },
                target_name=name or None,
            )
        return IssuedToken(token, issued)

    def revoke_token(
        self,
        *,
        org_subdomain: str,
        actor: Actor,
        token: str | None = None,
        token_id: int | None = None,
    ) -> ApiToken:
        """Revoke by the secret itself or by the id `list_tokens` shows."""
        if (token is None) == (token_id is None):
            raise Invalid("Name the token to revoke by its value or by its id")
        token_hash = hash_token(token) if token is not None else None
        with self._store.write() as tx:
            org = tx.get_organization_by_subdomain(org_subdomain)
            revoked = (
                tx.revoke_token(
                    org_id=org.id, now=utcnow(), token_hash=token_hash, token_id=token_id
                )
                if org
                else None
            )
            if org is None or revoked is None:
                raise NotFound(f"No such active token in organization {org_subdomain!r}")
            record(
                tx,
                org_id=org.id,
                actor=actor,
                action="token.revoke",
                target_type="token",
                target_id=str(revoked.id),
                new_state=None,
                target_name=revoked.name or None,
            )
        return revoked

    def list_tokens(self, *, org_subdomain: str, email: str) -> list[ApiToken]:
        """A user's tokens (never the secrets, which are not stored)."""
        with self._store.read() as tx:
            org = tx.get_organization_by_subdomain(org_subdomain)
            user = tx.find_user_by_email(org.id, email) if org else None
            if org is None or user is None:
                raise NotFound(f"No user {email!r} in organization {org_subdomain!r}")
            return tx.list_tokens(org.id, user.uid)
