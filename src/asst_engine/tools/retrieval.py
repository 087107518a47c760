"""File search over vector stores: the one interface every search goes through.

``search`` ranks the indexed chunks of the files of vector stores for a query (``tools/index``:
BM25 over SQLite FTS5, fused with vector similarity when an embeddings model is configured);
``passages`` is a file's parsed content (``tools/extract``), as paragraphs. Which files may be
found is decided here, from the store: completed store files of live files whose ``attributes``
pass the filters; the index only ranks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from asst_engine.json_types import JSON
from asst_engine.store.base import Store
from asst_engine.tools.extract import ExtractError, extract
from asst_engine.tools.filters import matches
from asst_engine.tools.index import Index, Pair


@dataclass(frozen=True)
class Hit:
    """A chunk a search found, with its file and score (0..1, higher is better)."""

    file_id: str
    filename: str
    score: float
    text: str
    attributes: JSON | None


def passages(store: Store, file_id: str) -> list[str]:
    """The file's parsed content: its paragraphs (lines up to a blank line, kept verbatim);
    nothing for a file that has no text."""
    file = store.files.get(file_id)
    try:
        text = extract(str((file or {}).get("filename", "")), store.blobs.get(file_id) or b"")
    except ExtractError:
        return []
    found: list[str] = []
    current: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.strip():
            current.append(line)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found


def search(
    store: Store,
    index: Index,
    vector_store_ids: Sequence[str],
    query: str | Sequence[str],
    max_results: int,
    filters: JSON | None = None,
    threshold: float = 0.0,
) -> list[Hit]:
    """The best ``max_results`` chunks scoring at least ``threshold`` (and above zero), of
    completed store files whose ``attributes`` match ``filters``."""
    text = query if isinstance(query, str) else " ".join(query)
    files = dict(eligible(store, vector_store_ids, filters))
    if not files:
        return []
    found = index.search(vector_store_ids, text, max_results, files.keys())
    hits = []
    for item in found:
        store_file, filename = files[(item.store_id, item.file_id)]
        if item.score > 0 and item.score >= threshold:
            attributes = store_file.get("attributes")
            hits.append(Hit(item.file_id, filename, item.score, item.text, attributes))
    return hits


def eligible(
    store: Store, vector_store_ids: Sequence[str], filters: JSON | None
) -> Iterator[tuple[Pair, tuple[JSON, str]]]:
    """Completed store files (with their file names) whose attributes pass ``filters``."""
    for store_id in vector_store_ids:
        for store_file in store.vector_store_files.list(store_id):
            file = store.files.get(str(store_file["id"]))
            if file is None or store_file["status"] != "completed":
                continue
            if filters is None or matches(filters, store_file.get("attributes") or {}):
                yield (store_id, str(store_file["id"])), (store_file, str(file["filename"]))
