from __future__ import annotations

from pydantic import Field, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel


class AccountGroup(ApiModel):
    aid: StrictStr | None = Field(
        default=None, description="Unique identifier of the account group."
    )
    account_group_name: StrictStr | None = Field(
        default=None, alias="accountGroupName", description="Name of the account group."
    )
