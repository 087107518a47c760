"""What a file search over a run's thread would find first: the file ``please cite`` cites.

Looked for, in order: files attached to the thread's messages, then files of the assistant's
``file_search`` vector stores (or the run's own, see ``vector_store_ids``), then the thread's.
Only files still stored count, and in a vector store only those whose indexing has completed.

The scripted ``please cite`` keeps its first-file rule rather than ranking through
``retrieval.search``: its prompt is not a query, and its cassettes quote the first line.
"""

from __future__ import annotations

from collections.abc import Iterator

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.tools.search import Source, quote_of


def first(engine: Engine, run: JSON) -> Source | None:
    for file_id in _candidates(engine, run):
        file = engine.store.files.get(file_id)
        if file is not None:
            quote = quote_of(engine.store.blobs.get(file_id) or b"")
            return Source(file_id, str(file["filename"]), quote)
    return None


def vector_store_ids(engine: Engine, run: JSON) -> list[str]:
    """The stores a run's file search reads: the assistant's, or the run's own when it has
    ``tool_resources`` (Foundry's run-level override), then the thread's."""
    store = engine.store
    first = run if "tool_resources" in run else store.assistants.get(run["assistant_id"])
    found: list[str] = []
    for owner in (first, store.threads.get(run["thread_id"])):
        resources = (owner or {}).get("tool_resources") or {}
        found += (resources.get("file_search") or {}).get("vector_store_ids") or []
    return found


def _candidates(engine: Engine, run: JSON) -> Iterator[str]:
    store = engine.store
    for message in store.messages.list(run["thread_id"]):
        for attachment in message["attachments"]:
            yield attachment["file_id"]
    for store_id in vector_store_ids(engine, run):
        for store_file in store.vector_store_files.list(store_id):
            if store_file["status"] == "completed":
                yield str(store_file["id"])
