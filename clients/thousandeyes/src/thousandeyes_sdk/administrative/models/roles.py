from __future__ import annotations

from pydantic import Field
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.administrative.models.role import Role
from thousandeyes_sdk.administrative.models.self_links import SelfLinks


class Roles(ApiModel):
    """The result of get_roles: the built-in roles and the organization's own."""

    roles: list[Role] | None = None
    links: SelfLinks | None = Field(default=None, alias="_links")
