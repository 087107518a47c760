"""The one storage interface of the engine: per-kind collections, blobs and a unit of work.

Objects are the JSON dicts the OpenAI dialect returns. Every kind is a ``Collection``; a child
kind (messages and runs of a thread, steps of a run, the files and batches of a vector store)
names its parent on every call. Keys are ``(parent, id)``: a vector-store file's id is the id of
the file it attaches, so the same id appears under several stores.

Two orders: ``list`` gives storage order (the order keys were first stored; replacing an object
keeps its place), ``page`` gives the protocol's order, ``created_at`` with storage order breaking
ties. A table per kind, or one ``objects(kind, id, parent_id, owner, created_at, seq, json)``
table with ``seq`` set on first insert, implements both without changing callers.

Changes: ``put`` stores a new object or replaces one. Objects obtained inside a unit of work
are live for its length: callers change them in place (a run moving on, a message filling in)
and the store saves every object it handed out when the unit of work ends (an identity map,
as an ORM session keeps). The in-memory store holds the very objects, so saving is immediate;
a SQLite store maps ``unit_of_work`` to BEGIN/COMMIT on a per-request connection and writes
back the objects whose JSON changed. Objects kept across units of work are stale: get them
again.

Deleting cascades inside the store: a thread takes its messages, runs and their steps; a file
its bytes; a vector store its files and batches.

Owners (each API key sees only its objects) are a scope given to ``unit_of_work(owner)``:
inside it every read sees only that owner's objects and every write stamps it, with no change to
callers. ``owner=None`` is no scoping (a server without keys, or background work): every object
is visible, and writes keep owners right without knowing them: replacing an object keeps its
owner, and a new child takes its parent's (a worker's reply lands in its thread owner's view).
The owner is kept beside an object, never inside its JSON.

Blobs stream: ``writer(key)`` takes the bytes into a temporary place and publishes them under
``key`` only when its block ends without error, so a reader never sees half a file and a failed
upload leaves nothing behind; ``reader(key)`` hands back a binary stream, never the whole file.
"""

from __future__ import annotations

from collections.abc import Collection as Container
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import BinaryIO, Literal, Protocol

from asst_engine.json_types import JSON

Order = Literal["asc", "desc"]


class StoreError(Exception):
    """The store cannot be opened or used (a database from a newer asst, an unwritable data
    dir); the message is one line saying what is wrong and what fixes it."""


@dataclass(frozen=True)
class PageRequest:
    """One page asked for: the protocol's cursor pagination, already validated (see
    ``pagination.parse``), and which objects qualify: those whose fields equal ``where`` and,
    when ``ids`` is given, whose id is in it."""

    limit: int
    order: Order = "desc"
    after: str | None = None
    before: str | None = None
    where: Mapping[str, object] = field(default_factory=dict)
    ids: Container[str] | None = None

    def matching(
        self, where: Mapping[str, object] | None = None, ids: Container[str] | None = None
    ) -> PageRequest:
        """The same page, of the objects ``where`` and ``ids`` select."""
        return replace(self, where=where or {}, ids=ids)


@dataclass(frozen=True)
class Page:
    data: list[JSON]
    has_more: bool


class Collection(Protocol):
    """One kind of object. ``parent`` is the owning object's id for child kinds, else None."""

    def get(self, object_id: str, parent: str | None = None) -> JSON | None:
        """The stored object, or None."""
        ...

    def put(self, obj: JSON, parent: str | None = None) -> JSON:
        """Store ``obj`` under its ``id`` (insert, or replace keeping its place); returns it."""
        ...

    def delete(self, object_id: str, parent: str | None = None) -> None:
        """Forget the object and, by cascade, what belongs to it; absent objects are ignored."""
        ...

    def list(self, parent: str | None = None) -> list[JSON]:
        """Every object (of ``parent``), in storage order."""
        ...

    def page(self, request: PageRequest, parent: str | None = None) -> Page:
        """One page in protocol order, of the objects ``request`` selects. An unknown
        ``after``/``before`` cursor is a 400."""
        ...


class Blobs(Protocol):
    """Bytes by key: the content of files (in memory, or on disk for a persistent store)."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...

    def writer(self, key: str) -> AbstractContextManager[BinaryIO]:
        """A stream to write ``key``'s bytes to; they replace what ``key`` held only when the
        block exits without error (an exception discards them)."""
        ...

    def reader(self, key: str) -> BinaryIO | None:
        """A stream of ``key``'s bytes (the caller closes it), or None when absent."""
        ...

    def size(self, key: str) -> int | None:
        """How many bytes ``key`` holds, or None when absent."""
        ...


class Store(Protocol):
    """Every kind the protocol has, the files' bytes, and the unit of work around a request."""

    @property
    def assistants(self) -> Collection: ...

    @property
    def threads(self) -> Collection: ...

    @property
    def messages(self) -> Collection:
        """Children of threads."""
        ...

    @property
    def runs(self) -> Collection:
        """Children of threads."""
        ...

    @property
    def steps(self) -> Collection:
        """Children of runs."""
        ...

    @property
    def files(self) -> Collection:
        """File objects; deleting one deletes its bytes in ``blobs`` (keyed by file id)."""
        ...

    @property
    def blobs(self) -> Blobs: ...

    @property
    def vector_stores(self) -> Collection: ...

    @property
    def vector_store_files(self) -> Collection:
        """Children of vector stores, keyed by the attached file's id."""
        ...

    @property
    def file_batches(self) -> Collection:
        """Children of vector stores."""
        ...

    @property
    def batch_members(self) -> Collection:
        """Children of vector stores: ``{"id": <batch id>, "file_ids": [...]}``, never sent."""
        ...

    def unit_of_work(self, owner: str | None = None) -> AbstractContextManager[None]:
        """Everything one request (or one worker step) reads and changes, saved together;
        scoped to ``owner``'s objects when given (see the module's notes on owners)."""
        ...

    def owner_of(self, kind: str, object_id: str) -> str | None:
        """The owner of the top-level object ``kind``/``object_id`` (None: it has none, or it
        is absent), read whatever the scope; background work uses it to make a top-level object
        for someone (a file a run made is its thread owner's)."""
        ...

    def clear(self) -> None:
        """Forget every object (the engine's reset)."""
        ...
