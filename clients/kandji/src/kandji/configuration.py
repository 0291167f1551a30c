"""`Configuration`: where the API is, the token, TLS, timeout and the retry policy."""

from __future__ import annotations

from typing import ClassVar

from rosterd_sdk_transport import (
    BaseConfiguration,
    HostSetting,
    RateLimitRetry,
    RetryPolicy,
)

from kandji._version import __version__

DEFAULT_HOST = "https://<sub_domain>.api.kandji.io"


class Configuration(BaseConfiguration):
    """Settings of an `ApiClient`. `host` is the tenant's API root (`https://acme.api.kandji.io`,
    or rosterd's `http://127.0.0.1:8000`), or set `server_variables={"sub_domain": "acme"}`;
    `access_token` is the API token, sent as a bearer token.

    `retries` takes a `rosterd_sdk_transport.RateLimitRetry` (default: one retry of a 429,
    waiting as `Retry-After` or `RateLimit-Reset` say, at most 120 s), an int (total retries;
    0 = never) or any `RetryPolicy`. `timeout` (seconds, default 60) applies to every request.
    """

    DEFAULT_HOST: ClassVar[str] = DEFAULT_HOST
    AUTH_SCHEME: ClassVar[str] = "bearer"
    BEARER_FORMAT: ClassVar[str | None] = "API Token"
    PACKAGE: ClassVar[str] = "kandji"
    API_VERSION: ClassVar[str] = "1.0.0"
    SDK_VERSION: ClassVar[str] = __version__

    def default_retry_policy(self) -> RetryPolicy:
        # Kong, in front of Kandji, counts down `RateLimit-Reset` in seconds from now.
        return RateLimitRetry(relative_reset_headers=("ratelimit-reset",))

    def get_host_settings(self) -> list[HostSetting]:
        return [
            {
                "url": "https://{sub_domain}.api.kandji.io",
                "description": "No description provided",
                "variables": {
                    "sub_domain": {
                        "description": "No description provided",
                        "default_value": "<sub_domain>",
                    }
                },
            }
        ]
