from __future__ import annotations

from pydantic import Field, StrictStr
from thousandeyes_sdk.administrative.models.created_account_group import CreatedAccountGroup
from thousandeyes_sdk.administrative.models.enterprise_agent import EnterpriseAgent


class AccountGroupDetail(CreatedAccountGroup):
    """The result of get_account_group and update_account_group: a created group's fields,
    `agents` (only with `expand=agent`) and the account token."""

    agents: list[EnterpriseAgent] | None = None
    account_token: StrictStr | None = Field(
        default=None,
        alias="accountToken",
        description="The alphanumeric token that binds an Enterprise Agent to the account group "
        "(an identifier, not a secret).",
    )
