from __future__ import annotations

from typing import ClassVar

from pydantic import Field, StrictBool, StrictInt, StrictStr

from kandji.models._base import KandjiModel
from kandji.models.users_get_user200_response_integration import (
    UsersGetUser200ResponseIntegration,
)


class UsersGetUser200Response(KandjiModel):
    """A directory user, as `get_user` returns it (and each item of `list_users().results`).

    Deliberate difference from the published generated SDK: `active` and `archived` are
    booleans, as the real API sends them (the generated SDK types them `int` and fails to
    parse every real user); `department` and `job_title` are `str | None` (`Any` there).
    """

    nullable_fields: ClassVar[frozenset[str]] = frozenset(
        {"department", "job_title", "integration"}
    )

    active: StrictBool | None = Field(default=None, description="Active in the IdP.")
    archived: StrictBool | None = Field(
        default=None, description="Shown under the Users module's Archived tab."
    )
    created_at: StrictStr | None = Field(default=None, description="ISO-8601 UTC timestamp.")
    department: StrictStr | None = None
    deprecated_user_id: StrictStr | None = Field(
        default=None, description="The legacy integer user id, as a string."
    )
    device_count: StrictInt | None = Field(
        default=None, description="Devices assigned to the user; delete needs 0."
    )
    email: StrictStr | None = None
    id: StrictStr | None = Field(default=None, description="The user's UUID.")
    integration: UsersGetUser200ResponseIntegration | None = None
    job_title: StrictStr | None = None
    name: StrictStr | None = None
    updated_at: StrictStr | None = Field(default=None, description="ISO-8601 UTC timestamp.")
