"""The persistent ``Store``: objects in SQLite (``DIR/asst.db``), files' bytes on disk.

``SqliteStore.open(data_dir)`` is the one call the engine's assembly makes. Opening migrates
the schema (``schema``) and tidies what a killed process may have left: half-written blobs and
blobs whose file row never committed. The pieces: ``sqlite_session`` (connections, units of
work, the identity map, durability), ``sqlite_objects`` (a kind, cascades), ``sqlite_paging``
(cursor pages in SQL), ``disk`` (blobs).

Blobs and transactions: a blob written inside a unit of work is on disk at once (uploads
stream); if the unit of work rolls back, it is removed unless a committed file row names it.
A blob deleted inside a unit of work (with its file) is removed only once the deletion commits.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import BinaryIO

from asst_engine.store.base import StoreError
from asst_engine.store.datadir import ensure_private_dir
from asst_engine.store.disk import DiskBlobs
from asst_engine.store.schema import migrate
from asst_engine.store.sqlite_objects import SqliteCollection
from asst_engine.store.sqlite_session import Session, Sessions

DATABASE = "asst.db"
BLOBS = "blobs"


class SqliteBlobs:
    """The disk's blobs, as the current unit of work sees them."""

    def __init__(self, disk: DiskBlobs, sessions: Sessions) -> None:
        self.disk = disk
        self.sessions = sessions

    def put(self, key: str, data: bytes) -> None:
        with self.writer(key) as stream:
            stream.write(data)

    def get(self, key: str) -> bytes | None:
        return None if self._doomed(key) else self.disk.get(key)

    def delete(self, key: str) -> None:
        session = self.sessions.current()
        if session is None:
            self.disk.delete(key)
        else:
            session.doomed.add(key)

    @contextmanager
    def writer(self, key: str) -> Iterator[BinaryIO]:
        with self.disk.writer(key) as stream:
            yield stream
        session = self.sessions.current()
        if session is not None:
            session.doomed.discard(key)
            session.written.add(key)

    def reader(self, key: str) -> BinaryIO | None:
        return None if self._doomed(key) else self.disk.reader(key)

    def size(self, key: str) -> int | None:
        return None if self._doomed(key) else self.disk.size(key)

    def _doomed(self, key: str) -> bool:
        session = self.sessions.current()
        return session is not None and key in session.doomed


class SqliteStore:
    def __init__(self, database: Path, blobs: Path) -> None:
        self.database = database
        self.disk = DiskBlobs(blobs)
        self.sessions = Sessions(database, self._settle)
        try:
            with closing(self.sessions.connect()) as connection:
                migrate(connection, database)
                self._drop_orphans(connection)
        except sqlite3.DatabaseError as error:
            message = f"cannot open {database}: {error}; use another --data-dir"
            raise StoreError(message) from None
        # Private: the database holds every object of every owner.
        database.chmod(0o600)
        self.blobs = SqliteBlobs(self.disk, self.sessions)
        kind = self._kind
        self.assistants, self.threads, self.messages = kind("assistants", "threads", "messages")
        self.runs, self.steps, self.files = kind("runs", "steps", "files")
        self.vector_stores, self.vector_store_files = kind("vector_stores", "vector_store_files")
        self.file_batches, self.batch_members = kind("file_batches", "batch_members")

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str]) -> SqliteStore:
        """The store kept in ``data_dir`` (created 0700 if missing); see ``datadir`` for which."""
        root = Path(data_dir)
        ensure_private_dir(root)
        return cls(root / DATABASE, root / BLOBS)

    def _kind(self, *kinds: str) -> tuple[SqliteCollection, ...]:
        return tuple(SqliteCollection(self.sessions, kind) for kind in kinds)

    @contextmanager
    def unit_of_work(self, owner: str | None = None) -> Iterator[None]:
        """One transaction (see ``sqlite_session``), scoped to ``owner`` when given."""
        with self.sessions.work(owner):
            yield

    def owner_of(self, kind: str, object_id: str) -> str | None:
        with self.sessions.joined() as session:
            row = session.connection.execute(
                "SELECT owner FROM objects WHERE kind = ? AND parent = '' AND id = ?",
                (kind, object_id),
            ).fetchone()
        # Unowned objects are stored with the owner '' (see sqlite_objects).
        return str(row[0]) if row is not None and row[0] else None

    def clear(self) -> None:
        with self.sessions.joined() as session:
            session.connection.execute("DELETE FROM objects")
            session.loaded.clear()
            session.written.clear()
            session.doomed.clear()
        self.disk.clear()

    def close(self) -> None:
        self.sessions.close()

    def _settle(self, session: Session, committed: bool) -> None:
        if committed:
            for key in session.doomed:
                self.disk.delete(key)
            return
        for key in session.written - self._file_ids(session.connection, session.written):
            self.disk.delete(key)

    def _drop_orphans(self, connection: sqlite3.Connection) -> None:
        """Remove unfinished writes and blobs without a file (a crash between the two)."""
        self.disk.drop_staged()
        keys = set(self.disk.keys())
        for key in keys - self._file_ids(connection, keys):
            self.disk.delete(key)

    @staticmethod
    def _file_ids(connection: sqlite3.Connection, keys: set[str]) -> set[str]:
        rows = connection.execute(
            "SELECT id FROM objects WHERE kind = 'files' AND parent = ''"
        ).fetchall()
        return {file_id for (file_id,) in rows if file_id in keys}
