"""The Kandji dialect's app: its routes, its error envelope and its OpenAPI document, built when
the dialect is first needed (`server/mounts.py`)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from rosterd import __version__
from rosterd.dialects.kandji import PREFIX, _errors, _wire
from rosterd.dialects.kandji._deps import KandjiServices, single_query_values
from rosterd.dialects.kandji._routes import router
from rosterd.server.request_limits import enforce_request_limits
from rosterd.server.routing import dialect_app
from rosterd.server.services import Services


def create_kandji_app(services: Services) -> FastAPI:
    app = dialect_app(
        router,
        services.settings,
        install_errors=_errors.install,
        read_scope=services.store.shared_read,
        checks=[enforce_request_limits, single_query_values],
        title="rosterd — Kandji (Iru) API",
        version=__version__,
        description="The Kandji (Iru) Users API, device assignment and audit log, as served by "
        "rosterd. Authenticate with `Authorization: Bearer <API token>`.",
        openapi_url="/openapi.json",
        servers=[{"url": PREFIX}],
    )
    app.state.kandji = KandjiServices.of(services)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                servers=app.servers,
            )
            # The PATCH body is parsed by hand (for DRF's exact messages); document it here.
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas["DeviceUpdate"] = _wire.DeviceUpdate.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            for (path, method, status), links in _LINKS.items():
                schema["paths"][path][method]["responses"][status]["links"] = links
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _link(operation_id: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": parameters}


def _user_links(user_id: str) -> dict[str, Any]:
    return {
        "GetUser": _link("get_user_users__user_id__get", **{"path.user_id": user_id}),
        "DeleteUser": _link("delete_user_users__user_id__delete", **{"path.user_id": user_id}),
        "ListUserDevices": _link("list_devices_devices_get", **{"query.user_id": user_id}),
    }


def _device_links(device_id: str) -> dict[str, Any]:
    return {
        "GetDevice": _link("get_device_devices__device_id__get", **{"path.device_id": device_id}),
        "UpdateDevice": _link(
            "update_device_devices__device_id__patch", **{"path.device_id": device_id}
        ),
    }


# OpenAPI links: where user and device ids come from, for clients and for stateful fuzzing.
_LINKS: dict[tuple[str, str, str], dict[str, Any]] = {
    ("/users", "get", "200"): _user_links("$response.body#/results/0/id"),
    ("/users/{user_id}", "get", "200"): _user_links("$response.body#/id"),
    ("/devices", "get", "200"): _device_links("$response.body#/0/device_id")
    | _user_links("$response.body#/0/user/id"),
    ("/devices/{device_id}", "get", "200"): _device_links("$response.body#/device_id")
    | _user_links("$response.body#/user/id"),
    ("/devices/{device_id}", "patch", "200"): _device_links("$response.body#/device_id")
    | _user_links("$response.body#/user/id"),
}
