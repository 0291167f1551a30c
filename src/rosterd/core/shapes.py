"""A dialect's JSON shape of a directory user, described as data, so that storage can render it.

A page of users rendered in Python builds an entity a user and a dict a user, converting every
UUID and datetime twice on the way (text to object to text): about two thirds of a 300-user
page's CPU. Described as a shape (the wire keys, in order, each with the entity field it shows
and how it is written), the same JSON is built by the database as it reads the rows, and the
dialect only joins the rows' texts (docs/performance.md, "Users rendered by the database").

The shape names entity fields (`DirectoryUser`'s), never columns: storage maps them to its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Written(Enum):
    """How a field's value is written on the wire."""

    TEXT = "text"  # a string, or null where the field has none
    TEXT_OR_NULL = "text or null"  # a string; null where it is empty
    BOOLEAN = "boolean"
    INTEGER = "integer"
    INTEGER_AS_TEXT = "integer as text"  # `"29143"`
    UUID = "uuid"  # canonical text, lowercase with hyphens
    TIMESTAMP = "timestamp"  # `2024-09-06T21:00:04.304248Z`: UTC, six digits of microseconds


@dataclass(frozen=True, slots=True)
class Field:
    key: str  # the wire key
    source: str  # the entity field: `user.email`, `integration.uuid`, `device_count`
    written: Written


@dataclass(frozen=True, slots=True)
class Nested:
    """An object of fields of one related entity, null where the user has none."""

    key: str
    source: str  # the related entity: `integration`
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class UserShape:
    members: tuple[Field | Nested, ...]


@dataclass(frozen=True, slots=True)
class RenderedUser:
    """A user as a dialect's JSON object (UTF-8 text, compact), with the uid its cursors use."""

    uid: int
    json: str
