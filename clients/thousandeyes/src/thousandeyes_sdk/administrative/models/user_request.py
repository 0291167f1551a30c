from __future__ import annotations

from pydantic import Field, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.administrative.models.user_account_group_role import (
    UserAccountGroupRole,
)


class UserRequest(ApiModel):
    """The body of create_user and update_user; unset fields are not sent.

    Any update that includes `account_group_roles` replaces the whole set (not a delta).
    """

    name: StrictStr | None = Field(default=None, description="User's display name.")
    email: StrictStr | None = Field(default=None, description="User's email address.")
    login_account_group_id: StrictStr | None = Field(
        default=None,
        alias="loginAccountGroupId",
        description="Unique ID of the account group the user logs in to.",
    )
    account_group_roles: list[UserAccountGroupRole] | None = Field(
        default=None, alias="accountGroupRoles"
    )
    all_account_group_role_ids: list[StrictStr] | None = Field(
        default=None,
        alias="allAccountGroupRoleIds",
        description="Unique IDs of the roles the user holds in all account groups.",
    )
