from __future__ import annotations

from pydantic import Field, StrictBool, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel


class AccountGroupInfo(ApiModel):
    aid: StrictStr | None = Field(default=None, description="Unique ID of the account group.")
    account_group_name: StrictStr | None = Field(
        default=None, alias="accountGroupName", description="Account group name."
    )
    is_current_account_group: StrictBool | None = Field(
        default=None,
        alias="isCurrentAccountGroup",
        description="True for the account group the call acts in.",
    )
    is_default_account_group: StrictBool | None = Field(
        default=None,
        alias="isDefaultAccountGroup",
        description="True for the caller's default (login) account group.",
    )
    organization_name: StrictStr | None = Field(
        default=None, alias="organizationName", description="Name of the organization."
    )
    org_id: StrictStr | None = Field(
        default=None, alias="orgId", description="Unique ID of the organization."
    )
