"""The SQLite schema, versioned with ``PRAGMA user_version``, and the steps between versions.

``MIGRATIONS[n]`` takes a database from version n to n + 1; ``migrate`` applies the missing
steps in order, each in its own transaction together with the version bump, so a crash leaves
the database at a version it really has. A database newer than this code is refused: old code
must not write rows it does not understand.

One table holds every kind: objects are the protocol's JSON (key order kept, as it is rendered)
with the columns the store selects and orders by. ``seq`` (AUTOINCREMENT, never reused) is the
storage order; the index serves listing and cursor pagination, ``created_at`` then ``seq``.
Top-level kinds have ``parent`` '' (NULL would defeat the UNIQUE key).

History: 1, objects; 2, owners (each API key sees only its objects).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from asst_engine.store.base import StoreError


def _objects(connection: sqlite3.Connection) -> None:
    connection.execute(
        "CREATE TABLE objects ("
        " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " kind TEXT NOT NULL,"
        " parent TEXT NOT NULL,"
        " id TEXT NOT NULL,"
        " created_at INTEGER NOT NULL,"
        " json TEXT NOT NULL,"
        " UNIQUE (kind, parent, id))"
    )
    connection.execute("CREATE INDEX objects_order ON objects (kind, parent, created_at, seq)")


def _owners(connection: sqlite3.Connection) -> None:
    # NULL: stored without an owner scope (a server without keys).
    connection.execute("ALTER TABLE objects ADD COLUMN owner TEXT")
    # A new child stored without a scope takes its parent's owner, found by kind and id (a
    # run's steps name the run, not the thread it is under).
    connection.execute("CREATE INDEX objects_id ON objects (kind, id)")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_objects, _owners)
VERSION = len(MIGRATIONS)


def version_of(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Bring the database at ``path`` (open on ``connection``, autocommit) to ``VERSION``."""
    found = version_of(connection)
    _refuse_newer(found, path)
    for step in range(found, VERSION):
        connection.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while this one waited for the lock.
            if version_of(connection) == step:
                MIGRATIONS[step](connection)
                connection.execute(f"PRAGMA user_version = {step + 1}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise


def _refuse_newer(found: int, path: Path) -> None:
    if found > VERSION:
        raise StoreError(
            f"{path} has schema version {found}, newer than this asst knows ({VERSION});"
            " upgrade asst or use another --data-dir"
        )
