from __future__ import annotations

from pydantic import Field, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel


class Resource(ApiModel):
    """What an event acted on."""

    type: StrictStr | None = Field(
        default=None,
        description="Type of the resource: `userDisplayName`, `roleName`, `testName`, ….",
    )
    name: StrictStr | None = Field(default=None, description="Name of the resource.")
