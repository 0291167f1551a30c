"""Small input rules shared by every dialect."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from rosterd.core.errors import FieldError

MAX_EMAIL_LENGTH: Final = 254
MAX_NAME_LENGTH: Final = 255
_NOT_IN_EMAIL = r"@\s\x00-\x1f\x7f"
_EMAIL: Final = re.compile(rf"^[^{_NOT_IN_EMAIL}]+@[^{_NOT_IN_EMAIL}.]+(\.[^{_NOT_IN_EMAIL}.]+)+$")


def email_problem(field: str, email: str) -> FieldError | None:
    if not email.isprintable():
        # Invisible and control characters (U+200B, U+202E, U+FEFF, C1 controls) would let
        # `admin\u200b@org` pass for `admin@org`.
        return FieldError(
            field, "INVALID_EMAIL", f"{field} must not contain invisible or control characters"
        )
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(email):
        return FieldError(field, "INVALID_EMAIL", f"{field} must be a valid email address")
    return None


def name_problem(field: str, name: str) -> FieldError | None:
    if not name.strip():
        return FieldError(field, "BLANK", f"{field} cannot be blank")
    if len(name) > MAX_NAME_LENGTH or not name.isprintable():
        return FieldError(
            field,
            "INVALID_NAME",
            f"{field} must be printable, at most {MAX_NAME_LENGTH} characters",
        )
    return None


def parse_numeric_id(value: str) -> int | None:
    """ThousandEyes-style ids are decimal strings; anything else names nothing."""
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def normalize_email(email: str) -> str:
    """An email as rosterd stores it: trimmed, in Unicode NFC, so that the composed and the
    decomposed spelling of `josé@x.com` are one address."""
    return unicodedata.normalize("NFC", email.strip())


def fold(value: str) -> str:
    """The key case-insensitive values compare by: NFC, lower case (so does scim2-models)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", value).lower())


def email_key(email: str) -> str:
    """Emails are unique per organization regardless of case and Unicode spelling."""
    return fold(email.strip())
