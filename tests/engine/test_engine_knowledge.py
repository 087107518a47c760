"""File search end to end through ``dispatch``: ingestion states, counts, expiry, the corpus.

The corpus (tests/data/knowledge) is a dozen short documents on distinct topics in every
supported kind; queries.json names the document each query must find.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pytest
from documents import CORPUS
from engine_sessions import Session, error

from asst_engine.testing.fake_model import FakeModel
from asst_engine.tools.index import FtsIndex
from asst_engine.tools.indexing import Indexer, resume
from asst_engine.tools.vectors import OpenAIEmbedder, from_environ

QUERIES: list[list[str]] = json.loads((CORPUS / "queries.json").read_text())
NAMES = sorted(path.name for path in CORPUS.iterdir() if path.name != "queries.json")


class Later(Executor):
    """A background executor the test steps: jobs wait until ``run`` is called."""

    def __init__(self) -> None:
        self.jobs: list[Callable[[], Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.jobs.append(lambda: fn(*args, **kwargs))
        return Future()

    def run(self) -> None:
        jobs, self.jobs = self.jobs, []
        for job in jobs:
            job()


def corpus_store(s: Session) -> Any:
    ids = [s.upload(name, (CORPUS / name).read_bytes())["id"] for name in NAMES]
    return s.call("POST", "/vector_stores", {"name": "corpus", "file_ids": ids})


def top(s: Session, store_id: str, query: str, k: int = 3) -> list[str]:
    body = {"query": query, "max_num_results": k}
    page = s.call("POST", f"/vector_stores/{store_id}/search", body)
    return [item["filename"] for item in page["data"]]


def test_every_corpus_document_is_ingested_and_counted() -> None:
    s = Session("openai")
    store = corpus_store(s)
    sizes = sum((CORPUS / name).stat().st_size for name in NAMES)
    counts = {"in_progress": 0, "completed": 12, "failed": 0, "cancelled": 0, "total": 12}
    assert (store["status"], store["file_counts"], store["usage_bytes"]) == (
        "completed",
        counts,
        sizes,
    )
    listed = s.call("GET", f"/vector_stores/{store['id']}/files", query="limit=100")["data"]
    assert {(f["status"], f["last_error"]) for f in listed} == {("completed", None)}
    assert s.problems == []


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_each_query_finds_its_document_first(query: str, expected: str) -> None:
    s = Session("openai")
    store = corpus_store(s)
    assert top(s, store["id"], query)[0] == expected


def test_files_without_text_fail_and_count_no_bytes() -> None:
    s = Session("openai")
    good = s.upload("ok.txt", b"plain words")
    png, broken = s.upload("photo.png", b"\x89PNG"), s.upload("data.json", b"{oops")
    store = s.call("POST", "/vector_stores", {})
    files = f"/vector_stores/{store['id']}/files"
    failed = s.call("POST", files, {"file_id": png["id"]})
    assert (failed["status"], failed["usage_bytes"], failed["last_error"]) == (
        "failed",
        0,
        {"code": "unsupported_file", "message": "Files of type '.png' cannot be searched."},
    )
    invalid = s.call("POST", files, {"file_id": broken["id"]})["last_error"]
    assert invalid["code"] == "invalid_file"
    s.call("POST", files, {"file_id": good["id"]})
    store = s.call("GET", f"/vector_stores/{store['id']}")
    counts = {"in_progress": 0, "completed": 1, "failed": 2, "cancelled": 0, "total": 3}
    assert (store["file_counts"], store["usage_bytes"]) == (counts, 11)
    s.call("DELETE", f"{files}/{good['id']}")
    store = s.call("GET", f"/vector_stores/{store['id']}")
    assert (store["file_counts"]["total"], store["usage_bytes"]) == (2, 0)
    assert top(s, store["id"], "plain words") == []  # its chunks left with it
    assert s.problems == []


def test_static_chunking_bounds_the_chunks_found() -> None:
    s = Session("openai")
    words = " ".join(f"word{i}" for i in range(300)) + " needle"
    long = s.upload("long.txt", words.encode())
    static = {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 50}
    body = {"file_ids": [long["id"]], "chunking_strategy": {"type": "static", "static": static}}
    store = s.call("POST", "/vector_stores", body)
    page = s.call("POST", f"/vector_stores/{store['id']}/search", {"query": "needle"})
    texts = [item["content"][0]["text"] for item in page["data"]]
    # Two tokens a word ("word", "275"): chunks start every 50 tokens, so 25 words apart; only
    # the last (tokens 550..600) reaches the needle.
    assert texts == [" ".join(f"word{i}" for i in range(275, 300)) + " needle"]


def test_an_expired_store_says_so_and_refuses_searches() -> None:
    s = Session("openai")
    policy = {"anchor": "last_active_at", "days": 1}
    store = s.call("POST", "/vector_stores", {"expires_after": policy})
    assert store["expires_at"] == store["last_active_at"] + 86_400
    s.call("POST", f"/vector_stores/{store['id']}/search", {"query": "x"})
    searched = s.call("GET", f"/vector_stores/{store['id']}")
    assert searched["last_active_at"] > store["last_active_at"]  # a search is activity
    s.engine.clock.current = searched["expires_at"]  # type: ignore[attr-defined]
    expired = s.call("GET", f"/vector_stores/{store['id']}")
    assert (expired["status"], expired["expires_at"]) == ("expired", searched["expires_at"])
    assert s.call("GET", "/vector_stores")["data"][0]["status"] == "expired"
    refused = s.call("POST", f"/vector_stores/{store['id']}/search", {"query": "x"}, status=400)
    message = f"Vector store '{store['id']}' has expired; create a new vector store to search."
    assert refused == error(message, None, "expired")


def test_background_indexing_publishes_when_the_job_runs() -> None:
    s = Session("openai")
    later = Later()
    s.engine.indexer = Indexer(later)
    note = s.upload("note.md", b"# Kites\nKites fly in steady wind.")
    store = s.call("POST", "/vector_stores", {})
    attached = s.call("POST", f"/vector_stores/{store['id']}/files", {"file_id": note["id"]})
    assert attached["status"] == "in_progress"
    assert s.call("GET", f"/vector_stores/{store['id']}")["status"] == "in_progress"
    assert top(s, store["id"], "kites") == []  # not searchable before it completes
    later.run()
    store = s.call("GET", f"/vector_stores/{store['id']}")
    assert (store["status"], store["file_counts"]["completed"]) == ("completed", 1)
    assert top(s, store["id"], "kites") == ["note.md"]


def test_background_batches_complete_when_their_files_do_and_cancel_drops_them() -> None:
    s = Session("openai")
    later = Later()
    s.engine.indexer = Indexer(later)
    a, b = s.upload("a.txt", b"alpha"), s.upload("b.txt", b"beta")
    store = s.call("POST", "/vector_stores", {})
    batches = f"/vector_stores/{store['id']}/file_batches"
    batch = s.call("POST", batches, {"file_ids": [a["id"]]})
    assert s.call("GET", f"{batches}/{batch['id']}")["status"] == "in_progress"
    later.run()
    done = s.call("GET", f"{batches}/{batch['id']}")
    assert (done["status"], done["file_counts"]["completed"]) == ("completed", 1)
    cancelled = s.call("POST", batches, {"file_ids": [b["id"]]})
    s.call("POST", f"{batches}/{cancelled['id']}/cancel")
    later.run()
    member = s.call("GET", f"/vector_stores/{store['id']}/files/{b['id']}")
    assert member["status"] == "cancelled"
    assert top(s, store["id"], "beta") == []


def test_a_thread_pool_indexes_in_the_background() -> None:
    from concurrent.futures import ThreadPoolExecutor

    s = Session("openai")
    s.engine.indexer = Indexer(ThreadPoolExecutor(2))
    note = s.upload("n.txt", b"lanterns glow")
    store = s.call("POST", "/vector_stores", {"file_ids": [note["id"]]})
    s.engine.indexer.shutdown()
    assert s.call("GET", f"/vector_stores/{store['id']}")["file_counts"]["completed"] == 1
    assert top(s, store["id"], "lanterns") == ["n.txt"]


def test_hybrid_search_embeds_through_an_openai_compatible_server() -> None:
    with FakeModel() as fake:
        s = Session("openai")
        s.engine.index = FtsIndex(embedder=OpenAIEmbedder("fake-embed", fake.url, None))
        store = corpus_store(s)
        assert top(s, store["id"], "waggle dance of bees") == [
            "honeybees.html",
            "fibonacci.py",
            "sourdough.md",
        ]
        page = s.call("POST", f"/vector_stores/{store['id']}/search", {"query": "waggle"})
        # First by BM25, third by similarity: reciprocal ranks over the best possible sum.
        assert page["data"][0]["score"] == pytest.approx((1 / 61 + 1 / 63) / (2 / 61), abs=1e-12)
        paths = {r.path for r in fake.requests()}
    assert paths == {"/v1/embeddings"}


def test_a_deleted_file_leaves_the_index() -> None:
    s = Session("openai")
    note = s.upload("n.txt", b"orchids bloom")
    store = s.call("POST", "/vector_stores", {"file_ids": [note["id"]]})
    assert s.engine.index.search([store["id"]], "orchids", 5, None) != []
    s.call("DELETE", f"/files/{note['id']}")
    assert s.engine.index.search([store["id"]], "orchids", 5, None) == []


def test_files_left_in_progress_are_indexed_again_on_start() -> None:
    s = Session("openai")
    later = Later()
    s.engine.indexer = Indexer(later)
    note = s.upload("n.txt", b"comets have tails")
    store = s.call("POST", "/vector_stores", {"file_ids": [note["id"]]})
    later.jobs.clear()  # the server stopped: its jobs are gone
    s.engine.indexer = Indexer()
    assert resume(s.engine) == 1
    assert resume(s.engine) == 0
    assert top(s, store["id"], "comets") == ["n.txt"]


def test_serve_keeps_its_index_in_the_data_dir(tmp_path: Path) -> None:
    index = FtsIndex.open(tmp_path, {})
    index.add("vs", "f", ["durable words"])
    index.close()
    again = FtsIndex.open(tmp_path, {"ASST_EMBEDDINGS_MODEL": ""})
    assert [f.text for f in again.search(["vs"], "durable", 1, None)] == ["durable words"]
    assert again.embedder is None
    again.close()
    assert (tmp_path / "index.sqlite").is_file()


def test_embeddings_take_their_own_endpoint_or_the_chat_providers() -> None:
    own = from_environ(
        {
            "ASST_EMBEDDINGS_MODEL": "e",
            "ASST_EMBEDDINGS_BASE_URL": "http://127.0.0.1:1/v1",
            "ASST_EMBEDDINGS_API_KEY": "k1",
            "ASST_MODEL_BASE_URL": "http://127.0.0.1:2/v1",
            "ASST_MODEL_API_KEY": "k2",
        }
    )
    assert own is not None
    assert (own.model, own.base_url, own.api_key) == ("e", "http://127.0.0.1:1/v1", "k1")
    shared = from_environ({"ASST_EMBEDDINGS_MODEL": "e", "ASST_MODEL_BASE_URL": "http://h/v1"})
    assert shared is not None
    assert (shared.base_url, shared.api_key) == ("http://h/v1", None)
    assert from_environ({"ASST_MODEL_BASE_URL": "http://h/v1"}) is None
