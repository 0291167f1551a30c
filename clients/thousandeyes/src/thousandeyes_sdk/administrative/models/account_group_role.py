from __future__ import annotations

from pydantic import Field
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.administrative.models.account_group import AccountGroup
from thousandeyes_sdk.administrative.models.role import Role


class AccountGroupRole(ApiModel):
    """The roles a user holds in one account group (response side)."""

    account_group: AccountGroup | None = Field(default=None, alias="accountGroup")
    roles: list[Role] | None = None
