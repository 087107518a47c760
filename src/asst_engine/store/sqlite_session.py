"""Units of work on SQLite: a connection per unit of work, a transaction, an identity map.

Connections come from a pool, one per unit of work in progress, so each is used by one thread
at a time and their number follows the concurrency rather than the number of threads a server
ever started (the stdlib server starts one per connection). A unit of work is
``BEGIN IMMEDIATE`` .. ``COMMIT``: it takes the write lock when it starts, so it never has to
upgrade a read snapshot midway (which SQLite refuses with SQLITE_BUSY instead of waiting);
other units of work wait up to the busy timeout. Keep them short: never across a model call.

The identity map: every object a unit of work hands out is remembered with the JSON it was
loaded as (``Loaded``); loading the same row again gives the same dict, and at commit every
object whose JSON changed in place is written back. Objects outside a unit of work (a direct
call) get a unit of work of their own and are snapshots once it ends.

Durability: WAL with ``synchronous=NORMAL``. A commit is in the WAL (the OS's page cache)
before ``COMMIT`` returns, so a killed process (kill -9, a crash) loses nothing committed and
never corrupts the database; only an OS crash or power loss may roll back the last commits.
FULL would fsync the WAL on every commit to cover that too, at a disk flush per request.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from asst_engine.json_types import JSON
from asst_engine.store.base import StoreError

BUSY_TIMEOUT_SECONDS = 10.0
Key = tuple[str, str, str]  # kind, parent ('' for none), id


def dumps(obj: JSON) -> str:
    """The stored text of an object: compact UTF-8 JSON in the object's own key order."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Loaded:
    seq: int
    obj: JSON
    text: str


@dataclass
class Session:
    connection: sqlite3.Connection
    owner: str | None
    loaded: dict[Key, Loaded] = field(default_factory=dict)
    # Blobs deleted in this unit of work: removed from disk once it commits.
    doomed: set[str] = field(default_factory=set)
    # Blobs written in this unit of work: removed if it rolls back and no file row names them.
    written: set[str] = field(default_factory=set)

    def adopt(self, kind: str, parent: str, object_id: str, seq: int, text: str) -> JSON:
        """The live object for a row: the one already handed out, else the row's JSON."""
        key = (kind, parent, object_id)
        known = self.loaded.get(key)
        if known is not None and known.seq == seq:
            return known.obj
        obj: JSON = json.loads(text)
        self.loaded[key] = Loaded(seq, obj, text)
        return obj

    def flush(self) -> None:
        """Write back every object changed in place since it was loaded or last flushed."""
        for loaded in self.loaded.values():
            text = dumps(loaded.obj)
            if text != loaded.text:
                self.connection.execute(
                    "UPDATE objects SET json = ?, created_at = ? WHERE seq = ?",
                    (text, int(loaded.obj.get("created_at", 0)), loaded.seq),
                )
                loaded.text = text


class Sessions:
    """The pool of connections to one database and the unit of work of each thread."""

    def __init__(self, path: Path, settle: Callable[[Session, bool], None]) -> None:
        self.path = path
        # Called once a unit of work has committed (True) or rolled back (False).
        self.settle = settle
        self.idle: list[sqlite3.Connection] = []
        self.lock = threading.Lock()
        self.local = threading.local()
        self.closed = False

    def connect(self) -> sqlite3.Connection:
        # Autocommit (isolation_level None): transactions are begun explicitly, IMMEDIATE.
        connection = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            connection.close()
            raise
        return connection

    def checkout(self) -> sqlite3.Connection:
        with self.lock:
            if self.closed:
                raise StoreError(f"the store at {self.path} is closed")
            if self.idle:
                return self.idle.pop()
        return self.connect()

    def checkin(self, connection: sqlite3.Connection) -> None:
        with self.lock:
            if self.closed:
                connection.close()
            else:
                self.idle.append(connection)

    def current(self) -> Session | None:
        session: Session | None = getattr(self.local, "session", None)
        return session

    @contextmanager
    def work(self, owner: str | None) -> Iterator[Session]:
        """The thread's unit of work; a nested one joins it, scoped to its own ``owner``."""
        session = self.current()
        if session is not None:
            outer, session.owner = session.owner, owner
            try:
                yield session
            finally:
                session.owner = outer
            return
        connection = self.checkout()
        try:
            connection.execute("BEGIN IMMEDIATE")
            session = self.local.session = Session(connection, owner)
            try:
                yield session
                session.flush()
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                self.local.session = None
                self.settle(session, False)
                raise
            self.local.session = None
            self.settle(session, True)
        finally:
            self.checkin(connection)

    @contextmanager
    def joined(self) -> Iterator[Session]:
        """The thread's unit of work, or one just for this call (unscoped)."""
        session = self.current()
        if session is not None:
            yield session
            return
        with self.work(None) as session:
            yield session

    def close(self) -> None:
        """Close the idle connections now, those in use when their unit of work ends."""
        with self.lock:
            self.closed = True
            for connection in self.idle:
                connection.close()
            self.idle.clear()
