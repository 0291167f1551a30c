from __future__ import annotations

from pydantic import Field, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel


class UserAccountGroupRole(ApiModel):
    """The roles to give a user in one account group (request side)."""

    account_group_id: StrictStr | None = Field(
        default=None, alias="accountGroupId", description="Unique ID of the account group."
    )
    role_ids: list[StrictStr] | None = Field(
        default=None, alias="roleIds", description="Unique IDs of the roles."
    )
