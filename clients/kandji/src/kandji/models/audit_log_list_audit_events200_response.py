from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, StrictStr

from kandji.models._base import KandjiModel


class AuditLogListAuditEvents200Response(KandjiModel):
    """A page of `list_users` (the generated SDK reuses the audit log's page model).

    `results` holds the users as plain dicts, as in the generated SDK; parse one with
    `UsersGetUser200Response.from_dict(item)`, or use `UsersApi.iter_users()`. `next` and
    `previous` are absolute URLs (or None at either end).
    """

    nullable_fields: ClassVar[frozenset[str]] = frozenset({"next", "previous", "results"})

    next: StrictStr | None = Field(default=None, description="URL of the next page.")
    previous: StrictStr | None = Field(default=None, description="URL of the previous page.")
    results: list[dict[str, Any]] | None = Field(default=None, description="The users.")
