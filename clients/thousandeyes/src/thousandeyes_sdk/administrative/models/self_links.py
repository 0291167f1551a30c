from __future__ import annotations

from pydantic import Field
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.administrative.models.link import Link


class SelfLinks(ApiModel):
    var_self: Link | None = Field(default=None, alias="self")
