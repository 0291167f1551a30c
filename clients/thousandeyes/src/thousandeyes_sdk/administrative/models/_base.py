"""What every model shares: camelCase JSON aliases, unknown keys kept, the generated helpers;
and what every enum shares: an unknown value read as `UNKNOWN`."""

from __future__ import annotations

import json
import pprint
from enum import Enum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """A pydantic v2 model with the official SDK's conventions.

    Attributes are snake_case, JSON keys camelCase (either is accepted on input); every field
    is optional but `Link.href` and `AccountGroupRequest.account_group_name`, as in the
    official SDK; keys the model does not know are kept (`model_extra`) and sent back.
    """

    model_config = ConfigDict(
        populate_by_name=True,
        validate_assignment=True,
        protected_namespaces=(),
        extra="allow",
    )

    def to_str(self) -> str:
        """The model as pretty-printed JSON-style keys (aliases)."""
        return pprint.pformat(self.model_dump(by_alias=True))

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, exclude_unset=True, exclude_none=True)

    @classmethod
    def from_json(cls, json_str: str) -> Self | None:
        return cls.from_dict(json.loads(json_str))

    def to_dict(self) -> dict[str, Any]:
        """The JSON object this model is sent as: aliases, no `None` fields, extras kept."""
        return self.model_dump(by_alias=True, exclude_none=True)

    @classmethod
    def from_dict(cls, obj: Any) -> Self | None:
        """Parse a decoded JSON value; None stays None, anything else must fit the model."""
        if obj is None:
            return None
        return cls.model_validate(obj)


# (str, Enum), not StrEnum: str(member) is `Class.MEMBER`, as in the official SDK's enums.
class ApiEnum(str, Enum):  # noqa: UP042
    """A string enum with the official SDK's conventions: members compare equal to their values
    (`ExpandAccountGroupOptions.USER == "user"`), and a value the enum does not know becomes its
    `UNKNOWN` member instead of an error, so a value the API adds later does not fail a whole
    response. As in the official SDK this holds for arguments too: `expand=["users"]` is sent
    as `expand=unknown`.
    """

    @classmethod
    def from_json(cls, json_str: str) -> Self:
        return cls(json.loads(json_str))

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        return next((member for member in cls if member.value == "unknown"), None)
