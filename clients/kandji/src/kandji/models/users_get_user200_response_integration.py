from __future__ import annotations

from pydantic import Field, StrictInt, StrictStr

from kandji.models._base import KandjiModel


class UsersGetUser200ResponseIntegration(KandjiModel):
    """The directory integration a user came from."""

    id: StrictInt | None = Field(default=None, description="Legacy integer id, e.g. 634.")
    name: StrictStr | None = Field(default=None, description="The integration's name.")
    type: StrictStr | None = Field(default=None, description='e.g. "office365".')
    uuid: StrictStr | None = Field(
        default=None, description="The integration's UUID; `integration_id` filters on it."
    )
