"""Cursor pagination in SQL: the same pages as ``pagination.select``, cut by the index.

Protocol order is ``created_at`` then ``seq`` (storage order breaks ties), ascending or
descending. A cursor is looked up among the same filtered objects, so a cursor from another
list is the same 400 as in memory; the page is then a range scan from it with one row more
than asked for, which says whether there are more.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection as Container
from collections.abc import Mapping
from dataclasses import dataclass, field

from asst_engine.store.base import PageRequest
from asst_engine.store.pagination import unknown_cursor

Row = tuple[int, str, str]  # seq, id, json


@dataclass
class Filter:
    """Which rows a call sees: a kind under a parent, the owner's, matching fields and ids."""

    kind: str
    parent: str
    owner: str | None
    fields: Mapping[str, object] = field(default_factory=dict)
    ids: Container[str] | None = None

    @property
    def sql(self) -> str:
        parts = ["kind = ? AND parent = ?"]
        if self.owner is not None:
            parts.append("owner = ?")
        # IS rather than =: a field asked to be None matches JSON null and a missing field.
        parts += ["json_extract(json, ?) IS ?"] * len(self.fields)
        if self.ids is not None:
            parts.append(f"id IN ({', '.join('?' * len(self.ids))})")
        return " AND ".join(parts)

    @property
    def params(self) -> tuple[object, ...]:
        params: list[object] = [self.kind, self.parent]
        if self.owner is not None:
            params.append(self.owner)
        for name, value in self.fields.items():
            params += [f'$."{name}"', value]
        params += list(self.ids or ())
        return tuple(params)


def select_page(
    connection: sqlite3.Connection, where: Filter, request: PageRequest
) -> tuple[list[Row], bool]:
    """The rows of the page ``request`` asks for, and whether more follow."""
    bounds: list[str] = []
    params = list(where.params)
    forward = request.order == "asc"
    for cursor, param, later in ((request.after, "after", True), (request.before, "before", False)):
        if cursor is not None:
            position = _position(connection, where, cursor, param)
            # "later" is later in the page's own order, which is reversed when descending.
            bounds.append(f"(created_at, seq) {'>' if later == forward else '<'} (?, ?)")
            params += position
    # A ``before`` page alone is the ``limit`` objects just before the cursor: scan backwards.
    backwards = request.before is not None and request.after is None
    ascending = forward != backwards
    direction = "ASC" if ascending else "DESC"
    rows: list[Row] = connection.execute(
        f"SELECT seq, id, json FROM objects WHERE {' AND '.join([where.sql, *bounds])}"
        f" ORDER BY created_at {direction}, seq {direction} LIMIT ?",
        (*params, request.limit + 1),
    ).fetchall()
    has_more = len(rows) > request.limit
    rows = rows[: request.limit]
    if backwards:
        rows.reverse()
    return rows, has_more


def _position(
    connection: sqlite3.Connection, where: Filter, cursor: str, param: str
) -> tuple[int, int]:
    found = connection.execute(
        f"SELECT created_at, seq FROM objects WHERE {where.sql} AND id = ?",
        (*where.params, cursor),
    ).fetchone()
    if found is None:
        raise unknown_cursor(param, cursor)
    return int(found[0]), int(found[1])
