"""Vector stores, their files and file batches over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from stores import BOTH_STORES

EPOCH = 1767225600
DEFAULT_CHUNKING = {
    "type": "static",
    "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
}


@pytest.fixture
def files(api: Any) -> list[Any]:
    return [api.upload(f"f{i}.txt", b"x" * (10 * (i + 1))).body for i in range(3)]


def counts(completed: int = 0, in_progress: int = 0, cancelled: int = 0) -> dict[str, int]:
    total = completed + in_progress + cancelled
    return {
        "in_progress": in_progress,
        "completed": completed,
        "failed": 0,
        "cancelled": cancelled,
        "total": total,
    }


def test_create_with_files(api: Any, files: list[Any]) -> None:
    body = {
        "name": "kb",
        "file_ids": [files[0]["id"], files[1]["id"]],
        "expires_after": {"anchor": "last_active_at", "days": 7},
        "metadata": {"team": "docs"},
    }
    store = api.ok("POST", "/vector_stores", body)
    created = EPOCH + 3
    assert store == {
        "id": store["id"],
        "object": "vector_store",
        "created_at": created,
        "name": "kb",
        "usage_bytes": 30,
        "file_counts": counts(completed=2),
        "status": "completed",
        "expires_after": {"anchor": "last_active_at", "days": 7},
        "expires_at": created + 7 * 86400,
        "last_active_at": created,
        "metadata": {"team": "docs"},
    }
    assert store["id"].startswith("vs_")


def test_update_delete_list(api: Any, err: Any) -> None:
    store = api.ok("POST", "/vector_stores", {})
    assert store["name"] == "" and store["expires_at"] is None and "expires_after" not in store
    path = f"/vector_stores/{store['id']}"
    updated = api.ok("POST", path, {"name": "renamed", "metadata": {"a": "b"}})
    assert updated == {**store, "name": "renamed", "metadata": {"a": "b"}}
    assert [s["id"] for s in api.ok("GET", "/vector_stores")["data"]] == [store["id"]]
    assert api.delete(path).body == {
        "id": store["id"],
        "object": "vector_store.deleted",
        "deleted": True,
    }
    assert api.get(path).body == err(f"No vector store found with id '{store['id']}'.")


@BOTH_STORES
def test_store_files(api: Any, files: list[Any], err: Any) -> None:
    store = api.ok("POST", "/vector_stores", {"name": "kb"})
    base = f"/vector_stores/{store['id']}/files"
    chunking = {
        "type": "static",
        "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 50},
    }
    attached = api.ok("POST", base, {"file_id": files[0]["id"], "chunking_strategy": chunking})
    assert attached == {
        "id": files[0]["id"],
        "object": "vector_store.file",
        "usage_bytes": 10,
        "created_at": attached["created_at"],
        "vector_store_id": store["id"],
        "status": "completed",
        "last_error": None,
        "chunking_strategy": chunking,
    }
    auto = api.ok("POST", base, {"file_id": files[1]["id"], "chunking_strategy": {"type": "auto"}})
    assert auto["chunking_strategy"] == DEFAULT_CHUNKING
    assert api.ok("GET", f"{base}/{files[1]['id']}") == auto
    refreshed = api.ok("GET", f"/vector_stores/{store['id']}")
    assert refreshed["file_counts"] == counts(completed=2) and refreshed["usage_bytes"] == 30
    assert [f["id"] for f in api.ok("GET", base, query="order=asc")["data"]] == [
        f["id"] for f in files[:2]
    ]
    assert api.ok("GET", base, query="filter=in_progress")["data"] == []
    assert api.delete(f"{base}/{files[0]['id']}").body == {
        "id": files[0]["id"],
        "object": "vector_store.file.deleted",
        "deleted": True,
    }
    assert api.ok("GET", f"/vector_stores/{store['id']}")["file_counts"] == counts(completed=1)
    unknown = api.post(base, {"file_id": "file-nope"})
    assert (unknown.status, unknown.body) == (
        400,
        err("No file found with id 'file-nope'.", "file_id", "invalid_value"),
    )
    gone = api.get(f"{base}/file-nope")
    assert gone.body == err(f"No file found with id 'file-nope' in vector store '{store['id']}'.")


def test_chunking_validation(api: Any, files: list[Any]) -> None:
    store = api.ok("POST", "/vector_stores", {})
    base = f"/vector_stores/{store['id']}/files"
    overlap = {
        "type": "static",
        "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 60},
    }
    answer = api.post(base, {"file_id": files[0]["id"], "chunking_strategy": overlap})
    assert answer.status == 400
    assert answer.body["error"]["param"] == "chunking_strategy.static.chunk_overlap_tokens"
    small = {"type": "static", "static": {"max_chunk_size_tokens": 50, "chunk_overlap_tokens": 0}}
    answer = api.post(base, {"file_id": files[0]["id"], "chunking_strategy": small})
    assert answer.body["error"]["param"] == "chunking_strategy.static.max_chunk_size_tokens"


@BOTH_STORES
def test_batch_completes_when_retrieved(api: Any, files: list[Any]) -> None:
    store = api.ok("POST", "/vector_stores", {})
    base = f"/vector_stores/{store['id']}/file_batches"
    batch = api.ok("POST", base, {"file_ids": [files[0]["id"], files[1]["id"]]})
    assert batch == {
        "id": batch["id"],
        "object": "vector_store.files_batch",
        "created_at": batch["created_at"],
        "vector_store_id": store["id"],
        "status": "in_progress",
        "file_counts": counts(in_progress=2),
    }
    assert batch["id"].startswith("vsfb_")
    assert api.ok("GET", f"/vector_stores/{store['id']}")["status"] == "in_progress"
    done = api.ok("GET", f"{base}/{batch['id']}")
    assert done["status"] == "completed" and done["file_counts"] == counts(completed=2)
    members = api.ok("GET", f"{base}/{batch['id']}/files", query="order=asc")["data"]
    assert [m["id"] for m in members] == [files[0]["id"], files[1]["id"]]
    assert api.ok("GET", f"/vector_stores/{store['id']}")["status"] == "completed"


def test_batch_cancel_and_errors(api: Any, files: list[Any], err: Any) -> None:
    store = api.ok("POST", "/vector_stores", {})
    base = f"/vector_stores/{store['id']}/file_batches"
    entries = [{"file_id": files[2]["id"], "chunking_strategy": {"type": "auto"}}]
    batch = api.ok("POST", base, {"files": entries})
    cancelled = api.ok("POST", f"{base}/{batch['id']}/cancel")
    assert cancelled["status"] == "cancelled" and cancelled["file_counts"] == counts(cancelled=1)
    assert api.ok("GET", f"{base}/{batch['id']}")["status"] == "cancelled"
    again = api.post(f"{base}/{batch['id']}/cancel")
    assert again.status == 400
    both = api.post(base, {"file_ids": [files[0]["id"]], "files": entries})
    assert both.status == 400 and both.body["error"]["param"] == "file_ids"
    missing = api.get(f"{base}/vsfb_nope")
    assert (missing.status, missing.body) == (404, err("No file batch found with id 'vsfb_nope'."))
