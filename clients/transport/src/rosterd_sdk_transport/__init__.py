"""The HTTP transport shared by rosterd's SDKs (`kandji`, `thousandeyes_sdk`), over httpx."""

from rosterd_sdk_transport._configuration import BaseConfiguration, HostSetting
from rosterd_sdk_transport._errors import (
    ApiAttributeError,
    ApiKeyError,
    ApiTypeError,
    ApiValueError,
    OpenApiException,
    ResponseError,
)
from rosterd_sdk_transport._openapi import (
    ModelClass,
    OpenApiClient,
    json_or_text,
    to_jsonable,
)
from rosterd_sdk_transport._response import Response, charset_of
from rosterd_sdk_transport._rest import RESTResponse
from rosterd_sdk_transport._retry import IDEMPOTENT_METHODS, Attempt, RateLimitRetry, RetryPolicy
from rosterd_sdk_transport._transport import (
    DEFAULT_TIMEOUT,
    TimeoutSpec,
    Transport,
    TransportError,
    encode_query,
    quote_path,
    ssl_context,
    to_httpx_timeout,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_TIMEOUT",
    "IDEMPOTENT_METHODS",
    "ApiAttributeError",
    "ApiKeyError",
    "ApiTypeError",
    "ApiValueError",
    "Attempt",
    "BaseConfiguration",
    "HostSetting",
    "ModelClass",
    "OpenApiClient",
    "OpenApiException",
    "RESTResponse",
    "RateLimitRetry",
    "Response",
    "ResponseError",
    "RetryPolicy",
    "TimeoutSpec",
    "Transport",
    "TransportError",
    "charset_of",
    "encode_query",
    "json_or_text",
    "quote_path",
    "ssl_context",
    "to_httpx_timeout",
    "to_jsonable",
]
