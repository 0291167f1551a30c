"""The console's session: a signed, expiring, HttpOnly, SameSite=Strict cookie.

The cookie holds the hash of the API token that signed in (the hash the database stores, never
the token) and the session's CSRF token, signed with the console secret. Every request looks the
token up again by that hash, so a revoked token ends its sessions at once.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Final

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE: Final = "rosterd_console"
MAX_AGE_SECONDS: Final = 8 * 60 * 60  # a working day


@dataclass(frozen=True, slots=True)
class Session:
    token_hash: str
    csrf: str  # sent back in every form; a POST without it is refused

    def csrf_matches(self, sent: str | None) -> bool:
        return sent is not None and hmac.compare_digest(sent, self.csrf)


class SessionSigner:
    def __init__(self, secret: str | None) -> None:
        self._serializer = URLSafeTimedSerializer(
            secret or secrets.token_urlsafe(32), salt="rosterd.console.session"
        )

    def new(self, token_hash: str) -> tuple[Session, str]:
        """A fresh session for `token_hash` and its cookie value."""
        session = Session(token_hash, secrets.token_urlsafe(24))
        return session, self._serializer.dumps([session.token_hash, session.csrf])

    def read(self, cookie: str | None) -> Session | None:
        """The session `cookie` carries, if its signature holds and it has not expired."""
        if not cookie:
            return None
        try:
            value = self._serializer.loads(cookie, max_age=MAX_AGE_SECONDS)
        except BadSignature:  # SignatureExpired is one
            return None
        if not (
            isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
        ):
            return None
        return Session(value[0], value[1])
