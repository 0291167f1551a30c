"""schemathesis against /api/v1/openapi.json: the document describes exactly what the server does.

Every operation is fuzzed with positive and negative data, and every response must pass all of
schemathesis' checks (no 5xx; documented status, content type and body schema; input that
breaks the schema refused; input that fits it accepted; auth enforced; 405 with a truthful
`Allow`). A schema-valid request may still name something that does not exist (a user to
assign, a cursor that was never issued, a day that is not in the calendar); such a 400 or 404
is accepted only when its detail is one of `RULES_BEYOND_THE_SCHEMA`. A URL too long to read
(414) counts as rejecting whatever schema-breaking data made it so long, and a query value
that breaks its schema only in a way a query string cannot carry is not held against the
server (see `_looks_valid_on_the_wire`).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from starlette.routing import Mount

from rosterd.server import Settings, create_app
from rosterd.storage import SqlDirectoryStore, make_engine
from tests.api.kandji.conftest import Directory
from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer, start_server

MAX_EXAMPLES = int(os.environ.get("ROSTERD_FUZZ_EXAMPLES", "50"))

# The start of a `detail` a schema-valid request may still earn, and why.
RULES_BEYOND_THE_SCHEMA: dict[str, str] = {
    "Invalid cursor": "cursors are opaque: only those rosterd issued name a page",
    "Not found.": "ids must name a user or device of the organization",
    "Invalid pk": "an assigned user must exist in the organization",
    "start_date:": "a date must exist in the calendar",
    "end_date:": "a date must exist in the calendar",
    "User still assigned": "a user with devices is not deleted",
}


def _kandji_document() -> dict[str, Any]:
    settings = Settings(database_url="sqlite:///openapi-only.db")
    app = create_app(settings, SqlDirectoryStore(make_engine(settings.database_url)))
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.path == "/api/v1")
    document: dict[str, Any] = mount.app.openapi()  # type: ignore[attr-defined]
    return document


DOCUMENT = _kandji_document()
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=MAX_EXAMPLES,
    allow_extra_parameters=False,
    database="none",
)
schema.config.checks.update(included_check_names=["all"])


@dataclass(frozen=True)
class Target:
    base_url: str
    headers: dict[str, str]
    user_ids: list[str]
    device_ids: list[str]


@pytest.fixture(scope="module")
def target(database_url: str, live_server: LiveServer) -> Iterator[Target]:
    """A server without rate limits, and a directory with users and devices to aim at."""
    with start_server(database_url, live_server.store, rate_limits=False) as server:
        org = OrgFactory(server.store).create()
        directory = Directory(org, server.store)
        users = directory.add_users(directory.integration(), 20)
        devices = [directory.add_device(user_email=u.email) for u in users[:5]]
        devices += [directory.add_device() for _ in range(5)]
        yield Target(
            server.kandji_url,
            {"Authorization": f"Bearer {org.token}"},
            [str(u.id) for u in users],
            devices,
        )


def test_the_server_serves_the_fuzzed_document(target: Target) -> None:
    response = httpx.get(f"{target.base_url}/openapi.json")
    assert response.status_code == 200
    assert response.json() == DOCUMENT


def _beyond_the_schema(response: Any) -> bool:
    if response.status_code not in (400, 404):
        return False
    detail = str(response.json().get("detail", ""))
    return any(detail.startswith(start) for start in RULES_BEYOND_THE_SCHEMA)


def _looks_valid_on_the_wire(case: schemathesis.Case) -> bool:
    """Whether a query value breaks its schema only in a way the query string cannot carry:
    `[x]`, `null`, `5` and `true` are sent as the text `x`, `null`, `5`, `true`, which a text
    parameter rightly accepts."""
    for value in (case.query or {}).values():
        if value is None or isinstance(value, int | float | bool):
            return True
        if isinstance(value, list) and len(value) <= 1:
            return True
    return False


def _aim_at_real_records(case: schemathesis.Case, target: Target) -> None:
    """Point most positive cases at real users and devices (stable under shrinking)."""
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return
    for name, pool in (("user_id", target.user_ids), ("device_id", target.device_ids)):
        values = case.path_parameters
        if values and isinstance(values.get(name), str):
            choices = [*pool, values[name]]
            values[name] = choices[zlib.crc32(values[name].encode()) % len(choices)]
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("user"), str):
        choices = [*target.user_ids, body["user"]]
        body["user"] = choices[zlib.crc32(body["user"].encode()) % len(choices)]


@schema.parametrize()
def test_kandji_conforms_to_its_openapi_document(case: schemathesis.Case, target: Target) -> None:
    _aim_at_real_records(case, target)
    response = case.call(base_url=target.base_url, headers=target.headers)
    positive = case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE
    skip: list[Any] = (
        [positive_data_acceptance] if positive and _beyond_the_schema(response) else []
    )
    if response.status_code == 414 or _looks_valid_on_the_wire(case):
        skip.append(negative_data_rejection)
    case.validate_response(
        response,
        headers=target.headers,
        excluded_checks=skip,
        transport_kwargs={"base_url": target.base_url, "headers": target.headers},
    )
