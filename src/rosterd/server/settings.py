"""Runtime settings, read when `Settings()` is built: from `ROSTERD_*` environment variables,
then a settings file (`rosterd.toml` in the working directory, or the file `ROSTERD_CONFIG`
names), then the defaults. The file's keys are the variables' names without `ROSTERD_`, in
lower case."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_DATABASE_URL = "sqlite:///rosterd.db"
ENV_PREFIX = "ROSTERD_"
CONFIG_VARIABLE = "ROSTERD_CONFIG"
CONFIG_FILE_NAME = "rosterd.toml"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(value: str) -> str:
    if value.upper() not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
    return value.upper()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

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
    # Signs the web console's session cookies (docs/console.md); unset, each process makes its
    # own, so sessions end when it restarts and are not shared between workers.
    console_secret: str | None = None
    # The largest file the console's import takes (docs/console.md), in bytes.
    console_import_max_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    # Seconds between each process's deletions of the console's expired uploads (docs/console.md,
    # server/sweeper.py); 0: none in the background (the next upload still deletes them).
    console_sweep_seconds: float = Field(default=600.0, ge=0)
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

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file; no .env or secrets directory is read.
        path = config_file()
        if path is None:
            return init_settings, env_settings
        return init_settings, env_settings, SettingsFile(settings_cls, toml_file=path)


class SettingsFileError(ValueError):
    """A settings file rosterd cannot use; the message is one line naming the file and key."""


class SettingsFile(TomlConfigSettingsSource):
    """pydantic-settings' TOML source, refusing what it would ignore: a key that names no
    setting."""

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        try:
            data = super()._read_file(file_path)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsFileError(f"{file_path}: not valid TOML: {exc}") from exc
        except OSError as exc:
            raise SettingsFileError(f"{file_path}: {exc.strerror}") from exc
        for key in data:
            if key not in Settings.model_fields:
                raise SettingsFileError(f"{file_path}: unknown setting {key!r}")
        return data


def config_file() -> Path | None:
    """The settings file in use: the one `ROSTERD_CONFIG` names (it must exist), else
    `rosterd.toml` in the working directory if there is one."""
    named = os.environ.get(CONFIG_VARIABLE)
    if named:
        path = Path(named)
        if not path.is_file():
            raise SettingsFileError(f"{named}: no such settings file ({CONFIG_VARIABLE})")
        return path
    here = Path(CONFIG_FILE_NAME)
    return here if here.is_file() else None


def env_name(field: str) -> str:
    return f"{ENV_PREFIX}{field.upper()}"


def source_of(field: str) -> str:
    """Where `field`'s value comes from: its environment variable, the settings file, or the
    default."""
    name = env_name(field)
    if any(variable.upper() == name for variable in os.environ):
        return f"environment {name}"
    path = config_file()
    if path is not None and field in _file_keys(path):
        return str(path)
    return "default"


def _file_keys(path: Path) -> set[str]:
    with path.open("rb") as file:
        return set(tomllib.load(file))


def settings_problems(exc: ValidationError) -> str:
    """`invalid setting ROSTERD_X: why`, or `invalid setting rosterd.toml: x: why` for a value
    from the file; never the value, which may be a password."""
    problems = []
    for error in exc.errors():
        field = "_".join(str(part) for part in error["loc"])
        source = source_of(field)
        from_file = source != "default" and not source.startswith("environment")
        where = f"{source}: {field}" if from_file else env_name(field)
        reason = error["ctx"]["error"] if error["type"] == "value_error" else error["msg"]
        problems.append(f"{where}: {reason}")
    return f"invalid setting{'s' if len(problems) > 1 else ''} {'; '.join(problems)}"
