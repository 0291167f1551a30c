from __future__ import annotations

from datetime import datetime

from pydantic import Field, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.administrative.models.account_group import AccountGroup


class User(ApiModel):
    name: StrictStr | None = Field(default=None, description="User's display name.")
    email: StrictStr | None = Field(default=None, description="User's email address.")
    uid: StrictStr | None = Field(default=None, description="Unique ID of the user.")
    date_registered: datetime | None = Field(
        default=None,
        alias="dateRegistered",
        description="UTC date the user registered their account (ISO date-time format).",
    )
    login_account_group: AccountGroup | None = Field(default=None, alias="loginAccountGroup")
