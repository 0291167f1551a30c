from __future__ import annotations

from pydantic import Field
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.administrative.models.link import Link


class PaginationLinks(ApiModel):
    """A page's links: `next` (its `cursor` is the next page's) only while more follow."""

    previous: Link | None = None
    next: Link | None = None
    var_self: Link | None = Field(default=None, alias="self")
