"""Where chunks are kept and found: BM25 over SQLite FTS5, plus vectors when there is an embedder.

One ``Index`` per engine, keyed by ``(vector store, file)``: ingestion replaces a file's chunks,
detaching or deleting removes them, search ranks the chunks of some stores. The index knows no
statuses nor attributes; the caller passes ``allowed``, the (store, file) pairs that may be found
(completed, passing the filters), which keeps one source of truth for both in the store.

``FtsIndex`` is a SQLite database of its own (``:memory:`` beside the memory store, a file
beside the data dir's database for ``asst serve``): rebuilding it never touches protocol objects,
and its writes (large, from the background indexer) never hold the main database's write lock.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from asst_engine.tools import vectors
from asst_engine.tools.vectors import Embedder

Pair = tuple[str, str]  # (vector store id, file id)
_WORD = re.compile(r"\w+")
# Reciprocal rank fusion's constant (Cormack et al.): damps the weight of the very top ranks.
RRF_K = 60
# How many candidates each ranking contributes before fusing and cutting to k.
CANDIDATES = 100

# Ranked chunks, a page at a time (FTS5 sorts by ``rank`` with a top-N heap under a LIMIT).
_RANKED = (
    "SELECT c.id, c.store_id, c.file_id, f.rank FROM (SELECT rowid, rank FROM chunks_fts"
    " WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?) f JOIN chunks c ON c.id = f.rowid"
    " ORDER BY f.rank, c.id"
)
PAGE = 256
_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY, store_id TEXT NOT NULL, file_id TEXT NOT NULL, seq INTEGER NOT NULL,
  text TEXT NOT NULL, vector BLOB);
CREATE INDEX IF NOT EXISTS chunks_by_file ON chunks (store_id, file_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
  text, content='chunks', content_rowid='id', tokenize='porter unicode61');
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
  INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text); END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text); END;
"""


@dataclass(frozen=True)
class Found:
    """A chunk a search found; ``score`` is 0..1, higher is better."""

    store_id: str
    file_id: str
    score: float
    text: str


class Index(Protocol):
    def add(self, store_id: str, file_id: str, chunks: Sequence[str]) -> None:
        """Replace the file's chunks in the store (embedding them when there is an embedder)."""
        ...

    def remove(self, store_id: str, file_id: str | None = None) -> None:
        """Forget the file's chunks in the store, or all the store's when ``file_id`` is None."""
        ...

    def forget(self, file_id: str) -> None:
        """Forget the file's chunks in every store (the file was deleted)."""
        ...

    def search(
        self, store_ids: Sequence[str], query: str, k: int, allowed: Collection[Pair] | None
    ) -> list[Found]:
        """The best ``k`` chunks of the stores for ``query``, only of ``allowed`` files."""
        ...

    def clear(self) -> None: ...

    def close(self) -> None: ...


class FtsIndex:
    """BM25 (FTS5's ``bm25()``) alone, or fused with cosine similarity when ``embedder`` is set.

    Scores: BM25 has no absolute scale (its values follow the corpus' size and the query's
    length), so BM25 alone scores a chunk relative to the best of the search: ``r / r_best``,
    1.0 for the best. Hybrid ranks by reciprocal rank fusion and divides by its best possible
    value, so 1.0 means first in both rankings.
    """

    @classmethod
    def open(cls, data_dir: Path, environ: Mapping[str, str]) -> FtsIndex:
        """The index of ``asst serve``: ``DATA_DIR/index.sqlite``, embedding with the model
        ``ASST_EMBEDDINGS_MODEL`` names, if any (see ``vectors.from_environ``)."""
        return cls(str(data_dir / "index.sqlite"), vectors.from_environ(environ))

    def __init__(self, path: str = ":memory:", embedder: Embedder | None = None) -> None:
        self.embedder = embedder
        self._lock = threading.Lock()  # one connection, shared by request and indexer threads
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def add(self, store_id: str, file_id: str, chunks: Sequence[str]) -> None:
        embedded = self.embedder.embed(list(chunks)) if self.embedder and chunks else None
        rows = [
            (store_id, file_id, seq, text, vectors.pack(embedded[seq]) if embedded else None)
            for seq, text in enumerate(chunks)
        ]
        with self._lock:
            self._db.execute("BEGIN")
            self._delete(store_id, file_id)
            self._db.executemany(
                "INSERT INTO chunks (store_id, file_id, seq, text, vector) VALUES (?,?,?,?,?)", rows
            )
            self._db.execute("COMMIT")

    def remove(self, store_id: str, file_id: str | None = None) -> None:
        with self._lock:
            self._delete(store_id, file_id)

    def forget(self, file_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM chunks WHERE file_id = ?", (file_id,))

    def _delete(self, store_id: str, file_id: str | None) -> None:
        if file_id is None:
            self._db.execute("DELETE FROM chunks WHERE store_id = ?", (store_id,))
        else:
            sql = "DELETE FROM chunks WHERE store_id = ? AND file_id = ?"
            self._db.execute(sql, (store_id, file_id))

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM chunks")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def search(
        self, store_ids: Sequence[str], query: str, k: int, allowed: Collection[Pair] | None
    ) -> list[Found]:
        if not store_ids:
            return []
        if self.embedder is None:
            lexical = self._bm25(store_ids, query, allowed, k)
            best = lexical[0][4] if lexical else 1.0
            return [Found(s, f, r / best, t) for _, s, f, t, r in lexical]
        lexical = self._bm25(store_ids, query, allowed, CANDIDATES)
        semantic = self._nearest(store_ids, query, allowed)
        return _fuse([lexical, semantic], k)

    def _bm25(
        self, store_ids: Sequence[str], query: str, allowed: Collection[Pair] | None, want: int
    ) -> list[tuple[int, str, str, str, float]]:
        """The best ``want`` chunks by BM25, with FTS5's ``rank`` (its bm25(), computed once)
        and its top-N sort, read a page at a time until enough are of the wanted stores."""
        words = _WORD.findall(query)
        if not words:
            return []
        match = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
        stores = set(store_ids)
        kept: list[tuple[int, str, str, float]] = []
        with self._lock:
            for offset in itertools.count(0, PAGE):
                rows = self._db.execute(_RANKED, (match, PAGE, offset)).fetchall()
                kept += [
                    (chunk, store, file, -rank)
                    for chunk, store, file, rank in rows
                    if store in stores and (allowed is None or (store, file) in allowed)
                ]
                if len(kept) >= want or len(rows) < PAGE:
                    break
            kept = kept[:want]
            texts = self._texts([chunk for chunk, _, _, _ in kept])
        return [(chunk, store, file, texts[chunk], score) for chunk, store, file, score in kept]

    def _texts(self, chunk_ids: list[int]) -> dict[int, str]:
        marks = ",".join("?" * len(chunk_ids))
        sql = f"SELECT id, text FROM chunks WHERE id IN ({marks})"
        return dict(self._db.execute(sql, chunk_ids).fetchall())

    def _nearest(
        self, store_ids: Sequence[str], query: str, allowed: Collection[Pair] | None
    ) -> list[tuple[int, str, str, str, float]]:
        assert self.embedder is not None
        wanted = self.embedder.embed([query])[0]
        marks = ",".join("?" * len(store_ids))
        sql = (
            "SELECT id, store_id, file_id, text, vector FROM chunks"
            f" WHERE vector IS NOT NULL AND store_id IN ({marks}) ORDER BY id"
        )
        with self._lock:
            rows = self._db.execute(sql, tuple(store_ids)).fetchall()
        scored = [
            (i, s, f, t, vectors.cosine(wanted, vectors.unpack(blob)))
            for i, s, f, t, blob in rows
            if allowed is None or (s, f) in allowed
        ]
        scored.sort(key=lambda row: -row[4])  # stable: ties keep chunk order
        return scored[:CANDIDATES]


def _fuse(rankings: list[list[tuple[int, str, str, str, float]]], k: int) -> list[Found]:
    """Reciprocal rank fusion: each ranking adds ``1 / (RRF_K + rank)`` to a chunk's score."""
    fused: dict[int, float] = {}
    chunks: dict[int, tuple[str, str, str]] = {}
    for ranking in rankings:
        for rank, (chunk_id, store_id, file_id, text, _) in enumerate(ranking, start=1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
            chunks[chunk_id] = (store_id, file_id, text)
    best = len(rankings) / (RRF_K + 1)
    order = sorted(fused, key=lambda chunk_id: (-fused[chunk_id], chunk_id))[:k]
    return [Found(*chunks[c][:2], min(1.0, fused[c] / best), chunks[c][2]) for c in order]
