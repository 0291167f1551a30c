"""Runtime settings, read from `ROSTERD_*` environment variables when `Settings()` is built."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///rosterd.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(value: str) -> str:
    if value.upper() not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
    return value.upper()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROSTERD_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # The scheme://host[:port] clients use to reach rosterd; links and Location headers use it.
    # Unset, it is taken from each request's Host header.
    public_base_url: str | None = None
    # Set ROSTERD_RATE_LIMITS=off to turn every rate limit off (load tests, fuzzing).
    rate_limits: bool = True
    # With a Redis URL, rate-limit counters are shared by every worker and host.
    redis_url: str | None = None
    thousandeyes_requests_per_minute: int = Field(default=240, ge=1)
    # Kandji's documented tenant limits: 10,000 requests per hour and 50 per second.
    kandji_requests_per_hour: int = Field(default=10_000, ge=1)
    kandji_requests_per_second: int = Field(default=50, ge=1)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Every request must arrive in full (request line, headers, body) within this many seconds
    # of its connection or first byte; a slower client is disconnected.
    request_read_timeout: float = Field(default=20.0, gt=0)
    # Open connections per worker; past it, new requests get a 503 at once.
    max_connections: int = Field(default=1000, ge=1)
    # The control plane at /_rosterd (docs/testing.md): off unless asked for, with its own token.
    control: bool = False
    control_token: str | None = None
    log_level: Annotated[str, AfterValidator(_log_level)] = "INFO"
    # `json`: every log line (access, application, uvicorn's) one JSON object.
    log_format: Literal["text", "json"] = "text"
    # Comma-separated host names a request's Host header may name (`rosterd.example.com`,
    # `rosterd.example.com:8443`, `*.example.com`; see server/hosts.py); any other is a 400.
    # Unset, every Host is answered (and, without public_base_url, used in links).
    allowed_hosts: str | None = None
    # Prometheus metrics (docs/operations.md): ROSTERD_METRICS=on serves GET /metrics beside the
    # APIs; a metrics port serves them on a listener of their own instead, on metrics_host.
    metrics: bool = False
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"

    @property
    def metrics_collected(self) -> bool:
        return self.metrics or self.metrics_port is not None
