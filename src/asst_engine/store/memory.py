"""The in-memory ``Store``: dicts in insertion order, the very objects handed out and kept.

Being live, objects need no saving: the unit of work only takes the store's lock (so requests
and background work never interleave inside one) and sets the owner scope its reads and writes
go by.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import BinaryIO

from asst_engine.json_types import JSON
from asst_engine.store.base import Page, PageRequest
from asst_engine.store.pagination import select


class MemoryBlobs:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def put(self, key: str, data: bytes) -> None:
        self.data[key] = data

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def delete(self, key: str) -> None:
        self.data.pop(key, None)

    @contextmanager
    def writer(self, key: str) -> Iterator[BinaryIO]:
        buffer = io.BytesIO()
        yield buffer
        # Reached only when the block raised nothing: a failed write leaves ``key`` as it was.
        self.data[key] = buffer.getvalue()

    def reader(self, key: str) -> BinaryIO | None:
        data = self.data.get(key)
        return None if data is None else io.BytesIO(data)

    def size(self, key: str) -> int | None:
        data = self.data.get(key)
        return None if data is None else len(data)


class Scope:
    """The owner the current unit of work is scoped to (None: every object is visible)."""

    def __init__(self) -> None:
        self.owner: str | None = None

    def sees(self, owner: str | None) -> bool:
        return self.owner is None or owner == self.owner


class MemoryCollection:
    """One kind: a dict per parent (None for top-level kinds), each in storage order."""

    def __init__(
        self,
        scope: Scope,
        children: tuple[MemoryCollection, ...] = (),
        blobs: MemoryBlobs | None = None,
    ) -> None:
        self.items: dict[str | None, dict[str, JSON]] = {}
        # Who stored each object, by (parent, id); kept apart so objects stay protocol JSON.
        self.owners: dict[tuple[str | None, str], str | None] = {}
        self.scope = scope
        # What a deleted object takes with it: its children's objects, its bytes.
        self.children = children
        self.blobs = blobs
        # The kind whose objects are the parents of this kind's (their owner is inherited).
        self.parent_kind: MemoryCollection | None = None
        for child in children:
            child.parent_kind = self

    def __eq__(self, other: object) -> bool:
        """Equal to the mapping of id to object of its top-level objects."""
        if isinstance(other, Mapping):
            return self.items.get(None, {}) == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def visible(self, object_id: str, parent: str | None) -> bool:
        return self.scope.sees(self.owners.get((parent, object_id)))

    def get(self, object_id: str, parent: str | None = None) -> JSON | None:
        found = self.items.get(parent, {}).get(object_id)
        return found if found is not None and self.visible(object_id, parent) else None

    def put(self, obj: JSON, parent: str | None = None) -> JSON:
        key = (parent, str(obj["id"]))
        self.owners[key] = self._owner_for(key)
        self.items.setdefault(parent, {})[key[1]] = obj
        return obj

    def _owner_for(self, key: tuple[str | None, str]) -> str | None:
        """The scope's owner; unscoped, the owner the object has, else its parent's."""
        if self.scope.owner is not None:
            return self.scope.owner
        if key in self.owners:
            return self.owners[key]
        if self.parent_kind is None or key[0] is None:
            return None
        return self.parent_kind.owner_of(key[0])

    def owner_of(self, object_id: str) -> str | None:
        """The owner of the object with this id, under whichever parent."""
        if (None, object_id) in self.owners:  # a top-level kind: no scan
            return self.owners[(None, object_id)]
        return next((o for (_, i), o in self.owners.items() if i == object_id), None)

    def delete(self, object_id: str, parent: str | None = None) -> None:
        if self.get(object_id, parent) is not None:
            self.forget(object_id, parent)

    def forget(self, object_id: str, parent: str | None) -> None:
        """Remove the object and what belongs to it, whoever owns them (a cascade)."""
        siblings = self.items.get(parent, {})
        if siblings.pop(object_id, None) is None:
            return
        self.owners.pop((parent, object_id), None)
        if not siblings:
            del self.items[parent]
        for child in self.children:
            for child_id in list(child.items.get(object_id, {})):
                child.forget(child_id, object_id)
        if self.blobs is not None:
            self.blobs.delete(object_id)

    def list(self, parent: str | None = None) -> list[JSON]:
        return [
            obj
            for object_id, obj in self.items.get(parent, {}).items()
            if self.visible(object_id, parent)
        ]

    def page(self, request: PageRequest, parent: str | None = None) -> Page:
        ids = request.ids
        chosen = [
            obj
            for obj in self.list(parent)
            if all(obj.get(name) == value for name, value in request.where.items())
            and (ids is None or obj["id"] in ids)
        ]
        return select(chosen, request)

    def clear(self) -> None:
        self.items.clear()
        self.owners.clear()


class MemoryStore:
    """Every kind in memory, wired for the cascades ``Store`` promises."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        scope = self.scope = Scope()
        self.blobs = MemoryBlobs()
        self.assistants = MemoryCollection(scope)
        self.messages = MemoryCollection(scope)
        self.steps = MemoryCollection(scope)
        self.runs = MemoryCollection(scope, children=(self.steps,))
        self.threads = MemoryCollection(scope, children=(self.messages, self.runs))
        self.files = MemoryCollection(scope, blobs=self.blobs)
        self.vector_store_files = MemoryCollection(scope)
        self.file_batches = MemoryCollection(scope)
        self.batch_members = MemoryCollection(scope)
        self.vector_stores = MemoryCollection(
            scope, children=(self.vector_store_files, self.file_batches, self.batch_members)
        )

    @contextmanager
    def unit_of_work(self, owner: str | None = None) -> Iterator[None]:
        """Nothing to begin or save (the objects handed out are the stored ones): the lock keeps
        units of work apart and the scope is ``owner``'s until the block ends."""
        with self.lock:
            outer = self.scope.owner
            self.scope.owner = owner
            try:
                yield
            finally:
                self.scope.owner = outer

    def owner_of(self, kind: str, object_id: str) -> str | None:
        collection: MemoryCollection = getattr(self, kind)
        return collection.owners.get((None, object_id))

    def clear(self) -> None:
        kinds = (
            self.assistants, self.threads, self.messages, self.runs, self.steps, self.files,
            self.vector_stores, self.vector_store_files, self.file_batches, self.batch_members,
        )  # fmt: skip
        for kind in kinds:
            kind.clear()
        self.blobs.data.clear()
