from __future__ import annotations

from pydantic import Field
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.administrative.models.extended_user import ExtendedUser
from thousandeyes_sdk.administrative.models.self_links import SelfLinks


class Users(ApiModel):
    """The result of get_users: every user of the organization (not paginated)."""

    users: list[ExtendedUser] | None = None
    links: SelfLinks | None = Field(default=None, alias="_links")
