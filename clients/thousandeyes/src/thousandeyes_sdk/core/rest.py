"""The REST layer: pooled HTTP over httpx (see `rosterd_sdk_transport`)."""

from __future__ import annotations

from rosterd_sdk_transport import RESTResponse
from thousandeyes_sdk.core.exceptions import ApiException, ApiValueError

RESTResponseType = RESTResponse

__all__ = ["ApiException", "ApiValueError", "RESTResponse", "RESTResponseType"]
