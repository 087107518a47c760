"""A run's file search: what it may find, gathered when the turn starts, and the search itself.

The run's stores are ``sources.vector_store_ids`` (the assistant's or the run's, then the
thread's); the files attached to the thread's messages for file_search are indexed into a store
of the thread's own (``thread_attachments:<thread id>``, never listed), as the service keeps a
store per thread for them. Which files may be found (and the attachments' bytes) is read from
the store once, when the turn is built, under the engine's lock; the search itself, and the
attachments' indexing (which may call an embeddings model), touch only the index, so a responder
calls it from a worker thread holding no lock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.tools import retrieval, sources
from asst_engine.tools.chunking import Chunking, chunks
from asst_engine.tools.extract import ExtractError, extract
from asst_engine.tools.file_search import NAME, Findings, Result, settings
from asst_engine.tools.index import Pair

ATTACHMENTS = "thread_attachments:"
Search = Callable[[Sequence[str], int], Findings]


def searcher(engine: Engine, run: JSON) -> Search:
    """The run's search: ``search(queries, message)`` -> ``Findings`` numbered ``message``."""
    limit, threshold = settings(run)
    stores = sources.vector_store_ids(engine, run)
    names: dict[Pair, str] = {
        pair: filename for pair, (_, filename) in retrieval.eligible(engine.store, stores, None)
    }
    own = ATTACHMENTS + str(run["thread_id"])
    attached = _attachments(engine, run["thread_id"])
    store_ids = [*stores, own]
    index = engine.index

    def search(queries: Sequence[str], message: int) -> Findings:
        while attached:  # indexed on the first search, outside the engine's lock
            file_id, filename, data = attached.pop()
            try:
                text = extract(filename, data)
            except ExtractError:
                continue  # a file without text: left out, as a store would fail it
            index.add(own, file_id, chunks(text, Chunking()))
            names[(own, file_id)] = filename
        best: dict[tuple[str, str], Result] = {}
        for query in queries:
            for found in index.search(store_ids, query, limit, names.keys()):
                if found.score <= 0 or found.score < threshold:
                    continue
                name = names[(found.store_id, found.file_id)]
                result = Result(found.file_id, name, found.score, found.text)
                key = (found.file_id, found.text)
                if key not in best or best[key].score < result.score:
                    best[key] = result
        ranked = sorted(best.values(), key=lambda r: -r.score)[:limit]
        return Findings(message, tuple(queries), tuple(ranked), threshold)

    return search


def _attachments(engine: Engine, thread_id: str) -> list[tuple[str, str, bytes]]:
    """(file id, name, bytes) of the thread's file_search attachments, indexed again each turn
    (they are few and small)."""
    names: set[str] = set()
    found: list[tuple[str, str, bytes]] = []
    for message in engine.store.messages.list(thread_id):
        for attachment in message.get("attachments") or []:
            tools = {tool.get("type") for tool in attachment.get("tools") or []}
            file = engine.store.files.get(attachment["file_id"])
            if NAME not in tools or file is None or file["id"] in names:
                continue
            names.add(file["id"])
            data = engine.store.blobs.get(file["id"]) or b""
            found.append((str(file["id"]), str(file["filename"]), data))
    return found
