from __future__ import annotations

from pydantic import Field, StrictBool, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel


class Permission(ApiModel):
    label: StrictStr | None = Field(default=None, description="Label of the permission.")
    permission_id: StrictStr | None = Field(
        default=None, alias="permissionId", description="Unique ID of the permission."
    )
    is_management_permission: StrictBool | None = Field(
        default=None,
        alias="isManagementPermission",
        description="True if the permission is classified as a management permission.",
    )
    permission: StrictStr | None = Field(default=None, description="Permission name.")
