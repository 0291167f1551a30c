from __future__ import annotations

from pydantic import Field, StrictBool, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel


class Link(ApiModel):
    """A HAL link; `href` is required, as in the official SDK."""

    href: StrictStr = Field(description="The link's URL (absolute, or a URI template).")
    templated: StrictBool | None = Field(default=None, description="`true` if href is a template.")
    type: StrictStr | None = Field(default=None, description="Media type of the target.")
    deprecation: StrictStr | None = None
    name: StrictStr | None = None
    profile: StrictStr | None = None
    title: StrictStr | None = None
    hreflang: StrictStr | None = None
