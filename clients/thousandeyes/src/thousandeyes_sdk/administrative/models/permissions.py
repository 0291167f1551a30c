from __future__ import annotations

from pydantic import Field
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.administrative.models.permission import Permission
from thousandeyes_sdk.administrative.models.self_links import SelfLinks


class Permissions(ApiModel):
    """The result of get_permissions: every permission a role can hold."""

    permissions: list[Permission] | None = None
    links: SelfLinks | None = Field(default=None, alias="_links")
