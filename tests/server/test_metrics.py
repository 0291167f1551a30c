"""GET /metrics scraped from real servers and read with Prometheus' own text parser: the
families, their labels (route templates, never a path's ids or emails) and their counts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from rosterd import __version__
from rosterd.server.metrics import MetricsMiddleware
from tests.support.orgs import OrgFactory
from tests.support.process import ROSTERD, free_port, start_process
from tests.support.server import LiveServer, sqlite_database, start_server

FAMILIES = {
    "rosterd_http_requests",
    "rosterd_http_request_duration_seconds",
    "rosterd_rate_limited_requests",
    "rosterd_scim_operations",
    "rosterd_db_connections_in_use",
    "rosterd_db_pool_size",
    "rosterd_db_errors",
    "rosterd_build_info",
}


def scrape(url: str) -> dict[str, list[Sample]]:
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {f.name: f.samples for f in text_string_to_metric_families(response.text)}


def value(samples: list[Sample], name: str, **labels: str) -> float:
    found = [s.value for s in samples if s.name == name and s.labels == labels]
    assert len(found) == 1, (name, labels, samples)
    return found[0]


@pytest.fixture
def metered(tmp_path: Path) -> Iterator[LiveServer]:
    url, store = sqlite_database(tmp_path)
    with start_server(url, store, metrics=True, thousandeyes_requests_per_minute=3) as server:
        yield server
    store.close()


def test_a_scrape_counts_each_request_by_route_template(metered: LiveServer) -> None:
    org = OrgFactory(metered.store).create()
    auth = {"Authorization": f"Bearer {org.token}"}
    base = metered.base_url
    uid = str(org.admin.uid)
    for _ in range(2):
        assert httpx.get(f"{base}/v7/users/{uid}", headers=auth).status_code == 200
    assert httpx.get(f"{base}/v7/users/999999", headers=auth).status_code == 404
    assert httpx.get(f"{base}/v7/users/{uid}", headers=auth).status_code == 429  # 4th of 3
    assert httpx.get(f"{base}/api/v1/users/{org.admin.id}").status_code == 401
    assert httpx.get(f"{base}/api/v1/scim/Users").status_code == 401
    assert httpx.get(f"{base}/no/{org.admin.email}").status_code == 404

    families = scrape(f"{base}/metrics")

    assert set(families) == FAMILIES
    requests = families["rosterd_http_requests"]
    total = "rosterd_http_requests_total"
    te_user = {"dialect": "thousandeyes", "route": "/v7/users/{id}", "method": "GET"}
    assert value(requests, total, **te_user, status="200") == 2
    assert value(requests, total, **te_user, status="404") == 1
    assert value(requests, total, **te_user, status="429") == 1
    kandji = {"dialect": "kandji", "route": "/api/v1/users/{user_id}", "method": "GET"}
    assert value(requests, total, **kandji, status="401") == 1
    unmatched = {"dialect": "none", "route": "(unmatched)", "method": "GET", "status": "404"}
    assert value(requests, total, **unmatched) == 1
    # Nothing a request named (ids, emails) is in any label.
    labels = {v for samples in families.values() for s in samples for v in s.labels.values()}
    assert not {uid, str(org.admin.id), org.admin.email, "999999"} & labels
    assert not any("@" in label for label in labels)

    duration = families["rosterd_http_request_duration_seconds"]
    assert value(duration, "rosterd_http_request_duration_seconds_count", **te_user) == 4
    inf = value(duration, "rosterd_http_request_duration_seconds_bucket", **te_user, le="+Inf")
    assert inf == 4
    assert value(duration, "rosterd_http_request_duration_seconds_sum", **te_user) > 0

    refused = families["rosterd_rate_limited_requests"]
    assert value(refused, "rosterd_rate_limited_requests_total", dialect="thousandeyes") == 1
    scim = families["rosterd_scim_operations"]
    assert value(scim, "rosterd_scim_operations_total", operation="list_users", status="401") == 1
    assert value(families["rosterd_db_pool_size"], "rosterd_db_pool_size") == 8
    assert value(families["rosterd_db_connections_in_use"], "rosterd_db_connections_in_use") >= 1
    build = families["rosterd_build_info"]
    [info] = build
    assert (info.labels["version"], info.value) == (__version__, 1)


def test_without_metrics_there_is_no_route_and_no_middleware(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.base_url}/metrics")

    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})
    assert not live_server.settings.metrics_collected


def test_metrics_add_nothing_to_a_request_s_path_when_off(tmp_path: Path) -> None:
    from rosterd.server import Settings, create_app

    def middleware(**settings: object) -> list[type]:
        app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", **settings))  # type: ignore[arg-type]
        return [m.cls for m in app.user_middleware]  # type: ignore[misc]

    assert MetricsMiddleware not in middleware()
    assert MetricsMiddleware in middleware(metrics=True)
    assert MetricsMiddleware in middleware(metrics_port=9999)


def test_two_workers_are_added_up_on_the_api_port_and_the_metrics_port(tmp_path: Path) -> None:
    url, store = sqlite_database(tmp_path)
    store.close()
    metrics_port = free_port()
    server = start_process(
        url, args=("--workers", "2"), ROSTERD_METRICS="on", ROSTERD_METRICS_PORT=str(metrics_port)
    )
    try:
        for _ in range(30):  # new connections: the kernel spreads them over both workers
            assert httpx.get(f"{server.base_url}/healthz").status_code == 200
        on_api_port = scrape(f"{server.base_url}/metrics")
        on_metrics_port = scrape(f"http://127.0.0.1:{metrics_port}/metrics")
    finally:
        server.stop()

    health = {"dialect": "none", "route": "/healthz", "method": "GET", "status": "200"}
    # Across workers, a family is shown once some worker has a value for it.
    unwritten = {"rosterd_rate_limited_requests", "rosterd_scim_operations", "rosterd_db_errors"}
    written = FAMILIES - unwritten
    for families in (on_api_port, on_metrics_port):
        assert set(families) == written
        samples = families["rosterd_http_requests"]
        # start_process polls /readyz, never /healthz: these are the loop's.
        assert value(samples, "rosterd_http_requests_total", **health) == 30
        assert value(families["rosterd_db_pool_size"], "rosterd_db_pool_size") == 16


def test_off_prometheus_client_is_not_even_imported(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from rosterd.server import Settings, create_app\n"
        f"create_app(Settings(database_url='sqlite:///{tmp_path / 'x.db'}'))\n"
        "loaded = ('prometheus', 'rosterd.server.metrics')\n"
        "print(sorted(m for m in sys.modules if m.startswith(loaded)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )

    assert result.stdout == "[]\n"


def test_a_metrics_port_in_use_is_one_error_line(tmp_path: Path) -> None:
    url, store = sqlite_database(tmp_path)
    store.close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert ROSTERD
        result = subprocess.run(
            [ROSTERD, "serve", "--port", str(free_port()), "--no-migrate"],
            env=os.environ | {"ROSTERD_DATABASE_URL": url, "ROSTERD_METRICS_PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert (result.returncode, result.stderr) == (
        2,
        f"error: cannot serve metrics on 127.0.0.1:{port}: Address already in use\n",
    )
