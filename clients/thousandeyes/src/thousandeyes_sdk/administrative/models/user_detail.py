from __future__ import annotations

from datetime import datetime

from pydantic import Field
from thousandeyes_sdk.administrative.models.account_group_role import AccountGroupRole
from thousandeyes_sdk.administrative.models.role import Role
from thousandeyes_sdk.administrative.models.self_links import SelfLinks
from thousandeyes_sdk.administrative.models.user import User


class UserDetail(User):
    """The result of get_user, get_current_user and update_user."""

    last_login: datetime | None = Field(
        default=None, alias="lastLogin", description="UTC last login of the user."
    )
    account_group_roles: list[AccountGroupRole] | None = Field(
        default=None, alias="accountGroupRoles"
    )
    all_account_group_roles: list[Role] | None = Field(default=None, alias="allAccountGroupRoles")
    links: SelfLinks | None = Field(default=None, alias="_links")
