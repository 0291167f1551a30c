"""What the `*_with_http_info` operations return."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SkipValidation, StrictBytes, StrictInt

T = TypeVar("T")


class ApiResponse(BaseModel, Generic[T]):
    """The status, headers (case-insensitive), parsed data and raw body of a response."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    status_code: StrictInt = Field(description="HTTP status code")
    # Kept as received (case-insensitive: `headers["location"] == headers["Location"]`).
    headers: SkipValidation[Mapping[str, str] | None] = Field(
        default=None, description="HTTP headers"
    )
    data: T = Field(description="Deserialized data given the data type")
    raw_data: StrictBytes = Field(description="Raw data (HTTP response body)")
