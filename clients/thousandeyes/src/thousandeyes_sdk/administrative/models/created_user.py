from __future__ import annotations

from pydantic import Field
from thousandeyes_sdk.administrative.models.account_group_role import AccountGroupRole
from thousandeyes_sdk.administrative.models.role import Role
from thousandeyes_sdk.administrative.models.self_links import SelfLinks
from thousandeyes_sdk.administrative.models.user import User


class CreatedUser(User):
    """The result of create_user (the `Location` header is in `create_user_with_http_info`)."""

    account_group_roles: list[AccountGroupRole] | None = Field(
        default=None, alias="accountGroupRoles"
    )
    all_account_group_roles: list[Role] | None = Field(default=None, alias="allAccountGroupRoles")
    links: SelfLinks | None = Field(default=None, alias="_links")
