from __future__ import annotations

from thousandeyes_sdk.administrative.models._base import ApiEnum


class EnterpriseAgentState(ApiEnum):
    """State of the agent."""

    ONLINE = "online"
    OFFLINE = "offline"
    DISABLED = "disabled"
    UNKNOWN = "unknown"
