"""Foundry's Azure asset data sources, through ``dispatch``: bodies its spec allows are accepted
and stored as given; a vector store file made from one fails with a ``last_error`` that says to
upload the file instead, and the counts show it. The other dialects refuse the fields as unknown."""

from __future__ import annotations

from typing import Any

import pytest
from engine_sessions import Session, error, unknown

URI = "azureml://datastores/workspaceblobstore/paths/handbook.pdf"
SOURCE = {"uri": URI, "type": "uri_asset"}
DATA = {"uri": "azureml:handbook:1", "type": "id_asset"}
CHUNKING = {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}


def unreadable(source: dict[str, str]) -> dict[str, str]:
    message = (
        f"This server cannot read Azure storage assets ({source['type']} '{source['uri']}'); "
        "upload the file (POST /files) and attach it to the vector store by its id instead."
    )
    return {"code": "unsupported_file", "message": message}


def counts(**given: int) -> dict[str, int]:
    found = {"in_progress": 0, "completed": 0, "failed": 0, "cancelled": 0, **given}
    return {**found, "total": sum(found.values())}


def failed_file(s: Session, store_id: str, file: Any, source: dict[str, str]) -> None:
    """``file`` is a failed store file for ``source``, listed and retrieved the same."""
    assert {k: file[k] for k in ("object", "usage_bytes", "vector_store_id", "status")} == {
        "object": "vector_store.file",
        "usage_bytes": 0,
        "vector_store_id": store_id,
        "status": "failed",
    }
    assert file["last_error"] == unreadable(source)
    assert file["chunking_strategy"] == CHUNKING
    assert s.call("GET", f"/vector_stores/{store_id}/files/{file['id']}") == file


def test_a_store_file_from_an_asset_fails_saying_to_upload() -> None:
    s = Session("foundry")
    uploaded = s.upload("notes.txt", b"notes")
    store = s.call("POST", "/vector_stores", {"file_ids": [uploaded["id"]]})
    files = f"/vector_stores/{store['id']}/files"
    file = s.call("POST", files, {"data_source": SOURCE})
    failed_file(s, store["id"], file, SOURCE)
    after = s.call("GET", f"/vector_stores/{store['id']}")
    assert (after["file_counts"], after["status"]) == (counts(completed=1, failed=1), "completed")
    assert after["usage_bytes"] == store["usage_bytes"]
    listed = s.call("GET", files, query="filter=failed")["data"]
    assert listed == [file]
    both = {"file_id": uploaded["id"], "data_source": SOURCE}
    for body in ({}, both):
        assert s.call("POST", files, body, status=400) == error(
            "Exactly one of 'file_id' or 'data_source' must be provided.",
            "file_id",
            "invalid_value",
        )
    assert s.problems == []


def test_a_store_made_from_a_configuration_has_failed_files() -> None:
    s = Session("foundry")
    body = {"name": "handbook", "configuration": {"data_sources": [SOURCE, DATA]}}
    store = s.call("POST", "/vector_stores", body)
    assert (store["name"], store["file_counts"]) == ("handbook", counts(failed=2))
    assert store["status"] == "completed"
    listed = s.call("GET", f"/vector_stores/{store['id']}/files", query="order=asc")["data"]
    assert [f["last_error"] for f in listed] == [unreadable(SOURCE), unreadable(DATA)]
    failed_file(s, store["id"], listed[0], SOURCE)
    lacking = {"configuration": {"data_sources": [{"uri": URI}]}}
    assert s.call("POST", "/vector_stores", lacking, status=400) == error(
        "Missing required parameter: 'configuration.data_sources[0].type'.",
        "configuration.data_sources[0].type",
        "missing_required_parameter",
    )
    assert s.problems == []


def test_a_batch_of_assets_and_files() -> None:
    s = Session("foundry")
    uploaded = s.upload("notes.txt", b"notes")
    store = s.call("POST", "/vector_stores", {})
    batches = f"/vector_stores/{store['id']}/file_batches"
    body = {"file_ids": [uploaded["id"]], "data_sources": [SOURCE]}
    batch = s.call("POST", batches, body)
    assert batch["file_counts"] == counts(in_progress=1, failed=1)
    done = s.call("GET", f"{batches}/{batch['id']}")
    assert (done["status"], done["file_counts"]) == ("completed", counts(completed=1, failed=1))
    alone = s.call("POST", batches, {"data_sources": [DATA]})
    assert (alone["status"], alone["file_counts"]) == ("in_progress", counts(failed=1))
    assert s.call("GET", f"{batches}/{alone['id']}")["status"] == "completed"
    members = s.call("GET", f"{batches}/{alone['id']}/files")["data"]
    assert [m["last_error"] for m in members] == [unreadable(DATA)]
    wrong = {"data_sources": [{"uri": URI, "type": "blob"}]}
    assert s.call("POST", batches, wrong, status=400) == error(
        "Invalid value: 'blob'. Supported values are: 'uri_asset' and 'id_asset'.",
        "data_sources[0].type",
        "invalid_value",
    )
    assert s.problems == []


def test_tool_resources_name_assets_as_given() -> None:
    s = Session("foundry")
    configured = [{"name": "handbook", "configuration": {"data_sources": [SOURCE]}}]
    resources = {
        "code_interpreter": {"data_sources": [DATA]},
        "file_search": {"vector_stores": configured},
    }
    agent = s.call("POST", "/assistants", {"model": "m", "tool_resources": resources})
    stored = agent["tool_resources"]
    assert stored["code_interpreter"] == {"data_sources": [DATA]}
    assert stored["file_search"]["vector_stores"] == configured
    (store_id,) = stored["file_search"]["vector_store_ids"]
    store = s.call("GET", f"/vector_stores/{store_id}")
    assert (store["name"], store["file_counts"]) == ("handbook", counts(failed=1))
    assert s.call("GET", f"/assistants/{agent['id']}")["tool_resources"] == stored
    thread = s.call("POST", "/threads", {"tool_resources": resources})
    assert thread["tool_resources"]["code_interpreter"] == {"data_sources": [DATA]}
    assert thread["tool_resources"]["file_search"]["vector_stores"] == configured
    assert s.problems == []


@pytest.mark.parametrize("dialect", ["openai", "azure"])
def test_azure_assets_are_foundrys(dialect: str) -> None:
    s = Session(dialect)
    store = s.call("POST", "/vector_stores", {})
    path = f"/vector_stores/{store['id']}"
    refused = [
        ("/vector_stores", {"configuration": {"data_sources": [SOURCE]}}, "configuration"),
        (f"{path}/files", {"data_source": SOURCE}, "data_source"),
        (f"{path}/file_batches", {"data_sources": [SOURCE]}, "data_sources"),
    ]
    for where, body, param in refused:
        assert s.call("POST", where, body, status=400) == unknown(param)
    code = {"code_interpreter": {"data_sources": [DATA]}}
    answer = s.call("POST", "/assistants", {"model": "m", "tool_resources": code}, status=400)
    assert answer == unknown("tool_resources.code_interpreter.data_sources")
    helper = {"file_search": {"vector_stores": [{"name": "h", "configuration": {}}]}}
    answer = s.call("POST", "/threads", {"tool_resources": helper}, status=400)
    assert answer == unknown("tool_resources.file_search.vector_stores[0].name")
