from __future__ import annotations

from pydantic import Field, StrictBool, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel


class BaseRole(ApiModel):
    name: StrictStr | None = Field(default=None, description="Name of the role.")
    role_id: StrictStr | None = Field(
        default=None, alias="roleId", description="Unique ID of the role."
    )
    is_builtin: StrictBool | None = Field(
        default=None,
        alias="isBuiltin",
        description="True for built-in roles (Account Admin, Organization Admin, Regular User).",
    )
