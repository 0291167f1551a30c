"""The runtime both SDKs share: the openapi-generator client conventions over `Transport`.

Both vendors' official SDKs come from openapi-generator, so their `ApiClient`s agree on the
same calls (`param_serialize`, `call_api`, `select_header_accept`, `auth_settings()` …). They
live here once; each SDK subclasses `OpenApiClient` with its own configuration and exceptions.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from types import TracebackType
from typing import Any, ClassVar, Protocol, Self, TypeVar

from rosterd_sdk_transport._configuration import BaseConfiguration
from rosterd_sdk_transport._errors import OpenApiException, ResponseError
from rosterd_sdk_transport._response import charset_of
from rosterd_sdk_transport._rest import RESTResponse
from rosterd_sdk_transport._transport import (
    TimeoutSpec,
    Transport,
    TransportError,
    encode_query,
    quote_path,
    ssl_context,
)

_JSON_MIME = re.compile(r"json", re.IGNORECASE)
T_co = TypeVar("T_co", covariant=True)


class ModelClass(Protocol[T_co]):
    """A model class, as far as parsing goes: `Model.from_dict(json_value)`."""

    def from_dict(self, obj: Any, /) -> T_co | None: ...


def to_jsonable(obj: Any) -> Any:
    """Request data as JSON-ready values: models via `to_dict()`, datetimes as ISO strings."""
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, list | tuple):
        return [to_jsonable(item) for item in obj]
    if isinstance(obj, dt.datetime | dt.date):
        return obj.isoformat()
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return to_jsonable(to_dict())
    raise TypeError(f"cannot serialize {type(obj).__name__} as JSON")


def json_or_text(text: str) -> Any:
    """The body parsed as JSON, or the text itself when it is not JSON (as generated SDKs do)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


class OpenApiClient:
    """One connection pool per client; use it as a context manager, or call `close()`.

    An SDK's `ApiClient` sets the class attributes: its `Configuration`, its `ApiException`,
    its `ApiResponse`, and `decode_body` if it reads bodies by Content-Type.
    """

    configuration_class: ClassVar[type[BaseConfiguration]]
    api_exception: ClassVar[type[ResponseError]] = ResponseError
    api_response: ClassVar[Callable[..., Any]]
    _default: ClassVar[Any] = None

    def __init__(
        self,
        configuration: BaseConfiguration | None = None,
        header_name: str | None = None,
        header_value: str | None = None,
    ) -> None:
        if configuration is None:
            configuration = self.configuration_class.get_default()
        self.configuration = configuration
        self.default_headers: dict[str, str] = {}
        if header_name is not None and header_value is not None:
            self.default_headers[header_name] = header_value
        self.transport = Transport(
            timeout=configuration.timeout,
            verify=ssl_context(
                verify=configuration.verify_ssl,
                ca_cert_file=configuration.ssl_ca_cert,
                ca_cert_data=configuration.ca_cert_data,
                cert_file=configuration.cert_file,
                key_file=configuration.key_file,
            ),
            proxy=configuration.proxy,
            max_connections=configuration.connection_pool_maxsize,
            retry=configuration.retry_policy,
        )

    @classmethod
    def get_default(cls) -> Self:
        """The client `UsersApi()` uses when given none (created on first use)."""
        if not isinstance(cls._default, cls):
            cls._default = cls()
        return cls._default

    @classmethod
    def set_default(cls, default: Self | None) -> None:
        cls._default = default

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections; the client must not be used afterwards."""
        self.transport.close()

    @property
    def user_agent(self) -> str | None:
        return self.default_headers.get("User-Agent")

    @user_agent.setter
    def user_agent(self, value: str) -> None:
        self.default_headers["User-Agent"] = value

    def set_default_header(self, header_name: str, header_value: str) -> None:
        self.default_headers[header_name] = header_value

    @staticmethod
    def select_header_accept(accepts: Sequence[str]) -> str | None:
        """The first JSON media type, as generated clients send (`Accept` is never a list)."""
        for accept in accepts:
            if _JSON_MIME.search(accept):
                return accept
        return accepts[0] if accepts else None

    @staticmethod
    def select_header_content_type(content_types: Sequence[str]) -> str | None:
        for content_type in content_types:
            if _JSON_MIME.search(content_type):
                return content_type
        return content_types[0] if content_types else None

    def param_serialize(
        self,
        method: str,
        resource_path: str,
        path_params: Mapping[str, str] | None = None,
        query_params: Sequence[tuple[str, str]] | None = None,
        header_params: Mapping[str, Any] | None = None,
        body: Any = None,
        auth_settings: Sequence[str] | None = None,
        _host: str | None = None,
        _request_auth: Mapping[str, Any] | None = None,
    ) -> tuple[str, str, dict[str, str], Any]:
        """(method, url, headers, body): the URL is `host + path` exactly, then `?query`."""
        headers = {k: str(v) for k, v in (header_params or {}).items() if v is not None}
        headers.update(self.default_headers)
        for name, value in (path_params or {}).items():
            resource_path = resource_path.replace("{" + name + "}", quote_path(value))
        self.update_params_for_auth(headers, auth_settings or (), _request_auth)
        url = (self.configuration.host if _host is None else _host) + resource_path
        if query_params:
            url += "?" + encode_query(query_params)
        return method, url, headers, body

    def update_params_for_auth(
        self,
        headers: dict[str, str],
        auth_settings: Sequence[str],
        request_auth: Mapping[str, Any] | None = None,
    ) -> None:
        """Add each named scheme's header; `request_auth` replaces them all for one call."""
        if request_auth is not None:
            settings: list[Mapping[str, Any]] = [request_auth]
        else:
            available = self.configuration.auth_settings()
            settings = [available[name] for name in auth_settings if name in available]
        for setting in settings:
            if setting.get("in", "header") != "header":
                raise ValueError("only header authentication is supported")
            headers[str(setting["key"])] = str(setting["value"])

    def call_api(
        self,
        method: str,
        url: str,
        header_params: Mapping[str, str] | None = None,
        body: Any = None,
        post_params: Any = None,
        _request_timeout: TimeoutSpec = None,
    ) -> RESTResponse:
        """Send the request; a request that got no response raises `transport_error(...)`."""
        if post_params:
            raise ValueError("form parameters are not used by these APIs")
        content: bytes | None
        if body is None:
            content = None
        elif isinstance(body, bytes):
            content = body
        elif isinstance(body, str):
            content = body.encode()
        else:
            content = json.dumps(to_jsonable(body)).encode()
        try:
            response = self.transport.request(
                method, url, headers=header_params, content=content, timeout=_request_timeout
            )
        except TransportError as exc:
            raise self.transport_error(exc) from exc
        return RESTResponse(response)

    def send(
        self,
        method: str,
        resource_path: str,
        *,
        options: Mapping[str, Any],
        auth_settings: Sequence[str],
        path_params: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] = (),
        body: Any = None,
        accepts: Sequence[str] = ("application/json",),
        content_type: str = "application/json",
    ) -> RESTResponse:
        """One operation's request, honouring the generated per-call options
        (`_headers`, `_content_type`, `_request_auth`, `_request_timeout`)."""
        headers: dict[str, Any] = dict(options.get("_headers") or {})
        accept = self.select_header_accept(accepts)
        if accept is not None:
            headers["Accept"] = accept
        if body is not None:
            headers["Content-Type"] = options.get("_content_type") or content_type
        _, url, sent_headers, sent_body = self.param_serialize(
            method,
            resource_path,
            path_params=path_params,
            query_params=query,
            header_params=headers,
            body=body,
            auth_settings=auth_settings,
            _request_auth=options.get("_request_auth"),
        )
        return self.call_api(
            method, url, sent_headers, sent_body, _request_timeout=options.get("_request_timeout")
        )

    def transport_error(self, error: TransportError) -> Exception:
        """What a request that got no response raises: ApiException with status 0."""
        return self.api_exception(status=0, reason=str(error))

    def decode_body(self, text: str, content_type: str | None) -> Any:
        """A body as a JSON value; by default JSON whatever the Content-Type, else the text."""
        return json_or_text(text)

    def response_deserialize(
        self,
        response_data: RESTResponse,
        response_types_map: Mapping[str, ModelClass[Any] | None],
        error_model: ModelClass[Any] | None = None,
    ) -> Any:
        """The response as an `ApiResponse`, or its status raised as the SDK's ApiException.

        A 2xx body is parsed as the success model in `response_types_map` (under its own
        status, or the map's first 2xx entry); an error body as the model mapped to its
        status, else `error_model`, and None when it does not parse (an HTML page, say): the
        exception class is right either way. An empty body is never parsed.
        """
        status = response_data.status
        success = 200 <= status <= 299
        model = response_types_map.get(str(status))
        if str(status) not in response_types_map:
            if success:
                model = next((m for k, m in response_types_map.items() if k[0] == "2"), None)
            else:
                model = error_model
        text: str | None = None
        data: Any = None
        if model is not None and response_data.data:
            content_type = response_data.getheader("content-type")
            text = response_data.data.decode(charset_of(content_type))
            if success:
                data = model.from_dict(self.decode_body(text, content_type))
            else:
                data = self._error_data(model, text, content_type)
        if not success:
            self.api_exception.from_response(http_resp=response_data, body=text, data=data)
        return self.api_response(
            status_code=status,
            data=data,
            headers=response_data.getheaders(),
            raw_data=response_data.data,
        )

    def _error_data(self, model: ModelClass[Any], text: str, content_type: str | None) -> Any:
        try:
            value = self.decode_body(text, content_type)
            return model.from_dict(value) if isinstance(value, dict) else None
        except (ValueError, OpenApiException):  # pydantic.ValidationError is a ValueError
            return None
