"""What every model shares: the generated SDK's helpers and its `additional_properties`."""

from __future__ import annotations

import json
import pprint
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict


class KandjiModel(BaseModel):
    """A pydantic v2 model as openapi-generator makes them: every field optional, keys the
    model does not know kept in `additional_properties` (and sent back by `to_dict()`)."""

    model_config = ConfigDict(
        populate_by_name=True,
        validate_assignment=True,
        protected_namespaces=(),
        extra="allow",
    )
    # Fields that `to_dict()` writes as JSON null when they were given as None.
    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @property
    def additional_properties(self) -> dict[str, Any]:
        return dict(self.__pydantic_extra__ or {})

    def to_str(self) -> str:
        return pprint.pformat(self.model_dump(by_alias=True))

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, json_str: str) -> Self | None:
        return cls.from_dict(json.loads(json_str))

    def to_dict(self) -> dict[str, Any]:
        """The JSON object: None fields left out, except nullable ones that were set."""
        result = self.model_dump(by_alias=True, exclude_none=True)
        for name in self.nullable_fields:
            if name in self.model_fields_set and getattr(self, name) is None:
                result[name] = None
        return result

    @classmethod
    def from_dict(cls, obj: Any) -> Self | None:
        if obj is None:
            return None
        return cls.model_validate(obj)
