from __future__ import annotations

from pydantic import StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel


class UnauthorizedError(ApiModel):
    """The 401 body, OAuth style: `{"error": "invalid_token", "error_description": ...}`."""

    error: StrictStr | None = None
    error_description: StrictStr | None = None
