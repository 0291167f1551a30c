"""A dialect's user shape (`core.shapes`) as one SQL expression: the database writes the JSON.

SQLite builds it with `json_object`, PostgreSQL with `row_to_json` of a row whose columns are
named by the wire keys (its `json_build_object` puts spaces around `:`). Both write compact JSON
with the keys in the shape's order and escape strings as Python's `json` does, so the text is
the bytes the dialect's JSON encoder would write for the same values
(`tests/storage/test_rendered_users.py` compares them over generated users).

What each writes from the stored values:
- SQLite keeps UUIDs as 32 lowercase hex digits and datetimes as naive UTC text with six digits of
  microseconds (`2024-09-06 21:00:04.304248`; SQLAlchemy's storage format, which every write of
  rosterd's goes through: `storage/_types.py`), so both are rewritten as text.
- PostgreSQL keeps `uuid` and `timestamptz`, written with `::text` and `to_char` in UTC.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement, Text, case, cast, func, literal_column, select

from rosterd.core.shapes import Field, Nested, UserShape, Written
from rosterd.storage import tables as t

_PG_TIMESTAMP = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


def user_json(
    shape: UserShape, device_count: ColumnElement[Any], dialect: str
) -> ColumnElement[str]:
    """The shape of the user row of `users` (joined to its integration) as JSON text."""
    sources = {"device_count": device_count}
    if dialect == "postgresql":
        return cast(_pg_object(shape.members, sources), Text)
    return _sqlite_object(shape.members, sources)


def _column(source: str, sources: dict[str, ColumnElement[Any]]) -> ColumnElement[Any]:
    if source in sources:
        return sources[source]
    entity, _, name = source.partition(".")
    table = {"user": t.users, "integration": t.integrations}[entity]
    return table.c[name]


def _key(key: str) -> ColumnElement[str]:
    # Keys are the dialects' constants, never input; inlined so the statement has no parameters.
    assert key.replace("_", "").isalnum(), key
    return literal_column(f"'{key}'")


def _sqlite_object(
    members: tuple[Field | Nested, ...], sources: dict[str, ColumnElement[Any]]
) -> ColumnElement[str]:
    pairs: list[ColumnElement[Any]] = []
    for member in members:
        pairs.append(_key(member.key))
        if isinstance(member, Nested):
            present = _column(f"{member.source}.id", sources)
            pairs.append(
                case((present.is_(None), None), else_=_sqlite_object(member.fields, sources))
            )
        else:
            pairs.append(_sqlite_value(_column(member.source, sources), member.written))
    return func.json_object(*pairs, type_=Text)


def _sqlite_value(column: ColumnElement[Any], written: Written) -> ColumnElement[Any]:
    if written is Written.BOOLEAN:
        return func.json(case((column, "true"), else_="false"))
    if written is Written.TEXT_OR_NULL:
        return func.nullif(column, "")
    if written is Written.INTEGER_AS_TEXT:
        return cast(column, Text)
    if written is Written.UUID:
        return _sqlite_uuid_text(column)
    if written is Written.TIMESTAMP:
        return func.replace(cast(column, Text), " ", "T") + "Z"
    return column


def _sqlite_uuid_text(column: ColumnElement[Any]) -> ColumnElement[str]:
    hex_text = cast(column, Text)
    parts = [func.substr(hex_text, start, length) for start, length in _UUID_GROUPS]
    joined: ColumnElement[str] = parts[0]
    for part in parts[1:]:
        joined = joined + "-" + part
    return joined


_UUID_GROUPS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))


def _pg_object(
    members: tuple[Field | Nested, ...], sources: dict[str, ColumnElement[Any]]
) -> ColumnElement[Any]:
    labelled = []
    for member in members:
        if isinstance(member, Nested):
            present = _column(f"{member.source}.id", sources)
            value: ColumnElement[Any] = case(
                (present.is_(None), None), else_=_pg_object(member.fields, sources)
            )
        else:
            value = _pg_value(_column(member.source, sources), member.written)
        labelled.append(value.label(member.key))
    row = select(*labelled).correlate(t.users, t.integrations).subquery("shape")
    return select(func.row_to_json(literal_column("shape"))).select_from(row).scalar_subquery()


def _pg_value(column: ColumnElement[Any], written: Written) -> ColumnElement[Any]:
    if written is Written.BOOLEAN:
        return cast(column, Boolean)
    if written is Written.TEXT_OR_NULL:
        return func.nullif(column, "")
    if written in (Written.INTEGER_AS_TEXT, Written.UUID):
        return cast(column, Text)
    if written is Written.TIMESTAMP:
        return func.to_char(func.timezone("UTC", column), _PG_TIMESTAMP)
    return column
