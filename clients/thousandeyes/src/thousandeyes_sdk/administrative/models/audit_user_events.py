from __future__ import annotations

from datetime import datetime

from pydantic import Field
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.administrative.models.pagination_links import PaginationLinks
from thousandeyes_sdk.administrative.models.user_event import UserEvent


class AuditUserEvents(ApiModel):
    """The result of get_user_events: one page of events, oldest first.

    `start_date` and `end_date` are the time range read, when the call gave one (`window`,
    `start_date`, `end_date`).
    """

    audit_events: list[UserEvent] | None = Field(default=None, alias="auditEvents")
    start_date: datetime | None = Field(
        default=None, alias="startDate", description="UTC start of the range read."
    )
    end_date: datetime | None = Field(
        default=None, alias="endDate", description="UTC end of the range read."
    )
    links: PaginationLinks | None = Field(default=None, alias="_links")
