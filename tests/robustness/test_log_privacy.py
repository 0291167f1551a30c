"""The server log when queries fail: never an email, a name, a query string or a token, and
every failure still one ERROR line with the request's id and what failed.

A real `rosterd serve` on SQLite and PostgreSQL, with its stderr captured; its schema is broken
under it (tables dropped) or its database goes away, while requests carry personal data in
query strings, bodies and headers.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from rosterd.server.logging import PrivateFormatter, describe, private_traceback
from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from tests.api.scim.conftest import SCIM_JSON, USER, scim_integration
from tests.cli.test_cli import rosterd
from tests.support.orgs import OrgFactory
from tests.support.process import ServerProcess, start_process

MARKER = "jane.secret.person"
EMAIL = f"{MARKER}@example.com"
NAME = "Jane Secretperson"
SECRETS = (MARKER, "Secretperson")
# A first request to a dialect may wait for the server to build it (it warms up in the
# background after the start): seconds on two loaded cores, past httpx's 5 s default.
TIMEOUT = 60.0


@pytest.fixture
def own_store(own_database_url: str) -> Iterator[SqlDirectoryStore]:
    engine = make_engine(own_database_url)
    upgrade(engine)
    yield SqlDirectoryStore(engine)
    engine.dispose()


def drop_tables(engine: Engine, *names: str) -> None:
    cascade = " CASCADE" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as conn:
        for name in names:
            conn.execute(text(f"DROP TABLE {name}{cascade}"))


def _json_entry(line: str) -> dict[str, object]:
    try:
        entry = json.loads(line)
    except ValueError:
        raise AssertionError(f"a line of the JSON log is not JSON: {line!r}") from None
    assert isinstance(entry, dict), line
    return entry


def _get(url: str, **given: Any) -> httpx.Response:
    return httpx.get(url, timeout=TIMEOUT, **given)


def _post(url: str, **given: Any) -> httpx.Response:
    return httpx.post(url, timeout=TIMEOUT, **given)


def error_lines(log: str, request_id: str) -> list[str]:
    """The ERROR lines naming `request_id`, of a text log or a JSON one (then each line is a
    whole JSON object)."""
    lines = log.splitlines()
    if lines and lines[0].startswith("{"):
        entries = [_json_entry(line) for line in lines]
        return [
            line
            for line, entry in zip(lines, entries, strict=True)
            if entry["level"] == "ERROR" and request_id in entry.get("message", "")
        ]
    return [line for line in lines if " ERROR " in line and request_id in line]


def assert_private(log: str, *secrets: str) -> None:
    for secret in (*SECRETS, *secrets):
        assert secret not in log, f"{secret!r} is in the log:\n{log}"


def assert_logged_once(log: str, response: httpx.Response, *names: str) -> None:
    """The failure is one ERROR line with the request id, naming what failed."""
    assert response.status_code == 500, response.text
    lines = error_lines(log, response.headers["X-Request-Id"])
    assert len(lines) == 1, log
    for name in names:
        assert name in lines[0], lines[0]


def stop(server: ServerProcess, log: Path) -> str:
    server.stop()
    return log.read_text()


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_failed_queries_log_no_personal_data(
    own_database_url: str, own_store: SqlDirectoryStore, tmp_path: Path, log_format: str
) -> None:
    org = OrgFactory(own_store).create()
    provisioning = scim_integration(own_store, org)
    log = tmp_path / "rosterd.log"
    server = start_process(
        own_database_url, log=log, ROSTERD_RATE_LIMITS="off", ROSTERD_LOG_FORMAT=log_format
    )
    # Tables a query needs go away under the running server; authentication still works.
    drop_tables(own_store.engine, "devices", "scim_users", "audit_events")
    admin = {"Authorization": f"Bearer {org.token}"}
    scim = {"Authorization": f"Bearer {provisioning.token}", "Content-Type": SCIM_JSON}
    try:
        # A connection of its own for each request: the point is the log, not keep-alive.
        url = server.base_url
        search = _get(f"{url}/api/v1/users", params={"email": MARKER}, headers=admin)
        create = _post(f"{url}/v7/users", json={"name": NAME, "email": EMAIL}, headers=admin)
        scim_filter = {"filter": f'userName eq "{EMAIL}"'}
        scim_search = _get(f"{url}/api/v1/scim/Users", params=scim_filter, headers=scim)
        scim_body = {
            "schemas": [USER],
            "userName": EMAIL,
            "displayName": NAME,
            "externalId": MARKER,
        }
        scim_create = _post(f"{url}/api/v1/scim/Users", json=scim_body, headers=scim)
        refused = _post(f"{url}/v7/users", json={"name": NAME, "email": MARKER}, headers=admin)
    finally:
        output = stop(server, log)

    assert_private(output, org.token, provisioning.token)
    assert_logged_once(output, search, "GET /api/v1/users", "devices")
    assert_logged_once(output, create, "POST /v7/users", "audit_events")
    assert_logged_once(output, scim_search, "GET /api/v1/scim/Users", "scim_users")
    assert_logged_once(output, scim_create, "POST /api/v1/scim/Users", "scim_users")
    # Bad input is the client's error: a 400, and nothing of it in the log.
    assert refused.status_code == 400
    assert error_lines(output, refused.headers["X-Request-Id"]) == []


@pytest.mark.parametrize("own_database_url", ["postgresql"], indirect=True)
def test_a_database_gone_away_is_logged_without_request_data(
    own_database_url: str, own_store: SqlDirectoryStore, tmp_path: Path
) -> None:
    org = OrgFactory(own_store).create()
    name = make_url(own_database_url).database
    log = tmp_path / "rosterd.log"
    server = start_process(own_database_url, log=log, ROSTERD_RATE_LIMITS="off")
    own_store.engine.dispose()
    admin_engine = make_engine(make_url(own_database_url).set(database="postgres"))
    with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": name},
        )
    admin_engine.dispose()
    try:
        headers = {"Authorization": f"Bearer {org.token}"}
        search = _get(f"{server.base_url}/api/v1/users", params={"email": MARKER}, headers=headers)
        ready = _get(f"{server.base_url}/readyz")
    finally:
        output = stop(server, log)

    assert_private(output, org.token)
    assert_logged_once(output, search, "GET /api/v1/users", "OperationalError")
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "database": "unreachable"}
    warnings = [line for line in output.splitlines() if "database unreachable" in line]
    assert len(warnings) == 1
    assert "OperationalError" in warnings[0]


def test_a_command_whose_write_fails_prints_one_line_without_the_data(
    own_database_url: str, own_store: SqlDirectoryStore
) -> None:
    drop_tables(own_store.engine, "audit_events")
    org = ("--name", NAME, "--subdomain", "jane", "--admin-email", EMAIL)
    result = rosterd("orgs", "create", *org, database_url=own_database_url, check=False)
    assert result.returncode == 1
    assert_private(result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("error: the database failed: sqlalchemy.exc."), line
    assert "INSERT INTO audit_events" in line


@pytest.mark.parametrize("own_database_url", ["postgresql"], indirect=True)
def test_postgresql_errors_are_described_without_the_values_they_quote(
    own_store: SqlDirectoryStore,
) -> None:
    engine = own_store.engine
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE people (email text CHECK (email NOT LIKE '%secret%'))"))
    failures: list[DBAPIError] = []
    for statement, value in [
        ("INSERT INTO people VALUES (:value)", EMAIL),
        ("SELECT CAST(:value AS uuid)", MARKER),
    ]:
        with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
            conn.execute(text(statement), {"value": value})
        failures.append(caught.value)
    # PostgreSQL quotes the row it refused (DETAIL) and the value it could not read.
    assert all(MARKER in str(failure.orig) for failure in failures)

    assert [describe(failure) for failure in failures] == [
        "sqlalchemy.exc.IntegrityError: psycopg.errors.CheckViolation: 23514 new row for relation"
        ' "people" violates check constraint "people_email_check";'
        " SQL: INSERT INTO people VALUES (%(value)s)",
        "sqlalchemy.exc.DataError: psycopg.errors.InvalidTextRepresentation: 22P02;"
        " SQL: SELECT CAST(%(value)s AS uuid)",
    ]
    for failure in failures:
        assert_private(private_traceback(failure))


def test_validation_errors_are_described_without_their_input() -> None:
    class Person(BaseModel):
        email: int

    with pytest.raises(ValidationError) as caught:
        Person(email=EMAIL)  # type: ignore[arg-type]
    refused = caught.value
    assert describe(refused) == (
        "pydantic_core._pydantic_core.ValidationError: Person: email (int_parsing)"
    )
    request_error = RequestValidationError(refused.errors())
    assert (
        describe(request_error) == "fastapi.exceptions.RequestValidationError: email (int_parsing)"
    )


def test_every_logged_traceback_is_private() -> None:
    """Any logger's exc_info (uvicorn's too), as `rosterd serve` formats it."""
    try:
        raise KeyError(EMAIL)
    except KeyError:
        record = logging.LogRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    formatted = PrivateFormatter("%(levelname)s %(name)s %(message)s").format(record)
    assert_private(formatted)
    assert formatted.startswith("ERROR uvicorn.error failed\nTraceback (most recent call last):\n")
    assert formatted.endswith("\n    raise KeyError(EMAIL)\nKeyError")
