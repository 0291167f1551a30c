"""`ApiClient`: serializes requests, sends them over one connection pool, parses responses."""

from __future__ import annotations

from typing import Any

from rosterd_sdk_transport import OpenApiClient
from thousandeyes_sdk.core.api_response import ApiResponse
from thousandeyes_sdk.core.configuration import Configuration
from thousandeyes_sdk.core.exceptions import ApiException

RequestSerialized = tuple[str, str, dict[str, str], Any]


class ApiClient(OpenApiClient):
    """A client for one `Configuration` (default: `Configuration.get_default()`); a context
    manager that closes its pooled connections.

    Responses are parsed by status: any 2xx as the operation's result model; an error status
    as the model the API documents for it (any other 4xx/5xx as `Error`), then raised as the
    matching `ApiException` subclass with that model in `.data` (None if the body did not
    parse). Bodies are read as JSON whatever their Content-Type, as in the official SDK.
    """

    configuration_class = Configuration
    api_exception = ApiException
    api_response = ApiResponse
    configuration: Configuration

    def __init__(
        self,
        configuration: Configuration | None = None,
        header_name: str | None = None,
        header_value: str | None = None,
    ) -> None:
        super().__init__(configuration, header_name, header_value)
