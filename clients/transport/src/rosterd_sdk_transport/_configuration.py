"""The `Configuration` both generated SDKs share; each SDK sets its host, auth scheme, retries."""

from __future__ import annotations

import base64
import logging
import os
import sys
from dataclasses import replace
from typing import Any, ClassVar, Self

from rosterd_sdk_transport._retry import RateLimitRetry, RetryPolicy
from rosterd_sdk_transport._transport import DEFAULT_TIMEOUT, TimeoutSpec

HostSetting = dict[str, Any]  # {"url": ..., "description": ..., "variables": {...}}


class BaseConfiguration:
    """Host, credentials, TLS, pool size, timeout and retry policy of one API client."""

    DEFAULT_HOST: ClassVar[str] = ""
    AUTH_SCHEME: ClassVar[str] = "bearer"  # the spec's security scheme name
    BEARER_FORMAT: ClassVar[str | None] = None
    PACKAGE: ClassVar[str] = ""  # logger name and debug report
    API_VERSION: ClassVar[str] = ""
    SDK_VERSION: ClassVar[str] = ""
    _default: ClassVar[BaseConfiguration | None] = None

    def __init__(  # the generated SDKs' parameters, in their order
        self,
        host: str | None = None,
        api_key: dict[str, str] | None = None,
        api_key_prefix: dict[str, str] | None = None,
        username: str | None = None,
        password: str | None = None,
        access_token: str | None = None,
        server_index: int | None = None,
        server_variables: dict[str, str] | None = None,
        server_operation_index: dict[str, int] | None = None,
        server_operation_variables: dict[str, dict[str, str]] | None = None,
        ignore_operation_servers: bool = False,
        ssl_ca_cert: str | None = None,
        retries: RetryPolicy | int | None = None,
        ca_cert_data: str | bytes | None = None,
        cert_file: str | None = None,
        key_file: str | None = None,
        *,
        debug: bool | None = None,
        timeout: TimeoutSpec = DEFAULT_TIMEOUT,
    ) -> None:
        self._base_path = self.DEFAULT_HOST if host is None else host.rstrip("/")
        self.server_index = 0 if server_index is None and host is None else server_index
        self.server_variables = server_variables or {}
        self.server_operation_index = server_operation_index or {}
        self.server_operation_variables = server_operation_variables or {}
        self.ignore_operation_servers = ignore_operation_servers
        self.api_key = api_key or {}
        self.api_key_prefix = api_key_prefix or {}
        self.username = username
        self.password = password
        self.access_token = access_token
        self.verify_ssl = True
        self.ssl_ca_cert = ssl_ca_cert
        self.ca_cert_data = ca_cert_data
        self.cert_file = cert_file
        self.key_file = key_file
        self.proxy: str | None = None
        self.connection_pool_maxsize = (os.cpu_count() or 1) * 5
        # Seconds (or (connect, read), or an httpx.Timeout) for every request; the
        # generated SDKs wait forever by default, these SDKs do not.
        self.timeout: TimeoutSpec = timeout
        self.safe_chars_for_path_param = ""
        self.client_side_validation = True
        self.logger = logging.getLogger(self.PACKAGE or __name__)
        self._retries: RetryPolicy = self._retry_policy_of(retries)
        self._debug = False
        if debug:
            self.debug = True

    # --- retries -------------------------------------------------------------------------

    def default_retry_policy(self) -> RetryPolicy:
        return RateLimitRetry()

    def _retry_policy_of(self, retries: RetryPolicy | int | None) -> RetryPolicy:
        if retries is None:
            return self.default_retry_policy()
        if isinstance(retries, int):
            base = self.default_retry_policy()
            if isinstance(base, RateLimitRetry):
                return replace(base, total=retries)
            return base
        return retries

    @property
    def retries(self) -> RetryPolicy:
        """The retry policy; assign a policy, an int (total retries; 0 = never) or None."""
        return self._retries

    @retries.setter
    def retries(self, value: RetryPolicy | int | None) -> None:
        self._retries = self._retry_policy_of(value)

    @property
    def retry_policy(self) -> RetryPolicy | None:
        return self._retries

    # --- host ----------------------------------------------------------------------------

    def get_host_settings(self) -> list[HostSetting]:
        return [{"url": self.DEFAULT_HOST, "description": "No description provided"}]

    def get_host_from_settings(
        self,
        index: int | None,
        variables: dict[str, str] | None = None,
        servers: list[HostSetting] | None = None,
    ) -> str:
        if index is None:
            return self._base_path
        variables = variables or {}
        servers = self.get_host_settings() if servers is None else servers
        try:
            server = servers[index]
        except IndexError:
            raise ValueError(
                f"Invalid index {index} when selecting the host settings. "
                f"Must be less than {len(servers)}"
            ) from None
        url = str(server["url"])
        for name, variable in server.get("variables", {}).items():
            value = variables.get(name, variable["default_value"])
            allowed = variable.get("enum_values")
            if allowed and value not in allowed:
                raise ValueError(
                    f"The variable `{name}` in the host URL has invalid value {value}. "
                    f"Must be {allowed}."
                )
            url = url.replace("{" + name + "}", value)
        return url

    @property
    def host(self) -> str:
        """The base URL every resource path is appended to (no trailing slash)."""
        return self.get_host_from_settings(self.server_index, variables=self.server_variables)

    @host.setter
    def host(self, value: str) -> None:
        self._base_path = value.rstrip("/")
        self.server_index = None

    # --- authentication --------------------------------------------------------------------

    def auth_settings(self) -> dict[str, dict[str, str]]:
        """`Authorization: Bearer <access_token>` under the spec's scheme name, when set."""
        if self.access_token is None:
            return {}
        setting = {"type": "bearer", "in": "header", "key": "Authorization"}
        if self.BEARER_FORMAT is not None:
            setting["format"] = self.BEARER_FORMAT
        setting["value"] = "Bearer " + self.access_token
        return {self.AUTH_SCHEME: setting}

    def get_api_key_with_prefix(self, identifier: str, alias: str | None = None) -> str | None:
        key = self.api_key.get(identifier, self.api_key.get(alias) if alias else None)
        if not key:
            return None
        prefix = self.api_key_prefix.get(identifier)
        return f"{prefix} {key}" if prefix else key

    def get_basic_auth_token(self) -> str:
        raw = f"{self.username or ''}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    # --- diagnostics ---------------------------------------------------------------------

    @property
    def debug(self) -> bool:
        """Debug logging of this SDK and of httpx (requests and responses)."""
        return self._debug

    @debug.setter
    def debug(self, value: bool) -> None:
        if value or self._debug:  # never touch logging the caller did not ask us to change
            level = logging.DEBUG if value else logging.NOTSET
            for name in (self.logger.name, "httpx", "httpcore"):
                logging.getLogger(name).setLevel(level)
        self._debug = value

    def to_debug_report(self) -> str:
        return (
            "Python SDK Debug Report:\n"
            f"OS: {sys.platform}\n"
            f"Python Version: {sys.version}\n"
            f"Version of the API: {self.API_VERSION}\n"
            f"SDK Package Version: {self.SDK_VERSION}"
        )

    # --- the process-wide default --------------------------------------------------------

    @classmethod
    def set_default(cls, default: Self | None) -> None:
        cls._default = default

    @classmethod
    def get_default(cls) -> Self:
        """The configuration `ApiClient()` uses when given none (created on first use)."""
        if not isinstance(cls._default, cls):
            cls._default = cls()
        return cls._default

    @classmethod
    def get_default_copy(cls) -> Self:
        return cls.get_default()
