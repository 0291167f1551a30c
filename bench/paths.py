"""The measured paths: what wrk sends to each, and the check that it answers as it should.

Every path is checked with one real request just before each timed run: a benchmark of 401s or
404s would be worthless, and wrk alone counts only the status class.
"""

from __future__ import annotations

import itertools
import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import httpx

from bench.hello_app import HELLO
from bench.processes import BenchError, Server
from bench.seed import DOMAIN, Seeded
from bench.wrk import POST_USER_SCRIPT, Load

PAGE_SIZE = 300  # a full Kandji users page
POST_WRITERS = 8
SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
_MARK = "__NUMBER__"  # where the wrk script puts each new user's number


@dataclass(frozen=True)
class Target:
    """What the performance issue asks of a row, as a ratio to its baseline (median of rounds)."""

    text: str
    min_ratio: float | None = None
    max_ratio: float | None = None
    max_p99_ms: float | None = None


@dataclass(frozen=True)
class Measured:
    key: str
    label: str
    load: Callable[[int], Load]  # the round's number: writes need fresh emails
    check: Callable[[int], None]
    target: Target | None = None


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def answered(response: httpx.Response, status: int) -> Any:
    """The JSON body of a response that has `status`; anything else stops the benchmark."""
    if response.status_code != status:
        raise BenchError(
            f"{response.request.method} {response.request.url} answered "
            f"{response.status_code}, not {status}: {response.text[:500]}"
        )
    return response.json()


def expect(condition: bool, what: str, body: Any) -> None:
    if not condition:
        raise BenchError(f"{what}; the body was: {json.dumps(body)[:500]}")


def hello_path(hello: Server) -> Measured:
    def check(_: int) -> None:
        body = answered(httpx.get(f"{hello.base_url}/"), 200)
        expect(body == HELLO, "the hello-world answered something else", body)

    return Measured("hello", "GET / (Starlette hello-world)", _get(f"{hello.base_url}/", {}), check)


def prism_path(prism: Server) -> Measured:
    url = f"{prism.base_url}/users/1"
    headers = bearer("prism")  # Prism enforces the spec's bearer security scheme

    def check(_: int) -> None:
        body = answered(httpx.get(url, headers=headers), 200)
        expect(isinstance(body, dict) and "email" in body, "Prism's user has no email", body)

    return Measured("prism.get_user", "Prism GET /users/{id} (mock)", _get(url, headers), check)


@dataclass(frozen=True)
class MeasuredUser:
    uid: str  # ThousandEyes uid, Kandji deprecated_user_id
    uuid: str  # Kandji id
    scim_id: str


def prepare(seeded: Seeded, server: Server) -> MeasuredUser:
    """Find the measured user through the APIs and give it a role in each account group."""
    base = server.base_url
    admin = bearer(seeded.admin_token)
    found = answered(
        httpx.get(f"{base}/api/v1/users", params={"email": seeded.measured_email}, headers=admin),
        200,
    )["results"]
    expect(len(found) == 1, f"{seeded.measured_email} is not one Kandji user", found)
    scim = answered(
        httpx.get(
            f"{base}/api/v1/scim/Users",
            params={"filter": f'userName eq "{seeded.measured_email}"'},
            headers=bearer(seeded.scim_token),
        ),
        200,
    )
    expect(scim["totalResults"] == 1, f"{seeded.measured_email} is not one SCIM user", scim)
    user = MeasuredUser(found[0]["deprecated_user_id"], found[0]["id"], scim["Resources"][0]["id"])
    answered(
        httpx.put(
            f"{base}/v7/users/{user.uid}",
            json={"accountGroupRoles": _account_group_roles(seeded)},
            headers=admin,
        ),
        200,
    )
    return user


def _account_group_roles(seeded: Seeded) -> list[dict[str, Any]]:
    return [
        {"accountGroupId": aid, "roleIds": [role]}
        for aid, role in zip(seeded.account_group_ids, seeded.role_ids, strict=True)
    ]


def rosterd_paths(
    backend: str, seeded: Seeded, server: Server, user: MeasuredUser
) -> list[Measured]:
    base = server.base_url
    admin = bearer(seeded.admin_token)
    email = seeded.measured_email

    def get(url: str, headers: dict[str, str]) -> Any:
        return answered(httpx.get(url, headers=headers), 200)

    def v7_user(_: int) -> None:
        body = get(f"{base}/v7/users/{user.uid}", admin)
        expect(body.get("uid") == user.uid and body.get("email") == email, "not the user", body)
        groups = len(seeded.account_group_ids)
        expect(len(body["accountGroupRoles"]) == groups, f"not {groups} account groups", body)

    def kandji_user(_: int) -> None:
        body = get(f"{base}/api/v1/users/{user.uuid}", admin)
        expect(body.get("id") == user.uuid and body.get("email") == email, "not the user", body)
        devices = seeded.measured_devices
        expect(body.get("device_count") == devices, f"not {devices} devices", body)

    def scim_user(_: int) -> None:
        body = get(f"{base}/api/v1/scim/Users/{user.scim_id}", bearer(seeded.scim_token))
        expect(SCIM_USER in body.get("schemas", ()), "not a SCIM user", body)
        expect(body.get("userName") == email, "not the user", body)

    def kandji_page(_: int) -> None:
        body = get(f"{base}/api/v1/users", admin)
        expect(len(body.get("results", ())) == PAGE_SIZE, f"not {PAGE_SIZE} users", body)
        expect(body.get("next") is not None, "no next page", body)

    template = _post_template(seeded)

    def post_user(round_number: int) -> None:
        local = f"check-{backend}-{round_number}"
        response = httpx.post(
            f"{base}/v7/users",
            content=template.replace(_MARK, local).replace("%%", "%"),
            headers=admin | {"Content-Type": "application/json"},
        )
        body = answered(response, 201)
        expect(body.get("email") == f"{local}@{DOMAIN}", "not the new user", body)
        expect("Location" in response.headers, "no Location header", body)

    def post_load(round_number: int) -> Load:
        # Each round's writers send emails of their own: an address taken is a 409.
        prefix = f"{backend}-r{round_number}-{secrets.token_hex(3)}"
        return Load(
            f"{base}/v7/users",
            {},
            connections=POST_WRITERS,
            script=POST_USER_SCRIPT,
            script_args=(seeded.admin_token, prefix, template.replace(_MARK, "%s")),
        )

    scim = bearer(seeded.scim_token)
    single = Target("≥ 0.5x hello", min_ratio=0.5)
    paths = [
        Measured(
            f"{backend}.v7_get_user",
            "GET /v7/users/{id}",
            _get(f"{base}/v7/users/{user.uid}", admin),
            v7_user,
            single,
        ),
        Measured(
            f"{backend}.kandji_get_user",
            "GET /api/v1/users/{id}",
            _get(f"{base}/api/v1/users/{user.uuid}", admin),
            kandji_user,
            single,
        ),
        Measured(
            f"{backend}.scim_get_user",
            "GET /api/v1/scim/Users/{id}",
            _get(f"{base}/api/v1/scim/Users/{user.scim_id}", scim),
            scim_user,
            single,
        ),
        Measured(
            f"{backend}.kandji_list_users",
            f"GET /api/v1/users ({PAGE_SIZE}-user page)",
            _get(f"{base}/api/v1/users", admin),
            kandji_page,
            Target("≥ 0.05x hello", min_ratio=0.05),
        ),
        Measured(
            f"{backend}.v7_post_user",
            f"POST /v7/users ({POST_WRITERS} writers)",
            post_load,
            post_user,
            Target("≥ 0.15x hello, p99 ≤ 100 ms", min_ratio=0.15, max_p99_ms=100.0),
        ),
    ]
    return [replace(path, label=f"{path.label} [{backend}]") for path in paths]


def _get(url: str, headers: dict[str, str]) -> Callable[[int], Load]:
    """The same request in every round."""
    load = Load(url, headers)
    return lambda _: load


def new_user_bodies(seeded: Seeded, prefix: str) -> Iterator[bytes]:
    """Bodies of `POST /v7/users` as the benchmark's writers send them, each a new email."""
    template = _post_template(seeded).replace("%%", "%")
    for number in itertools.count(1):
        yield template.replace(_MARK, f"{prefix}-{number}").encode()


def _post_template(seeded: Seeded) -> str:
    """The body of a new user with a role in each account group; _MARK is its number."""
    body = {
        "name": f"Bench Writer {_MARK}",
        "email": f"{_MARK}@{DOMAIN}",
        "accountGroupRoles": _account_group_roles(seeded),
    }
    # The wrk script fills the marks in with Lua's string.format: keep any other % literal.
    return json.dumps(body).replace("%", "%%")
