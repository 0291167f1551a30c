"""`ApiClient`: serializes requests, sends them over one connection pool, parses responses."""

from __future__ import annotations

import json
import re
from typing import Any

from rosterd_sdk_transport import OpenApiClient, json_or_text

from kandji._version import __version__
from kandji.api_response import ApiResponse
from kandji.configuration import Configuration
from kandji.exceptions import ApiException

_JSON_TYPE = re.compile(r"^application/(json|[\w!#$&.+\-^_]+\+json)\s*(;|$)", re.IGNORECASE)
_TEXT_TYPE = re.compile(r"^text/[a-z.+-]+\s*", re.IGNORECASE)
USER_AGENT = f"OpenAPI-Generator/1.0.0/python (rosterd-kandji/{__version__})"


class ApiClient(OpenApiClient):
    """A client for one `Configuration` (default: `Configuration.get_default()`); a context
    manager that closes its pooled connections.

    Bodies are read as the generated SDK reads them: JSON for `application/json` and
    `application/*+json`, text for `text/*`, JSON-or-text with no Content-Type; any other
    content type on a success is `ApiException(status=0, reason="Unsupported content type")`.
    An error status raises the matching `ApiException` subclass; a `{"detail": ...}` body (the
    shape of every Kandji error) is parsed into `.data` for every status, not only the 400
    the generated SDK maps.
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
        cookie: str | None = None,
    ) -> None:
        super().__init__(configuration, header_name, header_value)
        self.user_agent = USER_AGENT
        self.cookie = cookie
        if cookie is not None:
            self.default_headers["Cookie"] = cookie

    def decode_body(self, text: str, content_type: str | None) -> Any:
        if content_type is None:
            return json_or_text(text)
        if _JSON_TYPE.match(content_type):
            return json.loads(text) if text else ""
        if _TEXT_TYPE.match(content_type):
            return text
        raise ApiException(status=0, reason=f"Unsupported content type: {content_type}")
