"""What an injected fault's status is, as the core's own error: so that each dialect answers an
injected 404 or 429 exactly as it answers a real one (its one error mapping), and any other
status as that dialect answers an HTTP error of that status."""

from __future__ import annotations

from typing import Final

from rosterd.core.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
    RateLimited,
    RosterdError,
    Unauthenticated,
)

INJECTED = "Injected by rosterd's control plane"


_ERRORS: Final[dict[int, type[RosterdError]]] = {
    400: Invalid,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
}


def core_error_for(status: int, retry_after: int) -> RosterdError | None:
    if status == 429:
        return RateLimited(INJECTED, retry_after=retry_after)
    kind = _ERRORS.get(status)
    return kind(INJECTED) if kind is not None else None
