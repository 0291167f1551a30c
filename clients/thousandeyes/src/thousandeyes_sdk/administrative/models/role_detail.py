from __future__ import annotations

from pydantic import Field
from thousandeyes_sdk.administrative.models.base_role import BaseRole
from thousandeyes_sdk.administrative.models.permission import Permission
from thousandeyes_sdk.administrative.models.self_links import SelfLinks


class RoleDetail(BaseRole):
    """A role with its permissions: the result of create_role, get_role and update_role."""

    permissions: list[Permission] | None = None
    links: SelfLinks | None = Field(default=None, alias="_links")
