"""The in-memory ``Store``: dicts in insertion order, the very objects handed out and kept.

Being live, objects need no saving: the unit of work only sets whose objects are seen (its
owner). The engine's lock (held around every request) is what keeps concurrent requests
consistent, and so also what lets one scope serve every collection at a time.
"""

from __future__ import annotations

import io
from collections.abc import Collection as Container
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
        self.data[key] = buffer.getvalue()

    def reader(self, key: str) -> BinaryIO | None:
        found = self.data.get(key)
        return None if found is None else io.BytesIO(found)

    def size(self, key: str) -> int | None:
        found = self.data.get(key)
        return None if found is None else len(found)


class Scope:
    """The owner of the current unit of work (None: unscoped)."""

    owner: str | None = None


class MemoryCollection:
    """One kind: a dict per parent (None for top-level kinds), each in storage order."""

    def __init__(
        self,
        children: tuple[MemoryCollection, ...] = (),
        blobs: MemoryBlobs | None = None,
        scope: Scope | None = None,
    ) -> None:
        self.items: dict[str | None, dict[str, JSON]] = {}
        # Who stored each object (by parent and id), when stored in an owner's unit of work.
        self.owners: dict[tuple[str | None, str], str] = {}
        self.scope = scope or Scope()
        # What a deleted object takes with it: its children's objects, its bytes.
        self.children = children
        self.blobs = blobs

    def __eq__(self, other: object) -> bool:
        """Equal to the mapping of id to object of its top-level objects."""
        if isinstance(other, Mapping):
            return self.items.get(None, {}) == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def visible(self, object_id: str, parent: str | None) -> bool:
        owner = self.scope.owner
        return owner is None or self.owners.get((parent, object_id)) == owner

    def get(self, object_id: str, parent: str | None = None) -> JSON | None:
        found = self.items.get(parent, {}).get(object_id)
        return found if found is not None and self.visible(object_id, parent) else None

    def put(self, obj: JSON, parent: str | None = None) -> JSON:
        object_id = str(obj["id"])
        siblings = self.items.setdefault(parent, {})
        if object_id not in siblings and self.scope.owner is not None:
            self.owners[(parent, object_id)] = self.scope.owner
        siblings[object_id] = obj
        return obj

    def delete(self, object_id: str, parent: str | None = None) -> None:
        siblings = self.items.get(parent, {})
        if not self.visible(object_id, parent) or siblings.pop(object_id, None) is None:
            return
        self.owners.pop((parent, object_id), None)
        if not siblings:
            del self.items[parent]
        for child in self.children:
            child.delete_children(object_id)
        if self.blobs is not None:
            self.blobs.delete(object_id)

    def delete_children(self, parent: str) -> None:
        for object_id in list(self.items.get(parent, {})):
            self.delete(object_id, parent)

    def list(self, parent: str | None = None) -> list[JSON]:
        siblings = self.items.get(parent, {})
        return [obj for key, obj in siblings.items() if self.visible(key, parent)]

    def page(
        self,
        request: PageRequest,
        parent: str | None = None,
        where: Mapping[str, object] | None = None,
        ids: Container[str] | None = None,
    ) -> Page:
        chosen = [
            obj
            for obj in self.list(parent)
            if all(obj.get(name) == value for name, value in (where or {}).items())
            and (ids is None or obj["id"] in ids)
        ]
        return select(chosen, request)


class MemoryStore:
    """Every kind in memory, wired for the cascades ``Store`` promises."""

    def __init__(self) -> None:
        self.scope = scope = Scope()
        self.blobs = MemoryBlobs()
        self.assistants = MemoryCollection(scope=scope)
        self.messages = MemoryCollection(scope=scope)
        self.steps = MemoryCollection(scope=scope)
        self.runs = MemoryCollection(children=(self.steps,), scope=scope)
        self.threads = MemoryCollection(children=(self.messages, self.runs), scope=scope)
        self.files = MemoryCollection(blobs=self.blobs, scope=scope)
        self.vector_store_files = MemoryCollection(scope=scope)
        self.file_batches = MemoryCollection(scope=scope)
        self.batch_members = MemoryCollection(scope=scope)
        self.vector_stores = MemoryCollection(
            children=(self.vector_store_files, self.file_batches, self.batch_members),
            scope=scope,
        )

    @contextmanager
    def unit_of_work(self, owner: str | None = None) -> Iterator[None]:
        """Nothing to begin or save (the objects handed out are the stored ones): only whose
        objects are seen. Callers hold the engine's lock, so one scope at a time is enough."""
        outer, self.scope.owner = self.scope.owner, owner
        try:
            yield
        finally:
            self.scope.owner = outer

    def clear(self) -> None:
        kinds = (
            self.assistants, self.threads, self.messages, self.runs, self.steps, self.files,
            self.vector_stores, self.vector_store_files, self.file_batches, self.batch_members,
        )  # fmt: skip
        for kind in kinds:
            kind.items.clear()
            kind.owners.clear()
        self.blobs.data.clear()
