"""The authenticated call an API token's dialect hands its routes: who calls, the services that
answer, and the names of things.

One dependency rather than one each: every dependency FastAPI solves costs more than the work of
all of these (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from starlette.requests import Request

from rosterd.core.audit import Actor
from rosterd.core.entities import Principal
from rosterd.server.hosts import base_url_of
from rosterd.server.settings import Settings


class _Configured(Protocol):
    @property
    def settings(self) -> Settings: ...


S = TypeVar("S", bound=_Configured)


@dataclass(frozen=True, slots=True)
class ApiCall(Generic[S]):
    request: Request
    svc: S
    caller: Principal

    @property
    def base_url(self) -> str:
        """scheme://host of rosterd as clients see it, for links and `Location` headers."""
        return base_url_of(self.request, self.svc.settings)

    @property
    def actor(self) -> Actor:
        return Actor.of(self.caller, getattr(self.request.state, "request_id", None))
