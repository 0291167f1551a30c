from __future__ import annotations

from datetime import datetime

from pydantic import Field, StrictBool, StrictInt, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.administrative.models.account_group import AccountGroup
from thousandeyes_sdk.administrative.models.cloud_enterprise_agent_type import (
    CloudEnterpriseAgentType,
)
from thousandeyes_sdk.administrative.models.enterprise_agent_ipv6_policy import (
    EnterpriseAgentIpv6Policy,
)
from thousandeyes_sdk.administrative.models.enterprise_agent_state import EnterpriseAgentState


class EnterpriseAgent(ApiModel):
    """An enterprise agent of an account group (`expand=agent`).

    rosterd has no agents (its `agents` is always `[]`), so this models the official fields
    that are plain values, by their official names, all optional; the nested ones
    (`coordinates`, `networkProviderInfo`, `tests`, `clusterMembers`, `errorDetails`,
    `interfaceIpMapping`) are kept as received in `model_extra`.
    """

    agent_type: CloudEnterpriseAgentType | None = Field(default=None, alias="agentType")
    ip_addresses: list[StrictStr] | None = Field(
        default=None, alias="ipAddresses", description="Private IP addresses."
    )
    public_ip_addresses: list[StrictStr] | None = Field(
        default=None, alias="publicIpAddresses", description="Public IP addresses."
    )
    network: StrictStr | None = Field(
        default=None, description="Network (including ASN) of the agent's public IP."
    )
    agent_id: StrictStr | None = Field(
        default=None, alias="agentId", description="Unique ID of the agent."
    )
    agent_name: StrictStr | None = Field(
        default=None, alias="agentName", description="Name of the agent."
    )
    location: StrictStr | None = Field(default=None, description="Location of the agent.")
    country_id: StrictStr | None = Field(
        default=None, alias="countryId", description="2-letter ISO country code."
    )
    enabled: StrictBool | None = Field(default=None, description="True if the agent is enabled.")
    verify_ssl_certificates: StrictBool | None = Field(
        default=None,
        alias="verifySslCertificates",
        description="False if the agent ignores TLS errors on browserbot-based tests.",
    )
    prefix: StrictStr | None = Field(
        default=None, description="Prefix containing the agent's public IP address."
    )
    test_ids: list[StrictInt] | None = Field(
        default=None, alias="testIds", description="IDs of the tests assigned to the agent."
    )
    utilization: StrictInt | None = Field(
        default=None, description="Overall utilization percentage."
    )
    account_groups: list[AccountGroup] | None = Field(default=None, alias="accountGroups")
    ipv6_policy: EnterpriseAgentIpv6Policy | None = Field(default=None, alias="ipv6Policy")
    hostname: StrictStr | None = Field(
        default=None, description="Fully qualified domain name of the agent."
    )
    last_seen: datetime | None = Field(
        default=None, alias="lastSeen", description="UTC time the agent was last seen."
    )
    agent_state: EnterpriseAgentState | None = Field(default=None, alias="agentState")
    keep_browser_cache: StrictBool | None = Field(
        default=None, alias="keepBrowserCache", description="True if the agent retains cache."
    )
    created_date: datetime | None = Field(
        default=None, alias="createdDate", description="UTC time the agent was created."
    )
    target_for_tests: StrictStr | None = Field(
        default=None, alias="targetForTests", description="Test target IP address."
    )
    serial_number: StrictStr | None = Field(
        default=None, alias="serialNumber", description="Serial number of the device."
    )
    local_resolution_prefixes: list[StrictStr] | None = Field(
        default=None,
        alias="localResolutionPrefixes",
        description="Public IP ranges (CIDR) for reverse DNS lookups.",
    )
