"""schemathesis against /api/v1/openapi.json: the document describes exactly what the server does.

Every operation is fuzzed with positive and negative data, and every response must pass all of
schemathesis' checks (no 5xx; documented status, content type and body schema; input that
breaks the schema refused; input that fits it accepted; auth enforced; 405 with a truthful
`Allow`). A schema-valid request may still name something that does not exist (a user to
assign, a cursor that was never issued, a day that is not in the calendar); such a 400 or 404
is accepted only when its detail is one of `RULES_BEYOND_THE_SCHEMA`. A URL too long to read
(414) counts as rejecting whatever schema-breaking data made it so long, and a query value
that breaks its schema only in a way a query string cannot carry is not held against the
server (see `_looks_valid_on_the_wire`). A case that itself removes or breaks the token is sent
without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.api.kandji.conftest import Directory
from tests.support.fuzzing import (
    aim,
    call_and_validate,
    every_phase_is_on,
    fuzzing_schema,
    is_positive,
    openapi_document,
    run_chains,
)
from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer, start_server

# The start of a `detail` a schema-valid request may still earn, and why.
RULES_BEYOND_THE_SCHEMA: dict[str, str] = {
    "Invalid cursor": "cursors are opaque: only those rosterd issued name a page",
    "Not found.": "ids must name a user or device of the organization",
    "Invalid pk": "an assigned user must exist in the organization",
    "start_date:": "a date must exist in the calendar",
    "end_date:": "a date must exist in the calendar",
    "User still assigned": "a user with devices is not deleted",
}


DOCUMENT = openapi_document("/api/v1")
schema = fuzzing_schema(DOCUMENT)


@dataclass(frozen=True)
class Target:
    base_url: str
    headers: dict[str, str]
    user_ids: list[str]
    device_ids: list[str]


@pytest.fixture(scope="module")
def server(database_url: str, live_server: LiveServer) -> Iterator[LiveServer]:
    """A server without rate limits: the fuzzer's volume must never meet a 429."""
    with start_server(database_url, live_server.store, rate_limits=False) as server:
        yield server


def _populate(server: LiveServer, users: int = 20, devices: int = 5) -> Target:
    """A fresh organization whose directory has users, and devices with and without a user.

    Every organization gets the same emails, names and serial numbers (they are unique only
    within one): a fuzzed filter (`?email=3`, `?serial_number=A`) then finds the same records in
    each, so the same choices meet the same responses, as Hypothesis' stateful runs require.
    Random ones made a filter match in one scenario and not in another that began alike, and
    Hypothesis stopped with FlakyStrategyDefinition instead of reporting what it found."""
    org = OrgFactory(server.store).create(admin_email="admin@example.com", admin_name="Admin")
    directory = Directory(org, server.store)
    people = directory.add_users(directory.integration(), users, tag="fuzz")
    device_ids = [
        directory.add_device(serial=f"SERIAL{i:04d}", user_email=u.email)
        for i, u in enumerate(people[:devices])
    ]
    device_ids += [
        directory.add_device(serial=f"SERIAL{i:04d}") for i in range(devices, 2 * devices)
    ]
    return Target(
        server.kandji_url,
        {"Authorization": f"Bearer {org.token}"},
        [str(u.id) for u in people],
        device_ids,
    )


@pytest.fixture(scope="module")
def target(server: LiveServer) -> Target:
    return _populate(server)


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
        if value is None or value == {} or isinstance(value, int | float | bool):
            return True  # `{}` goes out as an empty value, like null
        if isinstance(value, list) and len(value) <= 1:
            return True
    return False


def _aim_at_real_records(case: schemathesis.Case, target: Target, ids: bool = True) -> None:
    """Point most positive cases at real users and devices."""
    if not is_positive(case):
        return
    aim(case.path_parameters if ids else None, "user_id", target.user_ids)
    aim(case.path_parameters if ids else None, "device_id", target.device_ids)
    aim(case.body if isinstance(case.body, dict) else None, "user", target.user_ids)


def _checks_to_skip(case: schemathesis.Case, response: schemathesis.Response) -> list[Any]:
    skip: list[Any] = (
        [positive_data_acceptance] if is_positive(case) and _beyond_the_schema(response) else []
    )
    if response.status_code == 414 or _looks_valid_on_the_wire(case):
        skip.append(negative_data_rejection)
    return skip


@schema.parametrize()
def test_kandji_conforms_to_its_openapi_document(case: schemathesis.Case, target: Target) -> None:
    _aim_at_real_records(case, target)
    call_and_validate(case, target, _checks_to_skip)


def test_every_phase_is_on_and_the_document_links_users_and_devices() -> None:
    assert every_phase_is_on(schema)
    machine = schema.as_state_machine()
    users = ("GetUser__GET_users_user_id_", "DeleteUser__DELETE_users_user_id_")
    devices = (
        "GetDevice__GET_devices_device_id_",
        "UpdateDevice__PATCH_devices_device_id_",
        *users,
        "ListUserDevices__GET_devices",
    )
    assert {name for name in dir(machine) if "___200_" in name} == {
        f"{source}___200_{rule}"
        for source, rules in (
            ("GET_users", (*users, "ListUserDevices__GET_devices")),
            ("GET_users_user_id", (*users, "ListUserDevices__GET_devices")),
            ("GET_devices", devices),
            ("GET_devices_device_id", devices),
            ("PATCH_devices_device_id", devices),
        )
        for rule in rules
    }


def test_kandji_chains_of_calls_conform_to_its_openapi_document(server: LiveServer) -> None:
    """Stateful: list users and devices, then read, delete, list devices of, and reassign them
    by the ids returned, each scenario in a fresh organization of the same shape."""

    def prepare(case: schemathesis.Case, target: Target) -> None:
        _aim_at_real_records(case, target, ids=False)  # ids come from the chain

    run_chains(schema, lambda: _populate(server, users=4, devices=2), prepare, _checks_to_skip)
