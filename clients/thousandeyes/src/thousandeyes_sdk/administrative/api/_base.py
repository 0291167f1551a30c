"""What every API class shares: the per-call options, the `aid` parameter, sending a request
(its query written as the official SDK writes it) and parsing its answer into the operation's
model or the documented error model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, TypeVar, cast
from urllib.parse import quote

from pydantic import ConfigDict, Field, StrictStr, with_config
from rosterd_sdk_transport import ModelClass, RESTResponse
from thousandeyes_sdk.administrative.models import Error, UnauthorizedError, ValidationError
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.core.api_client import ApiClient
from thousandeyes_sdk.core.api_response import ApiResponse
from thousandeyes_sdk.core.exceptions import ApiException
from thousandeyes_sdk.core.version import __version__
from typing_extensions import TypedDict

M = TypeVar("M", bound=ApiModel)
# A query parameter's value: a string, or a list sent in the `csv` collection format.
QueryValue = str | list[str]

USER_AGENT = f"ThousandEyesSDK-Python/{__version__} (rosterd)"
AID_DESCRIPTION = (
    "A unique identifier associated with your account group. You can retrieve your "
    "`AccountGroupId` from the `/account-groups` endpoint. Note that you must be assigned to "
    "the target account group. Specifying this parameter without being assigned to the target "
    "account group will result in an error response."
)
Aid = Annotated[StrictStr | None, Field(description=AID_DESCRIPTION)]
Timeout = Annotated[float, Field(gt=0)]

# The model the API documents for each error status (any other error status is parsed as Error).
_ERRORS: dict[str, ModelClass[Any] | None] = {
    "400": ValidationError,
    "401": UnauthorizedError,
    "403": Error,
    "404": Error,
    "429": Error,
    "500": Error,
}
HAL = ("application/hal+json", "application/json", "application/problem+json")
JSON = ("application/json", "application/problem+json")


@with_config(ConfigDict(extra="forbid"))  # an unknown keyword is an error, as in the generated SDK
class RequestOptions(TypedDict, total=False):
    _request_timeout: Timeout | tuple[Timeout, Timeout] | None
    _request_auth: dict[str, Any] | None
    _content_type: str | None
    _headers: dict[str, Any] | None
    _host_index: Annotated[int, Field(ge=0, le=0)]


class ApiBase:
    """An API class: its client (the default one unless given) and how it calls the API."""

    def __init__(self, api_client: ApiClient | None = None) -> None:
        if api_client is None:
            api_client = ApiClient.get_default()
        api_client.user_agent = USER_AGENT
        self.api_client = api_client

    def _send(
        self,
        method: str,
        resource_path: str,
        options: RequestOptions,
        *,
        path_params: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, QueryValue]] = (),
        body: ApiModel | None = None,
        accepts: Sequence[str] = HAL,
    ) -> RESTResponse:
        # The query string is written here, not by the transport, which would escape the
        # commas between a list's items (`expand=user%2Cagent`, where the official SDK sends
        # `expand=user,agent`). Nothing in it can be taken for a path parameter: `{` and `}`
        # are escaped.
        if query:
            resource_path += "?" + query_string(query)
        return self.api_client.send(
            method,
            resource_path,
            options=options,
            auth_settings=["BearerAuth"],
            path_params=path_params,
            body=body,
            accepts=accepts,
        )

    def _datetime(self, value: datetime) -> str:
        """A datetime query parameter, in the configuration's `datetime_format`."""
        return value.strftime(self.api_client.configuration.datetime_format)

    def _result(self, response: RESTResponse, status: str, model: type[M]) -> ApiResponse[M]:
        result = self.api_client.response_deserialize(response, {status: model, **_ERRORS}, Error)
        if not isinstance(result.data, model):
            raise ApiException(http_resp=response, reason="The response has no JSON body")
        return cast(ApiResponse[M], result)

    def _no_content(self, response: RESTResponse) -> ApiResponse[None]:
        result = self.api_client.response_deserialize(response, {"204": None, **_ERRORS}, Error)
        return cast(ApiResponse[None], result)


def aid_query(aid: str | None) -> list[tuple[str, str]]:
    return [] if aid is None else [("aid", aid)]


def query_string(params: Sequence[tuple[str, QueryValue]]) -> str:
    """`k=v&…` as the official SDK writes it: each value `quote`d (`/` kept); a list's items
    each quoted and joined by bare commas (`expand=user,agent`; `[]` gives `expand=`)."""
    return "&".join(
        f"{key}={quote(value) if isinstance(value, str) else ','.join(map(quote, value))}"
        for key, value in params
    )


def flag(value: bool) -> str:
    """A boolean query parameter, as the official SDK writes it: `true` or `false`."""
    return "true" if value else "false"
