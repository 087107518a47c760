"""Ingestion: a file that joins a vector store is extracted, chunked and indexed, then published.

A job has three steps. It reads the file's name, bytes and chunking; it extracts, chunks and
indexes with no lock held (the slow part: parsing, embedding); it publishes the outcome on the
store file (``completed``, or ``failed`` with ``last_error``) and refreshes the store's counts.
A file detached or cancelled meanwhile is not published, and its chunks are dropped.

Jobs run through an injected executor: none (inline, inside the request that attached the file,
so the deterministic engine and its cassettes see the same states every time), or a thread pool
(``asst serve``: the request returns with the file ``in_progress``; the job takes the engine's
lock and a unit of work of its own to read and to publish).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

from asst_engine.json_types import JSON
from asst_engine.tools.chunking import Chunking, chunks
from asst_engine.tools.extract import ExtractError, extract

if TYPE_CHECKING:
    from asst_engine.engine import Engine

Session = Callable[[], AbstractContextManager[object]]


@dataclass(frozen=True)
class Outcome:
    status: str
    last_error: JSON | None = None


class Indexer:
    """Runs ingestion jobs inline (``executor`` None) or in the background."""

    def __init__(self, executor: Executor | None = None) -> None:
        self.executor = executor

    @classmethod
    def pool(cls, workers: int = 2) -> Indexer:
        """The background indexer of ``asst serve``: parsing is CPU-bound, so a few threads."""
        return cls(ThreadPoolExecutor(workers, thread_name_prefix="asst-index"))

    @property
    def background(self) -> bool:
        return self.executor is not None

    def submit(self, engine: Engine, store_id: str, file_id: str) -> None:
        if self.executor is None:
            ingest(engine, store_id, file_id, nullcontext)
        else:
            self.executor.submit(ingest, engine, store_id, file_id, _locked(engine))

    def shutdown(self) -> None:
        """Wait for the jobs submitted so far (the server's graceful stop)."""
        if self.executor is not None:
            self.executor.shutdown(wait=True)


def _locked(engine: Engine) -> Session:
    @contextmanager
    def session() -> Iterator[object]:
        with engine.lock, engine.store.unit_of_work():
            yield None

    return session


def ingest(engine: Engine, store_id: str, file_id: str, session: Session) -> None:
    """Index one store file and publish the outcome (see the module's notes)."""
    with session():
        store_file = engine.store.vector_store_files.get(file_id, store_id)
        file = engine.store.files.get(file_id)
        if store_file is None or file is None or store_file["status"] != "in_progress":
            return
        filename, chunking = str(file["filename"]), Chunking.of(store_file["chunking_strategy"])
        data = engine.store.blobs.get(file_id) or b""
    outcome = _index(engine, store_id, file_id, filename, data, chunking)
    with session():
        publish(engine, store_id, file_id, outcome)


def _index(
    engine: Engine, store_id: str, file_id: str, filename: str, data: bytes, chunking: Chunking
) -> Outcome:
    try:
        engine.index.add(store_id, file_id, chunks(extract(filename, data), chunking))
    except ExtractError as error:
        return Outcome("failed", {"code": error.code, "message": error.message})
    except Exception as error:  # an embeddings server down or refusing: the file can be retried
        message = f"The file could not be indexed: {error}"
        return Outcome("failed", {"code": "server_error", "message": message})
    return Outcome("completed")


def publish(engine: Engine, store_id: str, file_id: str, outcome: Outcome) -> None:
    from asst_engine.resources import store_files

    store_file = engine.store.vector_store_files.get(file_id, store_id)
    store = engine.store.vector_stores.get(store_id)
    if store_file is None or store is None or store_file["status"] != "in_progress":
        engine.index.remove(store_id, file_id)
        return
    store_file["status"] = outcome.status
    store_file["last_error"] = outcome.last_error
    if outcome.status != "completed":
        store_file["usage_bytes"] = 0
        engine.index.remove(store_id, file_id)
    store_files.refresh(engine, store)


def resume(engine: Engine) -> int:
    """Hand the indexer again every store file left ``in_progress`` (a server stopped while
    indexing: its jobs died with it); how many. Call once, when a server starts on its data."""
    with engine.lock, engine.store.unit_of_work():
        waiting = [
            (str(store["id"]), str(store_file["id"]))
            for store in engine.store.vector_stores.list()
            for store_file in engine.store.vector_store_files.list(str(store["id"]))
            if store_file["status"] == "in_progress"
        ]
    for store_id, file_id in waiting:
        if engine.indexer.background:
            engine.indexer.submit(engine, store_id, file_id)
        else:
            with engine.lock, engine.store.unit_of_work():
                engine.indexer.submit(engine, store_id, file_id)
    return len(waiting)
