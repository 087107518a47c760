"""file_search: retrieval quality on the test corpus, ingestion speed, search latency.

- recall@3: the share of tests/data/knowledge/queries.json whose document is among the first 3
  results, BM25 alone and hybrid (BM25 fused with the fake model's hashed bag-of-words
  embeddings, served on loopback: a stand-in for a real embeddings model, so the hybrid figure
  shows the plumbing works, not what a real model adds).
- ingestion: 300 generated text files (~3 KB each) attached by one batch to a store of a
  SqliteStore in a fresh data dir, indexed by the background indexer ``asst serve`` uses, timed
  until the batch is completed.
- search latency: the mean of 100 searches over an index holding 10,000 chunks of ~100 words,
  through ``retrieval.search`` as the endpoint calls it.
Everything runs in this process, without HTTP: the figures are the engine's own.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import Row, Section, seconds

from asst_engine.engine import Engine
from asst_engine.resources import batches, files, vector_stores
from asst_engine.resources.accepts import Accepts
from asst_engine.store.sqlite import SqliteStore
from asst_engine.testing.fake_model import FakeModel
from asst_engine.testing.fake_script import embed
from asst_engine.tools import retrieval
from asst_engine.tools.index import FtsIndex
from asst_engine.tools.indexing import Indexer
from asst_engine.tools.vectors import OpenAIEmbedder

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "knowledge"
FILES = 300
CHUNKS = 10_000
SEARCHES = 100
TARGET_RECALL = 0.9
TARGET_INGEST = 30.0
TARGET_SEARCH = 0.050


def _words(seed: int, count: int) -> list[str]:
    """A Zipf-like vocabulary: a few words common, most rare, as in prose."""
    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choices("etaoinshrdlucmfwyp", k=rng.randint(3, 9))) for _ in range(5000)
    ]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    return rng.choices(vocabulary, weights, k=count)


def _in_work(engine: Engine, step: Callable[[], Any]) -> Any:
    with engine.lock, engine.store.unit_of_work():
        return step()


def recall(embedder: OpenAIEmbedder | None) -> float:
    engine = Engine(index=FtsIndex(embedder=embedder))
    names = sorted(p.name for p in CORPUS.iterdir() if p.name != "queries.json")
    ids = [
        _in_work(
            engine, lambda n=name: files.add(engine, n, "assistants", (CORPUS / n).read_bytes())
        )["id"]
        for name in names
    ]
    store = _in_work(engine, lambda: vector_stores.create(engine, {"file_ids": ids}))
    queries = json.loads((CORPUS / "queries.json").read_text())
    found = 0
    for query, expected in queries:
        hits = _in_work(
            engine,
            lambda q=query: retrieval.search(engine.store, engine.index, [store["id"]], q, 3),
        )
        found += expected in [hit.filename for hit in hits]
    return found / len(queries)


def ingestion(work: Path) -> float:
    """Seconds from the batch's creation until it is completed, all files indexed."""
    data_dir = work / "knowledge-data"
    engine = Engine(
        store=SqliteStore.open(data_dir), index=FtsIndex.open(data_dir, {}), indexer=Indexer.pool()
    )
    words = _words(1, FILES * 500)
    ids = [
        _in_work(
            engine,
            lambda i=i: files.add(
                engine,
                f"doc{i}.txt",
                "assistants",
                " ".join(words[i * 500 : (i + 1) * 500]).encode(),
            ),
        )["id"]
        for i in range(FILES)
    ]
    store = _in_work(engine, lambda: vector_stores.create(engine, {}))
    start = time.perf_counter()
    batch = _in_work(
        engine, lambda: batches.create(engine, store["id"], {"file_ids": ids}, Accepts())
    )
    engine.indexer.shutdown()  # waits for every job
    elapsed = time.perf_counter() - start
    done = _in_work(engine, lambda: batches.retrieve(engine, store["id"], batch["id"]))
    if done["file_counts"]["completed"] != FILES:
        raise RuntimeError(f"only {done['file_counts']['completed']} of {FILES} files completed")
    engine.close()
    return elapsed


class HashEmbedder:
    """The fake model's embeddings computed in this process: latency without a network."""

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [embed(text) for text in texts]


def latency(embedder: HashEmbedder | None = None) -> float:
    """Mean seconds of one search over 10,000 chunks of ~100 words."""
    engine = Engine(index=FtsIndex(embedder=embedder))
    words = _words(2, CHUNKS * 100)
    per_file = 10
    store = _in_work(engine, lambda: vector_stores.create(engine, {}))
    for number in range(CHUNKS // per_file):
        file = _in_work(engine, lambda n=number: files.add(engine, f"f{n}.txt", "assistants", b"x"))
        texts = [" ".join(words[(number * per_file + c) * 100 :][:100]) for c in range(per_file)]
        engine.index.add(store["id"], file["id"], texts)
        _in_work(
            engine,
            lambda f=file: engine.store.vector_store_files.put(
                {"id": f["id"], "status": "completed"}, store["id"]
            ),
        )
    rng = random.Random(3)
    queries = [" ".join(rng.sample(words[:5000], 3)) for _ in range(SEARCHES)]
    times = []
    for query in queries:
        start = time.perf_counter()
        _in_work(
            engine,
            lambda q=query: retrieval.search(engine.store, engine.index, [store["id"]], q, 10),
        )
        times.append(time.perf_counter() - start)
    return statistics.mean(times)


def measure(work: Path, runs: int) -> Section:
    queries = len(json.loads((CORPUS / "queries.json").read_text()))
    bm25 = recall(None)
    with FakeModel() as fake:
        hybrid = recall(OpenAIEmbedder("fake-embed", fake.url, None))
    ingest = min(ingestion(work / f"run{n}") for n in range(max(1, min(runs, 3))))
    mean = latency()
    mean_hybrid = latency(HashEmbedder())
    section = Section(
        "file_search",
        f"In-process, no HTTP. Recall on tests/data/knowledge ({queries} queries, 12 documents); "
        f"ingestion: best of {max(1, min(runs, 3))} runs; search: mean of {SEARCHES} queries.",
    )
    section.rows += [
        Row(
            "recall@3, BM25", f"{bm25:.2f}", target=f">= {TARGET_RECALL}", met=bm25 >= TARGET_RECALL
        ),
        Row(
            "recall@3, hybrid (fake embeddings)",
            f"{hybrid:.2f}",
            target=f">= {TARGET_RECALL}",
            met=hybrid >= TARGET_RECALL,
        ),
        Row(
            f"ingest {FILES} text files (batch, SQLite)",
            seconds(ingest),
            target=f"<= {TARGET_INGEST:.0f} s",
            met=ingest <= TARGET_INGEST,
        ),
        Row(
            f"search, {CHUNKS:,} chunks (BM25)",
            seconds(mean),
            target=f"<= {TARGET_SEARCH * 1000:.0f} ms",
            met=mean <= TARGET_SEARCH,
        ),
        Row(f"search, {CHUNKS:,} chunks (hybrid, 64-dim vectors)", seconds(mean_hybrid)),
    ]
    section.notes.append(
        "BM25 is SQLite FTS5's bm25() with the porter stemmer; hybrid adds cosine similarity "
        "over every chunk's stored vector and fuses the two rankings (reciprocal rank fusion, "
        "k = 60). Ingestion runs on two indexer threads; parsing and FTS5 inserts dominate. "
        "The hybrid search compares the query with every chunk's vector in Python (no vector "
        "index), so its cost grows with the chunks and the vectors' size; the query's "
        "embedding is computed in process here, a real model adds its round trip."
    )
    return section


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="asst-bench-") as temporary:
        print(measure(Path(temporary), int(sys.argv[1]) if len(sys.argv) > 1 else 1).markdown())
