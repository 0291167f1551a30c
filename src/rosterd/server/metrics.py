"""Prometheus metrics (prometheus-client), imported only when they are turned on.

Requests are counted by dialect, route template (never the path itself: ids and emails stay
out of the labels), method and status, in one middleware outside the dialects. With several
workers (`PROMETHEUS_MULTIPROC_DIR` set, see `metrics_serving`), each worker writes its values
to files in that folder and a scrape adds up every worker's, whichever worker answers.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Iterable
from functools import cached_property
from typing import Any, Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rosterd import __version__

MULTIPROCESS_DIR: Final = "PROMETHEUS_MULTIPROC_DIR"
METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Outside every route (a path no route serves, or a 404 under a dialect): one label value.
UNMATCHED: Final = "(unmatched)"
BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """rosterd's metric families, registered on a registry of their own (one per app)."""

    def __init__(self) -> None:
        # No `_created` series: the text format shows them as families of their own, and
        # several workers' files (multiprocess mode) have none.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "rosterd_http_requests",
            "HTTP requests answered, by dialect, route template, method and status.",
            ["dialect", "route", "method", "status"],
            registry=r,
        )
        self.duration = Histogram(
            "rosterd_http_request_duration_seconds",
            "Time from a request's arrival to the end of its response.",
            ["dialect", "route", "method"],
            buckets=BUCKETS,
            registry=r,
        )
        self.rate_limited = Counter(
            "rosterd_rate_limited_requests",
            "Requests refused with 429 (rate limits, and faults injected as 429).",
            ["dialect"],
            registry=r,
        )
        self.scim_operations = Counter(
            "rosterd_scim_operations",
            "SCIM operations answered, by operation (the route's name) and status.",
            ["operation", "status"],
            registry=r,
        )
        self.db_in_use = Gauge(
            "rosterd_db_connections_in_use",
            "Database connections checked out of the pool (kept read connections included).",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.db_pool_size = Gauge(
            "rosterd_db_pool_size",
            "Connections the pool keeps open (without its overflow), summed over workers.",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.db_errors = Counter(
            "rosterd_db_errors",
            "Errors raised by the database driver, by exception class.",
            ["error"],
            registry=r,
        )

    def watch_engine(self, engine: Engine) -> None:
        """The pool's connections in use and the driver's errors, from SQLAlchemy's events."""
        size = getattr(engine.pool, "size", None)
        if callable(size):
            self.db_pool_size.set(size())
        in_use = self.db_in_use

        @event.listens_for(engine, "checkout")
        def _checkout(*_: Any) -> None:
            in_use.inc()

        @event.listens_for(engine, "checkin")
        def _checkin(*_: Any) -> None:
            in_use.dec()

        errors = self.db_errors

        @event.listens_for(engine, "handle_error")
        def _error(context: Any) -> None:
            errors.labels(type(context.original_exception).__name__).inc()

    @cached_property
    def exposition(self) -> CollectorRegistry:
        """What a scrape reads: this process's registry, or every worker's files."""
        if os.environ.get(MULTIPROCESS_DIR):
            return scrape_registry()
        self.registry.register(BuildInfo())
        return self.registry


def scrape_registry() -> CollectorRegistry:
    """Every worker's values, from the files in `PROMETHEUS_MULTIPROC_DIR`, and the build."""
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    registry.register(BuildInfo())
    return registry


class BuildInfo(Collector):
    """`rosterd_build_info{version, python} 1`: the same in every worker, so made at scrape."""

    def collect(self) -> Iterable[Metric]:
        info = GaugeMetricFamily(
            "rosterd_build_info", "rosterd's version and Python's.", labels=["version", "python"]
        )
        info.add_metric([__version__, platform.python_version()], 1)
        yield info


def metrics_endpoint(registry: CollectorRegistry) -> Any:
    async def metrics(_: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return metrics


class MetricsMiddleware:
    """Counts and times every HTTP request, labelled by the route that answered it.

    Starlette's routers record the route they chose in the request's scope (`route`) and a
    mount's prefix in `root_path`; both are read once the response is sent. The labelled series
    are looked up once per (route, method, status) and kept.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics, dialects: dict[str, str]) -> None:
        self.app = app
        self.metrics = metrics
        self.dialects = dialects  # mount prefix -> dialect label
        # Keyed by the route's id: routes live as long as the app, and some are unhashable.
        self._series: dict[tuple[int, str, str, int], tuple[Any, ...]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if nothing answers

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self._record(scope, status, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        root_path: str = scope.get("root_path", "")
        method = scope["method"] if scope["method"] in METHODS else "other"
        key = (id(route), root_path, method, status)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = self._labelled(route, root_path, method, status)
        requests, duration, refused, scim = series
        requests.inc()
        duration.observe(seconds)
        if refused is not None:
            refused.inc()
        if scim is not None:
            scim.inc()

    def _labelled(self, route: Any, root_path: str, method: str, status: int) -> tuple[Any, ...]:
        m = self.metrics
        dialect = self.dialects.get(root_path, "none")
        matched = route is not None and not isinstance(route, Mount)
        template = f"{root_path}{route.path_format}" if matched else UNMATCHED
        code = str(status)
        scim = None
        if dialect == "scim" and matched:
            scim = m.scim_operations.labels(getattr(route, "name", None) or template, code)
        return (
            m.requests.labels(dialect, template, method, code),
            m.duration.labels(dialect, template, method),
            m.rate_limited.labels(dialect) if status == 429 else None,
            scim,
        )
