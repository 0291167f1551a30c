from __future__ import annotations

from pydantic import Field
from thousandeyes_sdk.administrative.models.account_group_info import AccountGroupInfo
from thousandeyes_sdk.administrative.models.self_links import SelfLinks
from thousandeyes_sdk.administrative.models.user_account_group import UserAccountGroup


class CreatedAccountGroup(AccountGroupInfo):
    """The result of create_account_group (the `Location` header is in
    `create_account_group_with_http_info`); `users` only with `expand=user`."""

    users: list[UserAccountGroup] | None = None
    links: SelfLinks | None = Field(default=None, alias="_links")
