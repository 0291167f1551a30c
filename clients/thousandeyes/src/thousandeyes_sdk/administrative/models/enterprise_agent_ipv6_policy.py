from __future__ import annotations

from thousandeyes_sdk.administrative.models._base import ApiEnum


class EnterpriseAgentIpv6Policy(ApiEnum):
    """IP version policy (Enterprise Agents and Enterprise Clusters only)."""

    FORCE_MINUS_IPV4 = "force-ipv4"
    PREFER_MINUS_IPV6 = "prefer-ipv6"
    FORCE_MINUS_IPV6 = "force-ipv6"
    UNKNOWN = "unknown"
