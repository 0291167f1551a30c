"""The one error tree of the directory core.

Dialects map each class to their vendor's envelope in exactly one place; the core never knows
about HTTP status codes.
"""

from __future__ import annotations

from dataclasses import dataclass


class RosterdError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(RosterdError):
    """The resource does not exist, or belongs to another organization."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field; `field` is the dialect's own name for it."""

    field: str
    code: str
    message: str

    def line(self) -> str:
        """The problem in one line naming its place once (a file's `line 3: email must be …`,
        not `line 3: email: line 3: email must be …`), as the CLI and the console say it."""
        if self.message.startswith(self.field):
            return self.message
        place, _, name = self.field.rpartition(": ")
        if place and self.message.startswith(name):  # "line 3: active" + "active must …"
            return f"{place}: {self.message}"
        return f"{self.field}: {self.message}"


class Invalid(RosterdError):
    """The input breaks a rule; `errors` names each offending field."""

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.errors: tuple[FieldError, ...] = tuple(errors or ())


class Conflict(Invalid):
    """A uniqueness rule would be broken (for example an email already used in the org)."""


class PreconditionFailed(RosterdError):
    """The caller's condition on the resource's current version (an ETag) does not hold."""


class Unauthenticated(RosterdError):
    """No usable credentials: missing, malformed, unknown, revoked, or not confirmed."""


class Forbidden(RosterdError):
    """The caller is known but lacks a permission, or is not assigned to the account group."""


class RateLimited(RosterdError):
    """The organization spent its request budget for the current window."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
