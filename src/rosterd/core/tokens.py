"""API tokens: high-entropy secrets, shown once, stored only as SHA-256 hashes.

A slow KDF buys nothing for 256-bit random secrets and would cost every request; the hash
keeps a stolen database from yielding usable tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

TOKEN_PREFIX: Final = "rst_"  # noqa: S105 - a prefix, not a secret


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(value: str) -> bool:
    """Cheap shape check so that garbage never reaches the database."""
    return 8 <= len(value) <= 200 and value.isascii() and value.isprintable() and " " not in value
