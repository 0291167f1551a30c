from __future__ import annotations

from pydantic import Field, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel


class AccountGroupRequest(ApiModel):
    """The body of create_account_group and update_account_group.

    `account_group_name` is required, as in the official SDK (the one required field of a
    request model). `agents` replaces the group's enterprise agents in full, not a delta.
    """

    account_group_name: StrictStr = Field(
        alias="accountGroupName", description="The name of the account group."
    )
    agents: list[StrictStr] | None = Field(
        default=None,
        description="IDs of the enterprise agents the account group may use (the full list).",
    )
