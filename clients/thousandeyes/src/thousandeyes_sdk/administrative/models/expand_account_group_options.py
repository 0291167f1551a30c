from __future__ import annotations

from thousandeyes_sdk.administrative.models._base import ApiEnum


class ExpandAccountGroupOptions(ApiEnum):
    """What an account group operation's `expand` adds to its answer: `users`, `agents`."""

    USER = "user"
    AGENT = "agent"
    UNKNOWN = "unknown"
