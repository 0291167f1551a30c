"""Request dependencies: the authenticated call (the integration a SCIM token belongs to, each
request counted against its organization's rate limits, with the services and the SCIM base URL),
the raw body and the conditional headers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from scim2_models import SCIMException

from rosterd.core.audit import Actor
from rosterd.core.entities import Integration
from rosterd.core.errors import RateLimited
from rosterd.core.groups import GroupsService
from rosterd.core.provisioning import ProvisioningService
from rosterd.server.hosts import base_url_of
from rosterd.server.middleware import add_response_headers
from rosterd.server.ratelimit import RateLimiter, hit_kandji_tenant
from rosterd.server.services import Services
from rosterd.server.settings import Settings

_bearer = HTTPBearer(
    auto_error=False,
    description="The integration's SCIM token, from `rosterd integrations create --type scim`",
)
# An entity tag in If-Match / If-None-Match: optional weak prefix, then a quoted or bare tag.
_ENTITY_TAG: Final = re.compile(r'\s*(?:[Ww]/)?(?:"([^"]*)"|([^,\s]+))\s*(?:,|$)')
_JSON_TYPES: Final = ("application/json", "application/scim+json")


class UnsupportedMediaType(SCIMException):
    status = 415


@dataclass(frozen=True, slots=True)
class ScimServices:
    settings: Settings
    rate_limiter: RateLimiter
    provisioning: ProvisioningService
    groups: GroupsService

    @classmethod
    def of(cls, shared: Services) -> ScimServices:
        return cls(
            settings=shared.settings,
            rate_limiter=shared.rate_limiter,
            provisioning=ProvisioningService(shared.store),
            groups=GroupsService(shared.store),
        )


def _services_of(request: Request) -> ScimServices:
    found: ScimServices = request.app.state.scim
    return found


@dataclass(frozen=True, slots=True)
class ScimCall:
    """An authenticated SCIM request: the integration calling, the services that answer, and
    the names of things. One dependency rather than one each: every dependency FastAPI solves
    costs more than the work of all of these (docs/performance.md)."""

    request: Request
    svc: ScimServices
    integration: Integration

    @property
    def base_url(self) -> str:
        """The SCIM base URL as clients see it, for `meta.location` and `$ref`."""
        return f"{base_url_of(self.request, self.svc.settings)}/api/v1/scim"

    @property
    def actor(self) -> Actor:
        return Actor(
            type="integration",
            id=str(self.integration.uuid),
            request_id=getattr(self.request.state, "request_id", None),
        )


async def authenticated(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ScimCall:
    svc = _services_of(request)
    caller = svc.provisioning.authenticate(credentials.credentials if credentials else None)
    if svc.settings.rate_limits:
        _count_request(request, svc, caller.org.subdomain)
    return ScimCall(request, svc, caller.integration)


def _count_request(request: Request, svc: ScimServices, subdomain: str) -> None:
    """SCIM is served on the Kandji host (/api/v1/scim): its requests count against the
    organization's Kandji API limits, and answer with the same headers."""
    counted = hit_kandji_tenant(
        svc.rate_limiter,
        subdomain,
        per_hour=svc.settings.kandji_requests_per_hour,
        per_second=svc.settings.kandji_requests_per_second,
    )
    if counted is None:
        return
    now = time.time()
    add_response_headers(request, counted.headers(now))
    wait = counted.retry_after(now)
    if wait is not None:
        raise RateLimited(
            f"API rate limit exceeded. Expected available in {wait} seconds.", retry_after=wait
        )


AuthenticatedCall = Annotated[ScimCall, Depends(authenticated)]


async def body(request: Request) -> bytes:
    """The raw body (read on the event loop); JSON under any of SCIM's media types."""
    content_type = request.headers.get("content-type", "")
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type and media_type not in _JSON_TYPES and not media_type.endswith("+json"):
        raise UnsupportedMediaType(detail=f"Send the body as {_JSON_TYPES[1]}, not {media_type}")
    return await request.body()


Body = Annotated[bytes, Depends(body)]


@dataclass(frozen=True, slots=True)
class Conditions:
    """If-Match / If-None-Match (RFC 9110 §13), compared weakly as RFC 7644 §3.14 does."""

    if_match: tuple[frozenset[str], bool] | None
    if_none_match: tuple[frozenset[str], bool] | None

    def allows_change(self, version: str) -> bool:
        """Whether a PUT, PATCH or DELETE may go ahead on a resource at `version`."""
        if self.if_match is not None and not _matches(self.if_match, version):
            return False
        return self.if_none_match is None or not _matches(self.if_none_match, version)

    def not_modified(self, version: str) -> bool:
        """Whether a GET answers 304: If-None-Match lists the current version."""
        return self.if_none_match is not None and _matches(self.if_none_match, version)

    @property
    def precondition(self) -> Callable[[str], bool] | None:
        """What a change must hold of the current version, or None when unconditional."""
        if self.if_match is None and self.if_none_match is None:
            return None
        return self.allows_change


def _parse(header: str | None) -> tuple[frozenset[str], bool] | None:
    if header is None or not header.strip():
        return None
    if header.strip() == "*":
        return frozenset(), True
    tags = {quoted if quoted is not None else bare for quoted, bare in _ENTITY_TAG.findall(header)}
    return frozenset(tags), False


def _matches(condition: tuple[frozenset[str], bool], version: str) -> bool:
    tags, anything = condition
    return anything or version in tags


async def conditions(request: Request) -> Conditions:
    return Conditions(
        _parse(request.headers.get("if-match")), _parse(request.headers.get("if-none-match"))
    )


ConditionsDep = Annotated[Conditions, Depends(conditions)]
