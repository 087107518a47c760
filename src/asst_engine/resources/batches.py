"""Vector store file batches: attach many files at once, poll, cancel, list the batch's files.

A batch is created ``in_progress`` with its files ``in_progress``. With an inline indexer (the
deterministic engine) its files are indexed when the batch is next retrieved, which completes it:
state advances by being observed, never by wall-clock, so cassettes are stable and clients can
exercise their polling and cancel paths. With a background indexer the files are indexed from
the start and the batch completes when none is left ``in_progress``. Cancelling before that
marks the batch and its unfinished files ``cancelled`` (their jobs then publish nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asst_engine import validation as v
from asst_engine.engine import Engine
from asst_engine.errors import EngineError, bad_request
from asst_engine.json_types import JSON
from asst_engine.resources import azure_assets, store_files
from asst_engine.resources.accepts import Accepts
from asst_engine.resources.common import new_object

MAX_FILES = 2000
_NONE = object()  # no attributes given (null is a value: it clears them)


def _fields(accepts: Accepts) -> dict[str, v.Check]:
    entry = v.fields_of(store_files.entry_fields(accepts), required=("file_id",))
    fields: dict[str, v.Check] = {
        "file_ids": v.array(v.text, MAX_FILES),
        "files": v.array(entry, MAX_FILES),
        "chunking_strategy": store_files.chunking_strategy,
    }
    if accepts.file_attributes:
        fields["attributes"] = v.attributes
    if accepts.azure_assets:
        fields["data_sources"] = v.array(azure_assets.data_source, 500)
    return fields


def create(engine: Engine, store_id: str, body: JSON, accepts: Accepts) -> JSON:
    store = store_files.store_of(engine, store_id)
    fields = v.check_body(body, _fields(accepts))
    sources = fields.pop("data_sources", [])
    # Azure assets alone make a batch; beside them, files still come as the shared spec has them.
    named = "file_ids" in fields or "files" in fields
    entries = _entries(engine, fields) if named or not sources else []
    batch: JSON = {
        **new_object(engine, "vsfb_", "vector_store.files_batch"),
        "vector_store_id": store_id,
        "status": "in_progress",
        "file_counts": {},
    }
    for file_id, chunking, attributes in entries:
        attached = store_files.attach(engine, store, file_id, chunking)
        if attributes is not _NONE:
            attached["attributes"] = attributes
    chunking = store_files.stored_chunking(fields.get("chunking_strategy"))
    failed = [azure_assets.attach(engine, store_id, source, chunking)["id"] for source in sources]
    engine.store.file_batches.put(batch, store_id)
    members = [file_id for file_id, _, _ in entries] + failed
    engine.store.batch_members.put(
        {"id": batch["id"], "created_at": batch["created_at"], "file_ids": members}, store_id
    )
    _refresh(engine, batch)
    if engine.indexer.background:
        for file_id in members:
            engine.indexer.submit(engine, store_id, file_id)
    return batch


def _entries(engine: Engine, fields: JSON) -> list[tuple[str, Any, Any]]:
    """``(file_id, chunking, attributes)`` from either ``file_ids`` or ``files``, not both.

    The batch's ``attributes`` apply to ``file_ids``; with ``files`` each entry has its own
    (the spec ignores the batch's there). ``_NONE``: no attributes given.
    """
    if ("file_ids" in fields) == ("files" in fields):
        message = "Exactly one of 'file_ids' or 'files' must be provided."
        raise bad_request(message, "file_ids", "invalid_value")
    default = fields.get("chunking_strategy")
    if "file_ids" in fields:
        shared = fields.get("attributes", _NONE)
        raw = [
            (f"file_ids[{i}]", file_id, default, shared)
            for i, file_id in enumerate(fields["file_ids"])
        ]
    else:
        raw = [
            (
                f"files[{i}].file_id",
                entry["file_id"],
                entry.get("chunking_strategy", default),
                entry.get("attributes", _NONE),
            )
            for i, entry in enumerate(fields["files"])
        ]
    return [
        (store_files.existing_file(engine, param, fid), chunk, attrs)
        for param, fid, chunk, attrs in raw
    ]


def _lookup(engine: Engine, store_id: str, batch_id: str) -> JSON:
    store_files.store_of(engine, store_id)
    found = engine.store.file_batches.get(batch_id, store_id)
    if found is None:
        raise EngineError(404, f"No file batch found with id '{batch_id}'.")
    return found


def _members(engine: Engine, batch: JSON) -> list[JSON]:
    store_id = batch["vector_store_id"]
    found = (engine.store.vector_store_files.get(f, store_id) for f in _member_ids(engine, batch))
    return [member for member in found if member is not None]


def _member_ids(engine: Engine, batch: JSON) -> list[str]:
    members = engine.store.batch_members.get(batch["id"], batch["vector_store_id"])
    return [] if members is None else list(members["file_ids"])


def _refresh(engine: Engine, batch: JSON) -> None:
    members = _members(engine, batch)
    counts = {s: sum(1 for f in members if f["status"] == s) for s in store_files.STATUSES}
    batch["file_counts"] = {**counts, "total": len(members)}
    store_files.refresh(engine, store_files.store_of(engine, batch["vector_store_id"]))


def _settle(engine: Engine, batch: JSON, status: str) -> None:
    """Finish the batch: its unfinished files take ``status`` and so does the batch."""
    for member in _members(engine, batch):
        if member["status"] == "in_progress":
            member["status"] = status
    batch["status"] = status
    _refresh(engine, batch)


def retrieve(engine: Engine, store_id: str, batch_id: str) -> JSON:
    """Observing an in-progress batch indexes its files when inline; in the background it
    completes once none is left in progress (see the module docstring)."""
    batch = _lookup(engine, store_id, batch_id)
    if batch["status"] != "in_progress":
        return batch
    if not engine.indexer.background:
        for member in _members(engine, batch):
            if member["status"] == "in_progress":
                engine.indexer.submit(engine, store_id, str(member["id"]))
    _refresh(engine, batch)
    if not batch["file_counts"]["in_progress"]:
        batch["status"] = "completed"
    return batch


def cancel(engine: Engine, store_id: str, batch_id: str) -> JSON:
    batch = _lookup(engine, store_id, batch_id)
    if batch["status"] != "in_progress":
        message = f"Cannot cancel a batch with status '{batch['status']}'."
        raise bad_request(message, None, "invalid_state")
    _settle(engine, batch, "cancelled")
    return batch


def files(engine: Engine, store_id: str, batch_id: str, query: Mapping[str, str]) -> JSON:
    batch = _lookup(engine, store_id, batch_id)
    return store_files.listing(engine, store_id, query, only=_member_ids(engine, batch))
