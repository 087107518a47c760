"""File search over vector stores: the one interface every search goes through.

``search`` ranks passages of the files of vector stores for a query; ``passages`` is a file's
parsed content. Both read the stored objects and bytes only, so the ranking can change (issue 12:
extraction, chunking, BM25 over FTS5, hybrid) without touching the endpoints that call them.

For now: the bytes decoded as UTF-8 text; a passage is a paragraph (lines up to a blank line,
kept verbatim); a passage scores the share of the query's distinct terms it contains, 0..1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from asst_engine.json_types import JSON
from asst_engine.store.base import Store
from asst_engine.tools.filters import matches

_TERM = re.compile(r"\w+")


@dataclass(frozen=True)
class Hit:
    """A passage a search found, with its file and score (0..1, higher is better)."""

    file_id: str
    filename: str
    score: float
    text: str
    attributes: JSON | None


def passages(store: Store, file_id: str) -> list[str]:
    """The file's parsed content: its paragraphs, each with its own line endings."""
    text = (store.blobs.get(file_id) or b"").decode("utf-8", errors="replace")
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


def terms(text: str) -> set[str]:
    return {term.lower() for term in _TERM.findall(text)}


def search(
    store: Store,
    vector_store_ids: Sequence[str],
    query: str | Sequence[str],
    max_results: int,
    filters: JSON | None = None,
    threshold: float = 0.0,
) -> list[Hit]:
    """The best ``max_results`` passages scoring above zero and at least ``threshold``.

    Only completed files whose ``attributes`` match ``filters`` count; ties keep the order of
    stores, files and passages.
    """
    wanted = terms(query if isinstance(query, str) else " ".join(query))
    if not wanted:
        return []
    hits = []
    for store_file, filename in _files(store, vector_store_ids, filters):
        for text in passages(store, str(store_file["id"])):
            score = len(wanted & terms(text)) / len(wanted)
            if score > 0 and score >= threshold:
                attributes = store_file.get("attributes")
                hits.append(Hit(str(store_file["id"]), filename, score, text, attributes))
    hits.sort(key=lambda hit: -hit.score)  # stable: ties keep their order
    return hits[:max_results]


def _files(
    store: Store, vector_store_ids: Sequence[str], filters: JSON | None
) -> Iterator[tuple[JSON, str]]:
    """Completed store files (with their file names) whose attributes pass ``filters``."""
    for store_id in vector_store_ids:
        for store_file in store.vector_store_files.list(store_id):
            file = store.files.get(str(store_file["id"]))
            if file is None or store_file["status"] != "completed":
                continue
            if filters is None or matches(filters, store_file.get("attributes") or {}):
                yield store_file, str(file["filename"])
