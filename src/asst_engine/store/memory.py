"""The in-memory ``Store``: dicts in insertion order, the very objects handed out and kept.

Being live, objects need no saving: the unit of work only marks where one would happen. The
engine's lock (held around every request) is what keeps concurrent requests consistent.
"""

from __future__ import annotations

from collections.abc import Collection as Container
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

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


class MemoryCollection:
    """One kind: a dict per parent (None for top-level kinds), each in storage order."""

    def __init__(
        self, children: tuple[MemoryCollection, ...] = (), blobs: MemoryBlobs | None = None
    ) -> None:
        self.items: dict[str | None, dict[str, JSON]] = {}
        # What a deleted object takes with it: its children's objects, its bytes.
        self.children = children
        self.blobs = blobs

    def __eq__(self, other: object) -> bool:
        """Equal to the mapping of id to object of its top-level objects."""
        if isinstance(other, Mapping):
            return self.items.get(None, {}) == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def get(self, object_id: str, parent: str | None = None) -> JSON | None:
        return self.items.get(parent, {}).get(object_id)

    def put(self, obj: JSON, parent: str | None = None) -> JSON:
        self.items.setdefault(parent, {})[str(obj["id"])] = obj
        return obj

    def delete(self, object_id: str, parent: str | None = None) -> None:
        siblings = self.items.get(parent, {})
        if siblings.pop(object_id, None) is None:
            return
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
        return list(self.items.get(parent, {}).values())

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
        self.blobs = MemoryBlobs()
        self.assistants = MemoryCollection()
        self.messages = MemoryCollection()
        self.steps = MemoryCollection()
        self.runs = MemoryCollection(children=(self.steps,))
        self.threads = MemoryCollection(children=(self.messages, self.runs))
        self.files = MemoryCollection(blobs=self.blobs)
        self.vector_store_files = MemoryCollection()
        self.file_batches = MemoryCollection()
        self.batch_members = MemoryCollection()
        self.vector_stores = MemoryCollection(
            children=(self.vector_store_files, self.file_batches, self.batch_members)
        )

    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        """Nothing to begin or save: the objects handed out are the stored ones."""
        yield

    def clear(self) -> None:
        kinds = (
            self.assistants, self.threads, self.messages, self.runs, self.steps, self.files,
            self.vector_stores, self.vector_store_files, self.file_batches, self.batch_members,
        )  # fmt: skip
        for kind in kinds:
            kind.items.clear()
        self.blobs.data.clear()
