from __future__ import annotations

from datetime import datetime

from pydantic import Field
from thousandeyes_sdk.administrative.models.user import User


class ExtendedUser(User):
    """An item of `Users.users`."""

    last_login: datetime | None = Field(
        default=None, alias="lastLogin", description="UTC last login of the user."
    )
