from __future__ import annotations

from pydantic import StrictInt, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel


class Error(ApiModel):
    """An RFC 7807 problem (403, 404, 429, 5xx)."""

    type: StrictStr | None = None
    title: StrictStr | None = None
    status: StrictInt | None = None
    detail: StrictStr | None = None
    instance: StrictStr | None = None
