"""Failures under /api/v1 in DRF's `{"detail": ...}`, and the dialect's own OpenAPI document."""

from __future__ import annotations

import httpx
import pytest

from tests.support.server import LiveServer


@pytest.mark.parametrize("path", ["/nope", "/users/a/b", "/devices/x/details", "/audit"])
def test_unknown_routes_are_404(client: httpx.Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/users", "GET"),
        ("PUT", "/users/00000000-0000-4000-8000-000000000000", "GET, DELETE"),
        ("DELETE", "/devices/00000000-0000-4000-8000-000000000000", "GET, PATCH"),
        ("POST", "/audit/events", "GET"),
    ],
)
def test_unsupported_methods_are_405(
    client: httpx.Client, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)

    assert response.status_code == 405
    assert response.json() == {"detail": f'Method "{method}" not allowed.'}
    assert response.headers["allow"] == allow


def test_oversized_bodies_are_413(client: httpx.Client) -> None:
    response = client.patch(
        "/devices/00000000-0000-4000-8000-000000000000",
        content=b'{"tags": ["' + b"x" * (2 * 1024 * 1024) + b'"]}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert list(response.json()) == ["detail"]


def test_deeply_nested_json_is_400_not_500(client: httpx.Client) -> None:
    response = client.patch(
        "/devices/00000000-0000-4000-8000-000000000000",
        content=b"[" * 100_000,
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - ")


def test_the_openapi_document_describes_exactly_this_dialect(
    live_server: LiveServer,
) -> None:
    response = httpx.get(f"{live_server.kandji_url}/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["servers"] == [{"url": "/api/v1"}]
    operations = {
        (method.upper(), path): op["operationId"]
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    assert sorted(operations) == [
        ("DELETE", "/users/{user_id}"),
        ("GET", "/audit/events"),
        ("GET", "/devices"),
        ("GET", "/devices/{device_id}"),
        ("GET", "/users"),
        ("GET", "/users/{user_id}"),
        ("PATCH", "/devices/{device_id}"),
    ]
    schemas = document["components"]["schemas"]
    assert list(schemas["User"]["properties"]) == [
        "active",
        "archived",
        "created_at",
        "department",
        "deprecated_user_id",
        "email",
        "id",
        "integration",
        "job_title",
        "name",
        "device_count",
        "updated_at",
    ]
    assert schemas["User"]["properties"]["active"]["type"] == "boolean"
    assert "DeviceUpdate" in schemas
    patch = document["paths"]["/devices/{device_id}"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DeviceUpdate"
    }
    assert {"bearer", "HTTPBearer"} & set(document["components"]["securitySchemes"])
