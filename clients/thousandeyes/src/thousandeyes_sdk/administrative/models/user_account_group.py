from __future__ import annotations

from datetime import datetime

from pydantic import Field, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.administrative.models.role import Role


class UserAccountGroup(ApiModel):
    """A user of an account group (`expand=user`), with the roles they hold in it."""

    name: StrictStr | None = Field(default=None, description="User's display name.")
    email: StrictStr | None = Field(default=None, description="User's email address.")
    uid: StrictStr | None = Field(default=None, description="Unique ID of the user.")
    last_login: datetime | None = Field(
        default=None, alias="lastLogin", description="UTC last login of the user."
    )
    date_registered: datetime | None = Field(
        default=None, alias="dateRegistered", description="UTC date the user registered."
    )
    roles: list[Role] | None = None
