"""The documentation pages load from a real server with nothing from the network: the page
names only its own server's URLs, and each of them answers with its file and type."""

from __future__ import annotations

import re

import httpx
import pytest

from rosterd.server.docs import ASSETS
from tests.support.server import LiveServer

# Whatever a page could load: src/href attributes and url: values of the script.
_REFERENCES = re.compile(r'(?:src|href)="([^"]*)"|url: "([^"]*)"')


@pytest.mark.parametrize(
    ("prefix", "title"),
    [("/v7", "ThousandEyes v7 Users API"), ("/api/v1", "Kandji (Iru) API")],
)
def test_the_page_and_everything_it_loads_come_from_the_server(
    live_server: LiveServer, prefix: str, title: str
) -> None:
    page = httpx.get(f"{live_server.base_url}{prefix}/docs")

    assert (page.status_code, page.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert f"<title>rosterd — {title}: documentation</title>" in page.text
    assert "http" not in page.text
    references = sorted(a or b for a, b in _REFERENCES.findall(page.text))
    assert references == sorted(
        [
            f"{prefix}/docs/favicon-32x32.png",
            f"{prefix}/docs/swagger-ui.css",
            f"{prefix}/docs/swagger-ui-bundle.js",
            f"{prefix}/openapi.json",
        ]
    )
    types = {
        "favicon-32x32.png": "image/png",
        "swagger-ui.css": "text/css; charset=utf-8",
        "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
        "openapi.json": "application/json",
    }
    for reference in references:
        loaded = httpx.get(live_server.base_url + reference)
        name = reference.rsplit("/", 1)[1]
        assert (loaded.status_code, loaded.headers["content-type"]) == (200, types[name])
        if name != "openapi.json":
            assert loaded.content == (ASSETS / name).read_bytes()


def test_the_bundle_is_swagger_ui_and_asks_no_validator(live_server: LiveServer) -> None:
    page = httpx.get(f"{live_server.base_url}/v7/docs").text
    bundle = httpx.get(f"{live_server.base_url}/v7/docs/swagger-ui-bundle.js").text

    assert "validatorUrl: null" in page
    assert "SwaggerUIBundle" in bundle
    assert (ASSETS / "LICENSE").read_text().startswith("\n                                 Apache")


def test_other_files_and_methods_are_the_dialect_s_errors(live_server: LiveServer) -> None:
    other = httpx.get(f"{live_server.base_url}/v7/docs/LICENSE")
    post = httpx.post(f"{live_server.base_url}/api/v1/docs")

    assert (other.status_code, other.headers["content-type"]) == (404, "application/problem+json")
    assert (post.status_code, post.headers["allow"]) == (405, "GET")


@pytest.mark.parametrize("prefix", ["/v7", "/api/v1"])
def test_the_pages_are_not_in_the_openapi_documents(live_server: LiveServer, prefix: str) -> None:
    paths = httpx.get(f"{live_server.base_url}{prefix}/openapi.json").json()["paths"]

    assert [path for path in paths if "docs" in path] == []
