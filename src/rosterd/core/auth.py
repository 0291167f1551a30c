"""Turning a bearer token into a principal, and issuing and revoking tokens.

The operator (the CLI) names a token's user by organization and email; a signed-in user (the
console) manages tokens through the `*_user_token(s)` methods, checked against their principal:

- anyone may list, issue and revoke their own tokens (issuing needs `API Access`, which the
  token is for);
- another user's tokens are listed with `View all users`, and issued or revoked with `Edit users
  in all account groups` (a token acts as its user everywhere, so no account-group-scoped
  permission reaches it) plus `Assign management permissions` when that user holds a role with
  management permissions (nobody acts as more than they may assign);
- a token limited to some endpoints issues and revokes none: it could mint an unlimited one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from rosterd.core import permissions as perm
from rosterd.core.admins import management_roles_held
from rosterd.core.audit import Actor, record
from rosterd.core.clock import utcnow
from rosterd.core.endpoints import permission_codes_anywhere, require_tenant_permission
from rosterd.core.entities import ApiToken, EndpointPermission, Principal, User
from rosterd.core.errors import Forbidden, Invalid, NotFound, Unauthenticated
from rosterd.core.ports import DirectoryStore, DirectoryTransaction
from rosterd.core.tokens import generate_token, hash_token, looks_like_token

MAX_TOKEN_NAME: Final = 255
LIMITED_CALLER: Final = (
    "This API token is limited to some endpoints, so it may not issue or revoke tokens: "
    "sign in with an unlimited one."
)
NO_SUCH_USER: Final = "Not found."
NO_SUCH_TOKEN: Final = "This user has no such active token."  # noqa: S105 - a message


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str  # the only time the secret exists outside the caller's hands
    record: ApiToken


@dataclass(frozen=True, slots=True)
class UserTokens:
    tokens: list[ApiToken]  # oldest first, revoked ones too
    refused: str | None  # why the caller may not issue or revoke them; None: they may


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
        self._store.token_used(principal.token_id)
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
        with self._store.write() as tx:
            org = tx.get_organization_by_subdomain(org_subdomain)
            user = tx.find_user_by_email(org.id, email) if org else None
            if org is None or user is None:
                raise NotFound(f"No user {email!r} in organization {org_subdomain!r}")
            return _issue(tx, user, name, actor, permissions, value)

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
            _record_revoke(tx, revoked, actor)
        return revoked

    def list_tokens(self, *, org_subdomain: str, email: str) -> list[ApiToken]:
        """A user's tokens (never the secrets, which are not stored)."""
        with self._store.read() as tx:
            org = tx.get_organization_by_subdomain(org_subdomain)
            user = tx.find_user_by_email(org.id, email) if org else None
            if org is None or user is None:
                raise NotFound(f"No user {email!r} in organization {org_subdomain!r}")
            return tx.list_tokens(org.id, user.uid)

    # A signed-in user's own tokens and, as far as they may, other users' (see the module).

    def list_user_tokens(self, *, principal: Principal, user_uid: int) -> UserTokens:
        """The tokens of the user `user_uid` of the caller's organization, oldest first, and
        whether the caller may issue and revoke them."""
        with self._store.read() as tx:
            user = _target(tx, principal, user_uid)
            if user.uid != principal.user.uid:
                require_tenant_permission(tx, principal, perm.VIEW_ALL_USERS)
            tokens = tx.list_tokens(principal.org.id, user.uid)
            try:
                _require_may_manage_tokens(tx, principal, user)
            except Forbidden as refused:
                return UserTokens(tokens, refused.message)
            return UserTokens(tokens, None)

    def create_user_token(
        self, *, principal: Principal, user_uid: int, name: str, actor: Actor
    ) -> IssuedToken:
        """Issue an unlimited token for `user_uid`, if the caller may (see the module)."""
        name = name.strip()
        if len(name) > MAX_TOKEN_NAME:
            raise Invalid(f"A token's name has at most {MAX_TOKEN_NAME} characters.")
        with self._store.write() as tx:
            user = _target(tx, principal, user_uid)
            _require_may_manage_tokens(tx, principal, user)
            return _issue(tx, user, name, actor, (), None)

    def revoke_user_token(
        self, *, principal: Principal, user_uid: int, token_id: int, actor: Actor
    ) -> ApiToken:
        """Revoke one of `user_uid`'s active tokens, if the caller may (see the module); the
        caller's own session token among them, which ends that session."""
        with self._store.write() as tx:
            user = _target(tx, principal, user_uid)
            _require_may_manage_tokens(tx, principal, user)
            owned = {t.id for t in tx.list_tokens(principal.org.id, user.uid)}
            revoked = (
                tx.revoke_token(org_id=principal.org.id, now=utcnow(), token_id=token_id)
                if token_id in owned
                else None
            )
            if revoked is None:
                raise NotFound(NO_SUCH_TOKEN)
            _record_revoke(tx, revoked, actor)
        return revoked


def _target(tx: DirectoryTransaction, principal: Principal, user_uid: int) -> User:
    """The user `user_uid` of the caller's organization; another organization's is not found."""
    user = tx.get_user(principal.org.id, user_uid)
    if user is None:
        raise NotFound(NO_SUCH_USER)
    return user


def _require_may_manage_tokens(tx: DirectoryTransaction, principal: Principal, user: User) -> None:
    if principal.endpoints:
        raise Forbidden(LIMITED_CALLER)
    if user.uid == principal.user.uid:
        require_tenant_permission(tx, principal, perm.API_ACCESS)
        return
    require_tenant_permission(tx, principal, perm.EDIT_USERS_ALL_ACCOUNT_GROUPS)
    roles = tx.get_catalogue(principal.org.id).roles
    managers = management_roles_held(roles, tx.get_role_assignments(user.uid))
    if managers and perm.ASSIGN_MANAGEMENT_PERMISSIONS not in permission_codes_anywhere(
        tx, principal
    ):
        raise Forbidden(
            f"Managing the tokens of a user with the {', '.join(managers)} role requires the "
            "'Assign management permissions' permission"
        )


def _issue(
    tx: DirectoryTransaction,
    user: User,
    name: str,
    actor: Actor,
    permissions: Sequence[EndpointPermission],
    value: str | None,
) -> IssuedToken:
    """Store a new token for `user` (`value`, or a random one) and record its creation."""
    token = value or generate_token()
    issued = tx.add_token(
        org_id=user.org_id,
        user_uid=user.uid,
        token_hash=hash_token(token),
        name=name,
        now=utcnow(),
    )
    tx.add_token_permissions(issued.id, permissions)
    record(
        tx,
        org_id=user.org_id,
        actor=actor,
        action="token.create",
        target_type="token",
        target_id=str(issued.id),
        new_state={
            "user_uid": str(user.uid),
            "name": name,
            "permissions": [{"path": p.path, "http_method": p.http_method} for p in permissions],
        },
        target_name=name or None,
    )
    return IssuedToken(token, issued)


def _record_revoke(tx: DirectoryTransaction, revoked: ApiToken, actor: Actor) -> None:
    record(
        tx,
        org_id=revoked.org_id,
        actor=actor,
        action="token.revoke",
        target_type="token",
        target_id=str(revoked.id),
        new_state=None,
        target_name=revoked.name or None,
    )
