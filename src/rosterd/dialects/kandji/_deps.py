"""Request dependencies: the authenticated, rate-limited call (a caller whose token may call the
endpoint, with the services and the public base URL)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, Request

from rosterd.core.audit_log import AuditLogService
from rosterd.core.auth import AuthService
from rosterd.core.devices import DevicesService
from rosterd.core.directory import DirectoryService
from rosterd.core.endpoints import require_endpoint
from rosterd.core.entities import EndpointPermission, Principal
from rosterd.core.errors import Invalid, RateLimited
from rosterd.server.calls import ApiCall
from rosterd.server.credentials import ApiTokenCredentials, bearer_token
from rosterd.server.endpoints import called_endpoint
from rosterd.server.middleware import add_response_headers
from rosterd.server.ratelimit import RateLimiter, hit_kandji_tenant
from rosterd.server.services import Services
from rosterd.server.settings import Settings


@dataclass(frozen=True, slots=True)
class KandjiServices:
    settings: Settings
    rate_limiter: RateLimiter
    auth: AuthService
    directory: DirectoryService
    devices: DevicesService
    audit_log: AuditLogService

    @classmethod
    def of(cls, shared: Services) -> KandjiServices:
        store = shared.store
        return cls(
            settings=shared.settings,
            rate_limiter=shared.rate_limiter,
            auth=shared.auth,
            directory=DirectoryService(store),
            devices=DevicesService(store),
            audit_log=AuditLogService(store),
        )


# Dependencies are async: they run on the event loop, where the principal lookup (a cached
# caller and one short read) costs less than a worker-thread hop (see docs/performance.md).
def _services_of(request: Request) -> KandjiServices:
    found: KandjiServices = request.app.state.kandji
    return found


async def authenticated(
    request: Request, credentials: ApiTokenCredentials
) -> ApiCall[KandjiServices]:
    svc = _services_of(request)
    principal = svc.auth.authenticate(bearer_token(credentials))
    if svc.settings.rate_limits:
        _count_request(request, svc, principal)
    require_endpoint(principal, recorded_endpoint(called_endpoint(request)))
    return ApiCall(request, svc, principal)


# Kandji's routes name the user `{user_id}`, but its token permissions record `{id}`.
_RECORDED_PATHS: Final = {"/api/v1/users/{user_id}": "/api/v1/users/{id}"}


def recorded_endpoint(endpoint: EndpointPermission) -> EndpointPermission:
    """An endpoint as Kandji's token permissions record it."""
    path = _RECORDED_PATHS.get(endpoint.path, endpoint.path)
    return EndpointPermission(path, endpoint.http_method)


def _count_request(request: Request, svc: KandjiServices, principal: Principal) -> None:
    """Kandji's limits (Kong's rate-limiting plugin): per tenant, per hour and per second."""
    counted = hit_kandji_tenant(
        svc.rate_limiter,
        principal.org.subdomain,
        per_hour=svc.settings.kandji_requests_per_hour,
        per_second=svc.settings.kandji_requests_per_second,
    )
    if counted is None:
        return
    now = time.time()
    add_response_headers(request, counted.headers(now))
    wait = counted.retry_after(now)
    if wait is not None:
        raise RateLimited("API rate limit exceeded", retry_after=wait)


AuthenticatedCall = Annotated[ApiCall[KandjiServices], Depends(authenticated)]


def single_query_values(request: Request) -> None:
    """A query parameter given twice is refused rather than silently reduced to one value."""
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        if name in seen:
            raise Invalid(f"{name}: given more than once.")
        seen.add(name)
