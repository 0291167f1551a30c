from __future__ import annotations

from pydantic import Field, StrictBool
from thousandeyes_sdk.administrative.models.base_role import BaseRole


class Role(BaseRole):
    has_management_permissions: StrictBool | None = Field(
        default=None,
        alias="hasManagementPermissions",
        description="True if the role grants at least one management permission.",
    )
