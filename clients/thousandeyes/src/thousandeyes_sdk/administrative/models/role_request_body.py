from __future__ import annotations

from pydantic import Field, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel


class RoleRequestBody(ApiModel):
    """The body of create_role and update_role; unset fields are not sent.

    An update replaces the role's permissions with `permissions` (not a delta): send the full list.
    """

    name: StrictStr | None = Field(default=None, description="Name of the role.")
    permissions: list[StrictStr] | None = Field(
        default=None, description="Permission IDs (`permissionId`, from `/permissions`)."
    )
