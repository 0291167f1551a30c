"""A listing's search in two parts, shared by the users' and the devices' searches: a walk of a
bounded range in the page's order, which fills the page at once when the term is common, and,
only when it found too few, the next matches past the range from an index (which then costs
what the rare term's matches cost)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Select,
    TextClause,
    case,
    func,
    select,
    text,
)

from rosterd.storage._blocks import plans_for_own_values


def walk_then_index(walk: Select[Any], rest: Select[Any], need: int) -> CompoundSelect[Any]:
    """The keys of `walk`'s first `need` matches and, when it has fewer, `rest`'s first `need`
    (ordered, and filtered to past the walk, by the caller). Each selects one column."""
    hits = walk.limit(need).cte("hits")
    key = hits.c[0]
    walk_answers = select(func.count()).select_from(hits).scalar_subquery() >= need
    # Past a walk that answered, the index is not asked at all: both databases skip a query
    # whose LIMIT is 0 before they start it (SQLite would build the IN list, and PostgreSQL
    # start parallel workers, before checking the same condition in the WHERE).
    passed = rest.limit(case((walk_answers, 0), else_=need)).subquery("rest")
    # A LIMIT the union never reaches, which tells PostgreSQL's planner how few keys it holds
    # (else it may merge-join them with every row from the top).
    return select(key).union_all(select(passed.c[0])).limit(2 * need)


def key_range(
    conn: Connection, key: ColumnElement[Any], owned: ColumnElement[bool]
) -> tuple[Any, Any]:
    """The lowest and highest `key` of the rows `owned` (an organization's), each read from
    one end of its index. On PostgreSQL, in the same round trip, the listing that follows is
    planned for its own term and bounds until the read ends (`plans_for_own_values`)."""
    ends: list[ColumnElement[Any]] = [
        select(end(key)).where(owned).scalar_subquery() for end in (func.min, func.max)
    ]
    if conn.dialect.name == "postgresql":
        ends.append(plans_for_own_values(conn))
    low, high, *_ = conn.execute(select(*ends)).one()
    return low, high


def walk_bounds(
    conn: Connection,
    key: ColumnElement[Any],
    owned: ColumnElement[bool],
    start: int | None,
    walked: int,
    *,
    ascending: bool,
) -> tuple[int | None, int | None]:
    """Where a walk of `walked` keys of the rows `owned` starts and ends, in the page's
    direction: its start (`start`, or just outside the rows' first key) and its last key, or
    None for the last when no row lies past the walk (nor when there are no rows). A bound, not
    a count of rows, so that the walk and the index between them cover every key past the
    start whatever changes meanwhile (PostgreSQL reads each statement afresh)."""
    low, high = key_range(conn, key, owned)
    if low is None:
        return start, None
    if ascending:
        first = low - 1 if start is None else start
        return first, first + walked if first + walked < high else None
    first = high + 1 if start is None else start
    return first, first - walked if first - walked > low else None


def up_to(
    key: ColumnElement[Any], last: int | None, *, ascending: bool
) -> list[ColumnElement[bool]]:
    """The keys up to the walk's `last` (`walk_bounds`), in the page's direction."""
    if last is None:
        return []
    return [key <= last if ascending else key >= last]


def fts_match(fts: str, term: str, column: str = "") -> TextClause:
    """SQLite FTS5's MATCH of `term` as one quoted string (in `column` only, when given)."""
    phrase = '"' + term.replace('"', '""') + '"'
    return text(f"{fts} MATCH :phrase").bindparams(
        phrase=f"{column} : {phrase}" if column else phrase
    )
