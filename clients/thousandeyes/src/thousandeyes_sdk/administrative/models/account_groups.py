from __future__ import annotations

from pydantic import Field
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.administrative.models.account_group_info import AccountGroupInfo
from thousandeyes_sdk.administrative.models.self_links import SelfLinks


class AccountGroups(ApiModel):
    """The result of get_account_groups: the account groups available to the caller."""

    account_groups: list[AccountGroupInfo] | None = Field(default=None, alias="accountGroups")
    links: SelfLinks | None = Field(default=None, alias="_links")
