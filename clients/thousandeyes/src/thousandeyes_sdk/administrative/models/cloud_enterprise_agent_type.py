from __future__ import annotations

from thousandeyes_sdk.administrative.models._base import ApiEnum


class CloudEnterpriseAgentType(ApiEnum):
    """Type of the agent."""

    CLOUD = "cloud"
    ENTERPRISE_MINUS_CLUSTER = "enterprise-cluster"
    ENTERPRISE = "enterprise"
    UNKNOWN = "unknown"
