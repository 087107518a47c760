"""Both stores for tests: a factory for store-level tests, a mark for engine-level ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from asst_engine.store.base import Store
from asst_engine.store.memory import MemoryStore
from asst_engine.store.sqlite import SqliteStore

KINDS = ("memory", "sqlite")
# Runs an engine test against a server on each store (``server`` in conftest takes the kind).
BOTH_STORES = pytest.mark.parametrize("server", KINDS, indirect=True)

MakeStore = Callable[[], Store]


def opened(kind: str, directory: Path) -> Store:
    return SqliteStore.open(directory) if kind == "sqlite" else MemoryStore()


def closing_factory(kind: str, tmp_path: Path) -> Iterator[MakeStore]:
    """New empty stores of ``kind``, each in its own directory, closed afterwards."""
    made: list[Store] = []

    def make() -> Store:
        made.append(opened(kind, tmp_path / f"store-{len(made)}"))
        return made[-1]

    yield make
    for store in made:
        if isinstance(store, SqliteStore):
            store.close()
