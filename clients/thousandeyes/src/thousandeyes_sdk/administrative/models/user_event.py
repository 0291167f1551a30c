from __future__ import annotations

from datetime import datetime

from pydantic import Field, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.administrative.models.resource import Resource


class UserEvent(ApiModel):
    """One activity log event: who did what, when, in which account group, to what."""

    aid: StrictStr | None = Field(
        default=None, description="Unique ID of the account group the event happened in."
    )
    account_group_name: StrictStr | None = Field(
        default=None, alias="accountGroupName", description="Account group name."
    )
    var_date: datetime | None = Field(default=None, alias="date", description="UTC event time.")
    event: StrictStr | None = Field(default=None, description="What happened.")
    ip_address: StrictStr | None = Field(
        default=None, alias="ipAddress", description="Source IP address of the user."
    )
    uid: StrictStr | None = Field(default=None, description="Unique ID of the user who acted.")
    user: StrictStr | None = Field(
        default=None, description="The name and email address of the user who acted."
    )
    resources: list[Resource] | None = None
