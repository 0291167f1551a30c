"""`UserEventsApi`: the activity log (`/audit-user-events`), in the three variants of every
operation, and `get_user_events_paginated`, which follows the pages' `next` links.

A page is at most 100 events, oldest first; the next page is asked for with the `cursor` of
the page's `_links.next.href`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StrictBool, StrictStr, validate_call
from rosterd_sdk_transport import RESTResponse
from thousandeyes_sdk.administrative.api._base import (
    Aid,
    ApiBase,
    QueryValue,
    RequestOptions,
    aid_query,
    flag,
)
from thousandeyes_sdk.administrative.models import AuditUserEvents, UserEvent
from thousandeyes_sdk.core.api_response import ApiResponse
from thousandeyes_sdk.core.pagination_iterable import PaginationIterable
from typing_extensions import Unpack

UseAllPermittedAids = Annotated[
    StrictBool | None,
    Field(description="`True` reads the events of every account group the caller may read."),
]
Window = Annotated[
    StrictStr | None,
    Field(
        description="A time range up to now: a number and a unit, `s`, `m`, `h`, `d` or `w` "
        "(`12h`). Not together with `start_date` or `end_date`."
    ),
]
StartDate = Annotated[
    datetime | None,
    Field(description="Start of the time range (UTC); not together with `window`."),
]
EndDate = Annotated[
    datetime | None,
    Field(description="End of the time range (UTC; default now); not together with `window`."),
]
Cursor = Annotated[
    StrictStr | None,
    Field(description="Opaque cursor of a page; the `cursor` of a page's `_links.next.href`."),
]


def events_of(page: AuditUserEvents) -> list[UserEvent]:
    return page.audit_events or []


class UserEventsApi(ApiBase):
    """Read the activity log: who changed what, in which account group, when."""

    # --- get_user_events_paginated: every page of get_user_events ------------------------

    @validate_call
    def get_user_events_paginated(
        self,
        aid: Aid = None,
        use_all_permitted_aids: UseAllPermittedAids = None,
        window: Window = None,
        start_date: StartDate = None,
        end_date: EndDate = None,
        cursor: Cursor = None,
        **options: Unpack[RequestOptions],
    ) -> PaginationIterable[..., AuditUserEvents, UserEvent]:
        """Every event from `cursor` (or the first page) on, across pages, as `UserEvent`s.

        Nothing is sent until the result is iterated; then one request per page, each with
        these arguments and the cursor of the page before.
        """
        return PaginationIterable(
            self.get_user_events,
            events_of,
            aid=aid,
            use_all_permitted_aids=use_all_permitted_aids,
            window=window,
            start_date=start_date,
            end_date=end_date,
            cursor=cursor,
            **options,
        )

    # --- get_user_events: GET /audit-user-events -> 200 AuditUserEvents -------------------

    @validate_call
    def get_user_events(
        self,
        aid: Aid = None,
        use_all_permitted_aids: UseAllPermittedAids = None,
        window: Window = None,
        start_date: StartDate = None,
        end_date: EndDate = None,
        cursor: Cursor = None,
        **options: Unpack[RequestOptions],
    ) -> AuditUserEvents:
        """List activity log events: one page, oldest first."""
        response = self._get_user_events(
            aid, use_all_permitted_aids, window, start_date, end_date, cursor, options
        )
        return self._result(response, "200", AuditUserEvents).data

    @validate_call
    def get_user_events_with_http_info(
        self,
        aid: Aid = None,
        use_all_permitted_aids: UseAllPermittedAids = None,
        window: Window = None,
        start_date: StartDate = None,
        end_date: EndDate = None,
        cursor: Cursor = None,
        **options: Unpack[RequestOptions],
    ) -> ApiResponse[AuditUserEvents]:
        response = self._get_user_events(
            aid, use_all_permitted_aids, window, start_date, end_date, cursor, options
        )
        return self._result(response, "200", AuditUserEvents)

    @validate_call
    def get_user_events_without_preload_content(
        self,
        aid: Aid = None,
        use_all_permitted_aids: UseAllPermittedAids = None,
        window: Window = None,
        start_date: StartDate = None,
        end_date: EndDate = None,
        cursor: Cursor = None,
        **options: Unpack[RequestOptions],
    ) -> RESTResponse:
        return self._get_user_events(
            aid, use_all_permitted_aids, window, start_date, end_date, cursor, options
        )

    def _get_user_events(
        self,
        aid: str | None,
        use_all_permitted_aids: bool | None,
        window: str | None,
        start_date: datetime | None,
        end_date: datetime | None,
        cursor: str | None,
        options: RequestOptions,
    ) -> RESTResponse:
        # The official SDK's order: aid, useAllPermittedAids, window, startDate, endDate, cursor.
        query: list[tuple[str, QueryValue]] = [*aid_query(aid)]
        if use_all_permitted_aids is not None:
            query.append(("useAllPermittedAids", flag(use_all_permitted_aids)))
        if window is not None:
            query.append(("window", window))
        if start_date is not None:
            query.append(("startDate", self._datetime(start_date)))
        if end_date is not None:
            query.append(("endDate", self._datetime(end_date)))
        if cursor is not None:
            query.append(("cursor", cursor))
        return self._send("GET", "/audit-user-events", options, query=query)
