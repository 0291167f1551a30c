"""The settings file (rosterd.toml, --config, ROSTERD_CONFIG) and `rosterd config show`,
through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx

from rosterd.server.settings import Settings
from tests.support.process import ROSTERD, start_process
from tests.support.server import sqlite_database


def rosterd(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    assert ROSTERD
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERD_")}
    return subprocess.run(
        [ROSTERD, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean | env,
        timeout=60,
        check=False,
    )


def shown(tmp_path: Path, *args: str, **env: str) -> dict[str, dict[str, object]]:
    result = rosterd(*args, "config", "show", "--json", cwd=tmp_path, **env)
    assert (result.returncode, result.stderr) == (0, "")
    value: dict[str, dict[str, object]] = json.loads(result.stdout)
    return value


def test_the_file_in_the_working_directory_and_the_environment_over_it(tmp_path: Path) -> None:
    (tmp_path / "rosterd.toml").write_text(
        'database_url = "postgresql://app:file-password@db.internal/rosterd"\n'
        'log_format = "json"\nmetrics_port = 9100\ncontrol_token = "file-token"\n'
    )

    settings = shown(
        tmp_path, ROSTERD_METRICS_PORT="9200", ROSTERD_REDIS_URL="redis://:pw@r:6379/0"
    )

    assert set(settings) == set(Settings.model_fields)
    assert settings["database_url"] == {
        "value": "postgresql://app:********@db.internal/rosterd",
        "source": "rosterd.toml",
    }
    assert settings["log_format"] == {"value": "json", "source": "rosterd.toml"}
    assert settings["metrics_port"] == {"value": 9200, "source": "environment ROSTERD_METRICS_PORT"}
    assert settings["control_token"] == {"value": "********", "source": "rosterd.toml"}
    assert settings["redis_url"] == {
        "value": "redis://:********@r:6379/0",
        "source": "environment ROSTERD_REDIS_URL",
    }
    assert settings["log_level"] == {"value": "INFO", "source": "default"}


def test_the_table_masks_secrets(tmp_path: Path) -> None:
    (tmp_path / "rosterd.toml").write_text('control_token = "file-token"\n')

    result = rosterd(
        "config",
        "show",
        cwd=tmp_path,
        ROSTERD_DATABASE_URL="postgresql://u:hunter2@h/d",
        ROSTERD_CONSOLE_SECRET="console-signing-secret",
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["setting", "value", "source"]
    assert len(lines) == 1 + len(Settings.model_fields)
    assert lines[1].split() == [
        "database_url",
        "postgresql://u:********@h/d",
        "environment",
        "ROSTERD_DATABASE_URL",
    ]
    [token] = [line.split() for line in lines if line.startswith("control_token ")]
    assert token == ["control_token", "********", "rosterd.toml"]
    [secret] = [line.split() for line in lines if line.startswith("console_secret ")]
    assert secret == ["console_secret", "********", "environment", "ROSTERD_CONSOLE_SECRET"]
    assert "hunter2" not in result.stdout
    assert "file-token" not in result.stdout
    assert "console-signing-secret" not in result.stdout


def test_config_option_and_variable_name_another_file(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text("max_connections = 7\n")
    (tmp_path / "rosterd.toml").write_text("max_connections = 3\n")

    by_option = shown(tmp_path, "--config", str(other))
    by_variable = shown(tmp_path, ROSTERD_CONFIG=str(other))

    expected = {"value": 7, "source": str(other)}
    assert by_option["max_connections"] == by_variable["max_connections"] == expected


def test_each_problem_is_one_line_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "rosterd.toml"
    cases = {
        "metrcs = true\n": "error: rosterd.toml: unknown setting 'metrcs'",
        'metrics_port = "many"\n': (
            "error: invalid setting rosterd.toml: metrics_port: Input should be a valid "
            "integer, unable to parse string as an integer"
        ),
        'log_format = "xml"\n': (
            "error: invalid setting rosterd.toml: log_format: Input should be 'text' or 'json'"
        ),
        "metrics = \n": "error: rosterd.toml: not valid TOML: Invalid value (at line 1, column 11)",
    }
    for text, message in cases.items():
        config.write_text(text)
        result = rosterd("config", "show", cwd=tmp_path)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", message + "\n"), text

    config.write_text("max_body_bytes = 10\n")
    environment = rosterd("config", "show", cwd=tmp_path, ROSTERD_MAX_BODY_BYTES="12")
    assert environment.stderr.startswith("error: invalid setting ROSTERD_MAX_BODY_BYTES: ")
    missing = rosterd("--config", "nope.toml", "config", "show", cwd=tmp_path)
    assert (missing.returncode, missing.stderr) == (
        2,
        "error: nope.toml: no such settings file (ROSTERD_CONFIG)\n",
    )


def test_serve_reads_the_file(tmp_path: Path) -> None:
    url, store = sqlite_database(tmp_path)
    store.close()
    config = tmp_path / "rosterd.toml"
    config.write_text("metrics = true\n")

    server = start_process(url, ROSTERD_CONFIG=str(config))
    try:
        metrics = httpx.get(f"{server.base_url}/metrics")
    finally:
        server.stop()

    assert metrics.status_code == 200
    assert "rosterd_build_info{" in metrics.text
