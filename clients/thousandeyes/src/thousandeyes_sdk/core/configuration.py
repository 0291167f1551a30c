"""`Configuration`: where the API is, the token, TLS, timeout and the retry policy."""

from __future__ import annotations

from typing import ClassVar

from rosterd_sdk_transport import (
    BaseConfiguration,
    HostSetting,
    RetryPolicy,
)
from thousandeyes_sdk.core.thousandeyes_retry import ThousandEyesRetry
from thousandeyes_sdk.core.version import __version__

DEFAULT_HOST = "https://api.thousandeyes.com/v7"


class Configuration(BaseConfiguration):
    """Settings of an `ApiClient`. `host` is the API root including `/v7`, e.g.
    `http://127.0.0.1:8000/v7` for rosterd; `access_token` is sent as a bearer token.

    `retries` takes a `ThousandEyesRetry` (the default), an int (total retries; 0 = never)
    or any `rosterd_sdk_transport.RetryPolicy`. `timeout` (seconds, default 60) applies to
    every request unless an operation's `_request_timeout` overrides it.

    Pass settings by keyword: after `server_operation_variables` the official SDK takes
    `ssl_ca_cert, retries` positionally, this one (like the generated Kandji SDK)
    `ignore_operation_servers, ssl_ca_cert, retries, ca_cert_data, cert_file, key_file`.
    """

    DEFAULT_HOST: ClassVar[str] = DEFAULT_HOST
    AUTH_SCHEME: ClassVar[str] = "BearerAuth"
    PACKAGE: ClassVar[str] = "thousandeyes_sdk"
    API_VERSION: ClassVar[str] = "7.0.0"
    SDK_VERSION: ClassVar[str] = __version__
    # How datetime query parameters (`start_date`, `end_date`) are written, as in the official
    # SDK: `2026-12-01T00:00:00.000000+0000` for an aware datetime, no offset for a naive one.
    # Per instance, like the official attributes.
    datetime_format: str = "%Y-%m-%dT%H:%M:%S.%f%z"
    date_format: str = "%Y-%m-%d"

    def default_retry_policy(self) -> RetryPolicy:
        return ThousandEyesRetry()

    def get_host_settings(self) -> list[HostSetting]:
        return [{"url": DEFAULT_HOST, "description": "ThousandEyes API production URL"}]
