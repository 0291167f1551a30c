"""What rosterd adds for its operators beside the APIs: the Prometheus metrics when they are
turned on (docs/operations.md). Nothing of the metrics is imported, nor put in a request's way,
unless they are on. (Each dialect adds its own documentation page: `routing.dialect_app`.)"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.applications import Starlette
from starlette.routing import Route

from rosterd.core.ports import DirectoryStore
from rosterd.server.settings import Settings

# Set here, before prometheus-client is first imported: it picks its value store then.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
DIALECT_LABELS = {
    "/v7": "thousandeyes",
    "/api/v1": "kandji",
    "/api/v1/scim": "scim",
    "/_rosterd": "control",
}


def add_operations(app: Starlette, settings: Settings, store: DirectoryStore) -> None:
    if settings.metrics_collected:
        _add_metrics(app, settings, store)


def _add_metrics(app: Starlette, settings: Settings, store: DirectoryStore) -> None:
    from rosterd.server.metrics import Metrics, MetricsMiddleware, metrics_endpoint
    from rosterd.storage import SqlDirectoryStore

    metrics = Metrics()
    if isinstance(store, SqlDirectoryStore):
        metrics.watch_engine(store.engine)
    if settings.metrics:
        # After the mounts: an API request matches its mount first and never tries this one.
        app.router.routes.append(Route("/metrics", metrics_endpoint(metrics.exposition)))
    app.add_middleware(MetricsMiddleware, metrics=metrics, dialects=DIALECT_LABELS)


@contextmanager
def metrics_serving(settings: Settings) -> Iterator[None]:
    """For `rosterd serve`: with metrics on, every worker (one or many) writes them to a
    temporary folder of this process's, removed at exit, so that a scrape of any worker, or of
    the metrics port this process listens on, adds up all of them."""
    if not settings.metrics_collected:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="rosterd-metrics-") as folder:
        os.environ[MULTIPROCESS_DIR] = folder
        try:
            if settings.metrics_port is not None:
                _listen(settings.metrics_host, settings.metrics_port)
            yield
        finally:
            del os.environ[MULTIPROCESS_DIR]


class MetricsUnavailable(Exception):
    """The metrics port cannot be listened on; the message says where and why."""


def _listen(host: str, port: int) -> None:
    from prometheus_client import start_http_server

    from rosterd.server.metrics import scrape_registry

    try:
        start_http_server(port, addr=host, registry=scrape_registry())
    except OSError as exc:
        raise MetricsUnavailable(f"cannot serve metrics on {host}:{port}: {exc.strerror}") from exc
