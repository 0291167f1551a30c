"""How the API dialects read a caller's API token (SCIM reads integration tokens its own way)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

_api_token = HTTPBearer(
    auto_error=False, description="An API token issued by `rosterd tokens create`"
)

# The `Authorization: Bearer …` credentials, or None; documented as bearer auth in OpenAPI.
ApiTokenCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_api_token)]


def bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    return credentials.credentials if credentials else None
