"""ROSTERD_ALLOWED_HOSTS: a Host not in it is a 400 in the dialect's envelope, and links
(`Location`, Kandji's `next`, SCIM's `meta.location`) only ever name an allowed host."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rosterd.server import Settings, create_app
from rosterd.storage import SqlDirectoryStore
from tests.api.kandji.conftest import Directory
from tests.api.scim.conftest import ERROR, SCIM_JSON, USER, scim_integration
from tests.api.thousandeyes.test_users import unique_email
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer, start_server
from tests.support.wire import connect, exchange

ALLOWED = "rosterd.example.com, *.rosterd.example.net, pinned.example.com:8443"
NOT_ALLOWED = "The request's Host header is not one of this server's host names."

FOREIGN_HOSTS = [
    "evil.example",
    "rosterd.example.com.evil.example",
    "evilrosterd.example.com",
    "rosterd.example.net",  # a wildcard allows the names below it, not the domain itself
    "evil.example/.rosterd.example.net",  # a path: links would point at evil.example
    "evil.example?.rosterd.example.net",
    "rosterd.example.com@evil.example",
    "pinned.example.com",  # allowed on port 8443 only
    "pinned.example.com:80",
    "",
]
ALLOWED_HOSTS = [
    "rosterd.example.com",
    "ROSTERD.Example.com:8000",  # no port in the entry: any port
    "rosterd.example.com.",
    "api.rosterd.example.net",
    "a.b.rosterd.example.net:443",
    "pinned.example.com:8443",
]


@pytest.fixture(scope="module")
def guarded(database_url: str, store: SqlDirectoryStore) -> Iterator[LiveServer]:
    with start_server(database_url, store, allowed_hosts=ALLOWED) as server:
        yield server


@pytest.fixture
def org(orgs: OrgFactory) -> TestOrg:
    return orgs.create(rate_limit_per_minute=100_000)


@pytest.fixture
def tokens(store: SqlDirectoryStore, org: TestOrg) -> dict[str, str]:
    return {"/v7": org.token, "/api/v1": org.token, "/api/v1/scim": scim_token(store, org)}


def scim_token(store: SqlDirectoryStore, org: TestOrg) -> str:
    return scim_integration(store, org).token


def get(server: LiveServer, path: str, token: str, host: str) -> httpx.Response:
    return httpx.get(
        server.base_url + path, headers={"Authorization": f"Bearer {token}", "Host": host}
    )


# A read under each dialect, the Content-Type of its errors, and its 400 for a foreign Host.
DIALECTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "/v7": (
        "/v7/users",
        "application/problem+json",
        {
            "type": "about:blank",
            "title": "Bad Request",
            "status": 400,
            "detail": NOT_ALLOWED,
            "instance": "/v7/users",
        },
    ),
    "/api/v1": ("/api/v1/users", "application/json", {"detail": NOT_ALLOWED}),
    "/api/v1/scim": (
        "/api/v1/scim/Users",
        SCIM_JSON,
        {"schemas": [ERROR], "status": "400", "detail": NOT_ALLOWED},
    ),
}


@pytest.mark.parametrize(
    ("host", "status"), [(h, 400) for h in FOREIGN_HOSTS] + [(h, 200) for h in ALLOWED_HOSTS]
)
@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_foreign_host_is_400_in_the_dialects_envelope_and_an_allowed_one_is_served(
    guarded: LiveServer, tokens: dict[str, str], dialect: str, host: str, status: int
) -> None:
    path, content_type, body = DIALECTS[dialect]

    response = get(guarded, path, tokens[dialect], host)

    assert response.status_code == status
    if status == 400:
        assert response.headers["content-type"] == content_type
        assert response.json() == body


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_request_without_a_host_is_400(guarded: LiveServer, dialect: str) -> None:
    path, content_type, body = DIALECTS[dialect]
    with connect(guarded) as sock:  # HTTP/1.0 may leave Host out; httpx always sends one
        response = exchange(sock, f"GET {path} HTTP/1.0\r\n\r\n".encode())

    assert response.status == 400
    assert response.headers["Content-Type"] == content_type
    assert json.loads(response.body) == body


# A path no route of the dialect serves: the Host is refused before the path is looked up, so
# a foreign Host learns nothing of which paths exist.
UNROUTED: dict[str, tuple[str, str, dict[str, Any]]] = {
    "/v7": (
        "/v7/no-such-resource",
        "application/problem+json",
        DIALECTS["/v7"][2] | {"instance": "/v7/no-such-resource"},
    ),
    "/api/v1": ("/api/v1/no-such-resource", "application/json", DIALECTS["/api/v1"][2]),
    "/api/v1/scim": ("/api/v1/scim/NoSuchResource", SCIM_JSON, DIALECTS["/api/v1/scim"][2]),
}


@pytest.mark.parametrize("dialect", UNROUTED)
def test_a_foreign_host_is_400_for_a_path_no_route_serves(
    guarded: LiveServer, tokens: dict[str, str], dialect: str
) -> None:
    path, content_type, body = UNROUTED[dialect]

    response = get(guarded, path, tokens[dialect], "evil.example")

    assert response.status_code == 400
    assert response.headers["content-type"] == content_type
    assert response.json() == body


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_answer_any_host(guarded: LiveServer, path: str) -> None:
    response = httpx.get(guarded.base_url + path, headers={"Host": "10.0.0.7:8000"})

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_thousandeyes_location_names_the_allowed_host(guarded: LiveServer, org: TestOrg) -> None:
    email = unique_email()
    with httpx.Client(
        base_url=guarded.thousandeyes_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as client:
        refused = client.post(
            "/users", json={"name": "Eve", "email": email}, headers={"Host": "evil.example"}
        )
        created = client.post(
            "/users",
            json={"name": "Ada", "email": email},
            headers={"Host": "rosterd.example.com:8000"},
        )

    assert refused.status_code == 400
    assert "location" not in refused.headers
    assert created.status_code == 201  # the refused request wrote nothing: the email is free
    href = f"http://rosterd.example.com:8000/v7/users/{created.json()['uid']}"
    assert created.headers["location"] == href
    assert created.json()["_links"] == {"self": {"href": href}}


def test_kandji_next_names_the_allowed_host(
    guarded: LiveServer, store: SqlDirectoryStore, org: TestOrg
) -> None:
    Directory(org, store).add_users(Directory(org, store).integration(), 301)
    with httpx.Client(
        base_url=guarded.kandji_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as client:
        body = client.get("/users", headers={"Host": "api.rosterd.example.net"}).json()
        refused = client.get("/users", headers={"Host": "evil.example"})

    assert body["next"].startswith("http://api.rosterd.example.net/api/v1/users?cursor=")
    assert refused.status_code == 400
    assert "evil" not in refused.text


def test_scim_meta_location_names_the_allowed_host(
    guarded: LiveServer, store: SqlDirectoryStore, org: TestOrg
) -> None:
    headers = {"Authorization": f"Bearer {scim_token(store, org)}", "Content-Type": SCIM_JSON}
    user = {"schemas": [USER], "userName": unique_email()}
    with httpx.Client(base_url=guarded.scim_url, headers=headers) as scim:
        refused = scim.post("/Users", json=user, headers={"Host": "evil.example"})
        created = scim.post("/Users", json=user, headers={"Host": "pinned.example.com:8443"})

    assert refused.status_code == 400
    assert created.status_code == 201  # the refused request wrote nothing: the userName is free
    location = f"http://pinned.example.com:8443/api/v1/scim/Users/{created.json()['id']}"
    assert created.json()["meta"]["location"] == location
    assert created.headers["location"] == location


def test_unset_any_host_is_served_and_linked(live_server: LiveServer, org: TestOrg) -> None:
    """The default, for a stand-in on a developer's machine reached by any name."""
    response = httpx.post(
        live_server.thousandeyes_url + "/users",
        json={"name": "Dev", "email": unique_email()},
        headers={"Authorization": f"Bearer {org.token}", "Host": "devbox.local:8000"},
    )

    assert response.status_code == 201
    assert response.headers["location"].startswith("http://devbox.local:8000/v7/users/")


@pytest.mark.parametrize(
    "setting", ["*", "https://rosterd.example.com", "rosterd.example.com/v7", "*.[::1]", " , "]
)
def test_a_setting_that_names_no_host_stops_the_start(
    store: SqlDirectoryStore, setting: str
) -> None:
    with pytest.raises(ValueError, match="ROSTERD_ALLOWED_HOSTS"):
        create_app(Settings(allowed_hosts=setting), store)
