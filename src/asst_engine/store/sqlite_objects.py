"""One kind of object in the SQLite store: the ``Collection`` interface over the objects table.

Every read goes through the unit of work's identity map (``Session.adopt``), so in-place changes
are seen and saved; every read is filtered by the unit of work's owner, every write stamps it.
Deleting cascades here, as ``CHILDREN`` says; a file's bytes go when its unit of work commits.
"""

from __future__ import annotations

from asst_engine.json_types import JSON
from asst_engine.store.base import Page, PageRequest
from asst_engine.store.sqlite_paging import Filter, select_page
from asst_engine.store.sqlite_session import Loaded, Session, Sessions, dumps

# What an object of a kind takes with it when deleted: the kinds whose parent it is.
CHILDREN = {
    "threads": ("messages", "runs"),
    "runs": ("steps",),
    "vector_stores": ("vector_store_files", "file_batches", "batch_members"),
}
PARENT_KIND = {child: kind for kind, children in CHILDREN.items() for child in children}
# Kinds whose objects own a blob under their id.
WITH_BLOBS = ("files",)
INSERT = "INSERT INTO objects (kind, parent, id, owner, created_at, json) VALUES (?, ?, ?, "
SCOPED_PUT = (
    f"{INSERT} ?, ?, ?) ON CONFLICT (kind, parent, id) DO UPDATE SET"
    " owner = excluded.owner, created_at = excluded.created_at, json = excluded.json"
    " RETURNING seq"
)
UNSCOPED_PUT = (
    f"{INSERT} (SELECT owner FROM objects WHERE kind = ? AND id = ? LIMIT 1), ?, ?)"
    " ON CONFLICT (kind, parent, id) DO UPDATE SET"
    " created_at = excluded.created_at, json = excluded.json RETURNING seq"
)


class SqliteCollection:
    def __init__(self, sessions: Sessions, kind: str) -> None:
        self.sessions = sessions
        self.kind = kind

    def get(self, object_id: str, parent: str | None = None) -> JSON | None:
        with self.sessions.joined() as session:
            where = Filter(self.kind, parent or "", session.owner)
            row = session.connection.execute(
                f"SELECT seq, json FROM objects WHERE {where.sql} AND id = ?",
                (*where.params, object_id),
            ).fetchone()
            if row is None:
                return None
            return session.adopt(self.kind, parent or "", object_id, row[0], row[1])

    def put(self, obj: JSON, parent: str | None = None) -> JSON:
        object_id, text = str(obj["id"]), dumps(obj)
        with self.sessions.joined() as session:
            key = (self.kind, parent or "", object_id)
            owner: tuple[str, ...] = (PARENT_KIND.get(self.kind, ""), parent or "")
            sql = UNSCOPED_PUT  # a new child takes its parent's owner, a replacement keeps its own
            if session.owner is not None:
                sql, owner = SCOPED_PUT, (session.owner,)
            (seq,) = session.connection.execute(sql, (*key, *owner, _created(obj), text)).fetchone()
            # Replacing hands over the given object: it is the live one from now on.
            session.loaded[key] = Loaded(seq, obj, text)
        return obj

    def delete(self, object_id: str, parent: str | None = None) -> None:
        with self.sessions.joined() as session:
            where = Filter(self.kind, parent or "", session.owner)
            found = session.connection.execute(
                f"SELECT 1 FROM objects WHERE {where.sql} AND id = ?", (*where.params, object_id)
            ).fetchone()
            if found is not None:
                _delete_tree(session, self.kind, parent or "", object_id)

    def list(self, parent: str | None = None) -> list[JSON]:
        with self.sessions.joined() as session:
            where = Filter(self.kind, parent or "", session.owner)
            rows = session.connection.execute(
                f"SELECT seq, id, json FROM objects WHERE {where.sql} ORDER BY seq", where.params
            ).fetchall()
            return [session.adopt(self.kind, parent or "", i, seq, text) for seq, i, text in rows]

    def page(self, request: PageRequest, parent: str | None = None) -> Page:
        with self.sessions.joined() as session:
            if request.where:
                # The fields are matched in the stored JSON: save what changed in place first.
                session.flush()
            chosen = Filter(self.kind, parent or "", session.owner, request.where, request.ids)
            rows, has_more = select_page(session.connection, chosen, request)
            found = [session.adopt(self.kind, parent or "", i, seq, text) for seq, i, text in rows]
            return Page(found, has_more)


def _created(obj: JSON) -> int:
    # Not every kind has one (batch members); those are never paged.
    return int(obj.get("created_at", 0))


def _delete_tree(session: Session, kind: str, parent: str, object_id: str) -> None:
    """Delete one object and, whoever owns them, the objects and bytes that belong to it."""
    connection = session.connection
    for child in CHILDREN.get(kind, ()):
        if child in CHILDREN or child in WITH_BLOBS:
            rows = connection.execute(
                "SELECT id FROM objects WHERE kind = ? AND parent = ?", (child, object_id)
            ).fetchall()
            for (child_id,) in rows:
                _delete_tree(session, child, object_id, child_id)
        else:
            connection.execute(
                "DELETE FROM objects WHERE kind = ? AND parent = ?", (child, object_id)
            )
    connection.execute(
        "DELETE FROM objects WHERE kind = ? AND parent = ? AND id = ?", (kind, parent, object_id)
    )
    if kind in WITH_BLOBS:
        session.doomed.add(object_id)
    gone = {(kind, parent)} | {(child, object_id) for child in CHILDREN.get(kind, ())}
    for key in [key for key in session.loaded if key[:2] in gone]:
        if key[:2] != (kind, parent) or key[2] == object_id:
            del session.loaded[key]
