"""Request dependencies: the authenticated, rate-limited call (the caller, the services and the
public base URL, in one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from rosterd.core.endpoints import require_endpoint
from rosterd.core.entities import Principal
from rosterd.core.errors import RateLimited
from rosterd.dialects.thousandeyes._wire import ID_PATTERN
from rosterd.server.calls import ApiCall
from rosterd.server.credentials import ApiTokenCredentials, bearer_token
from rosterd.server.endpoints import called_endpoint
from rosterd.server.middleware import add_response_headers
from rosterd.server.ratelimit import per_minute
from rosterd.server.services import Services


# Dependencies are async: they run on the event loop, where the principal lookup (a cached
# caller and one short read) costs less than a worker-thread hop (see docs/performance.md).
def _services_of(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


async def authenticated(request: Request, credentials: ApiTokenCredentials) -> ApiCall[Services]:
    svc = _services_of(request)
    principal = svc.auth.authenticate(bearer_token(credentials))
    if svc.settings.rate_limits:
        _count_request(request, svc, principal)
    require_endpoint(principal, called_endpoint(request))
    return ApiCall(request, svc, principal)


def _count_request(request: Request, svc: Services, principal: Principal) -> None:
    amount = principal.org.rate_limit_per_minute or svc.settings.thousandeyes_requests_per_minute
    state = svc.rate_limiter.hit(per_minute(amount), "thousandeyes", principal.org.subdomain)
    if state is None:
        return
    add_response_headers(
        request,
        {
            "X-Organization-Rate-Limit-Limit": state.limit,
            "X-Organization-Rate-Limit-Remaining": state.remaining,
            "X-Organization-Rate-Limit-Reset": state.reset_at,
        },
    )
    if not state.allowed:
        raise RateLimited(
            "Exhausted rate limit for the organization", retry_after=state.retry_after()
        )


AuthenticatedCall = Annotated[ApiCall[Services], Depends(authenticated)]

Aid = Annotated[
    str | None,
    Query(
        description="A unique identifier associated with your account group. You must be "
        "assigned to the target account group.",
        max_length=20,
        examples=["1234"],
        json_schema_extra={"pattern": ID_PATTERN},  # documented; the core reports malformed ids
    ),
]
