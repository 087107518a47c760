"""Files attached to a vector store, and the bookkeeping that keeps the store's counts true.

A file attached on its own (or with a new store) is ``in_progress`` and handed to the indexer
(``tools/indexing.py``): inline, it is ``completed`` or ``failed`` before the answer; in the
background, later. Batches hold their files back until observed in the inline mode (see
``batches.py``). A store whose ``expires_at`` has passed is ``expired`` from then on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asst_engine import validation as v
from asst_engine.engine import Engine
from asst_engine.errors import EngineError, bad_request
from asst_engine.json_types import JSON
from asst_engine.resources import azure_assets
from asst_engine.resources.accepts import Accepts
from asst_engine.resources.common import deleted, lookup
from asst_engine.store import pagination

STATUSES = ("in_progress", "completed", "failed", "cancelled")
# What "auto" chunking resolves to on the real service; stored so clients see the effective value.
DEFAULT_CHUNKING: JSON = {
    "type": "static",
    "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
}

_static = v.fields_of(
    {
        "max_chunk_size_tokens": v.number(100, 4096, integer=True),
        "chunk_overlap_tokens": v.number(0, integer=True),
    },
    required=("max_chunk_size_tokens", "chunk_overlap_tokens"),
)


def chunking_strategy(param: str, value: Any) -> Any:
    """``{"type": "auto"}`` or ``{"type": "static", "static": {...}}``; overlap ≤ half the size."""
    v.obj(param, value)
    kind = v.choice("auto", "static")(f"{param}.type", value.get("type"))
    if kind == "auto":
        return v.fields_of({"type": v.text})(param, value)
    checked = v.fields_of({"type": v.text, "static": _static}, required=("static",))(param, value)
    static = checked["static"]
    if static["chunk_overlap_tokens"] > static["max_chunk_size_tokens"] // 2:
        message = "'chunk_overlap_tokens' must not exceed half of 'max_chunk_size_tokens'."
        raise bad_request(message, f"{param}.static.chunk_overlap_tokens", "invalid_value")
    return checked


def stored_chunking(requested: JSON | None) -> JSON:
    if requested is None or requested.get("type") == "auto":
        return {"type": "static", "static": dict(DEFAULT_CHUNKING["static"])}
    return {"type": "static", "static": dict(requested["static"])}


def store_of(engine: Engine, store_id: str) -> JSON:
    return expire(engine, lookup(engine.store.vector_stores, store_id, "vector store"))


def expire(engine: Engine, store: JSON) -> JSON:
    """Mark the store ``expired`` once its ``expires_at`` has passed (read without ticking a
    deterministic clock, so looking never changes timestamps)."""
    expires_at = store.get("expires_at")
    if expires_at is not None and engine.clock.peek() >= int(expires_at):
        store["status"] = "expired"
    return store


def usable(engine: Engine, store_id: str) -> JSON:
    """The store, refused when it has expired: its files can no longer be searched."""
    store = store_of(engine, store_id)
    if store["status"] == "expired":
        message = f"Vector store '{store_id}' has expired; create a new vector store to search."
        raise bad_request(message, None, "expired")
    return store


def existing_file(engine: Engine, param: str, file_id: Any) -> str:
    v.string()(param, file_id)
    if engine.store.files.get(file_id) is None:
        raise bad_request(f"No file found with id '{file_id}'.", param, "invalid_value")
    return str(file_id)


def attach(engine: Engine, store: JSON, file_id: str, chunking: JSON | None) -> JSON:
    """Add (or re-add) a file to a store, ``in_progress``; the store file's id is the file's id,
    as in the API. ``index`` starts its ingestion."""
    store_file: JSON = {
        "id": file_id,
        "object": "vector_store.file",
        "usage_bytes": lookup(engine.store.files, file_id, "file")["bytes"],
        "created_at": engine.now(),
        "vector_store_id": store["id"],
        "status": "in_progress",
        "last_error": None,
        "chunking_strategy": stored_chunking(chunking),
    }
    engine.store.vector_store_files.put(store_file, store["id"])
    return store_file


def index(engine: Engine, store_id: str, file_id: str) -> JSON:
    """Start the file's ingestion; the store file as it stands after (done, when inline)."""
    engine.indexer.submit(engine, store_id, file_id)
    return retrieve(engine, store_id, file_id)


def refresh(engine: Engine, store: JSON) -> None:
    """Recompute ``file_counts``, ``usage_bytes`` and ``status`` from the store's files."""
    files = engine.store.vector_store_files.list(store["id"])
    counts = {status: sum(1 for f in files if f["status"] == status) for status in STATUSES}
    store["file_counts"] = {**counts, "total": len(files)}
    store["usage_bytes"] = sum(int(f["usage_bytes"]) for f in files if f["status"] == "completed")
    if store["status"] != "expired":
        store["status"] = "in_progress" if counts["in_progress"] else "completed"


def entry_fields(accepts: Accepts) -> dict[str, v.Check]:
    """A file to attach: its id, chunking and, where the dialect has them, its attributes."""
    fields: dict[str, v.Check] = {"file_id": v.text, "chunking_strategy": chunking_strategy}
    if accepts.file_attributes:
        fields["attributes"] = v.attributes
    return fields


def create(engine: Engine, store_id: str, body: JSON, accepts: Accepts) -> JSON:
    store = store_of(engine, store_id)
    if not accepts.azure_assets:
        fields = v.check_body(body, entry_fields(accepts), required=("file_id",))
    else:
        fields = v.check_body(
            body, {**entry_fields(accepts), "data_source": azure_assets.data_source}
        )
        if ("file_id" in fields) == ("data_source" in fields):
            message = "Exactly one of 'file_id' or 'data_source' must be provided."
            raise bad_request(message, "file_id", "invalid_value")
        if "data_source" in fields:
            chunking = stored_chunking(fields.get("chunking_strategy"))
            failed = azure_assets.attach(engine, store_id, fields["data_source"], chunking)
            refresh(engine, store)
            return failed
    file_id = existing_file(engine, "file_id", fields["file_id"])
    store_file = attach(engine, store, file_id, fields.get("chunking_strategy"))
    if "attributes" in fields:
        store_file["attributes"] = fields["attributes"]
    refresh(engine, store)
    return index(engine, store_id, file_id)


def update(engine: Engine, store_id: str, file_id: str, body: JSON) -> JSON:
    """Replace the file's ``attributes`` (the only field that changes)."""
    store_file = retrieve(engine, store_id, file_id)
    fields = v.check_body(body, {"attributes": v.attributes}, required=("attributes",))
    store_file["attributes"] = fields["attributes"]
    return store_file


def retrieve(engine: Engine, store_id: str, file_id: str) -> JSON:
    store_of(engine, store_id)
    found = engine.store.vector_store_files.get(file_id, store_id)
    if found is None:
        message = f"No file found with id '{file_id}' in vector store '{store_id}'."
        raise EngineError(404, message)
    return found


def delete(engine: Engine, store_id: str, file_id: str) -> JSON:
    """Detach the file from the store; the file itself stays (as in the API)."""
    retrieve(engine, store_id, file_id)
    engine.store.vector_store_files.delete(file_id, store_id)
    engine.index.remove(store_id, file_id)
    refresh(engine, store_of(engine, store_id))
    return deleted(file_id, "vector_store.file.deleted")


def listing(
    engine: Engine, store_id: str, query: Mapping[str, str], only: list[str] | None = None
) -> JSON:
    """The store's files, optionally only ``only`` (a batch's) and filtered by ``filter=status``."""
    store_of(engine, store_id)
    where = None
    if "filter" in query:
        where = {"status": v.choice(*STATUSES)("filter", query["filter"])}
    request = pagination.parse(query).matching(where, only)
    found = engine.store.vector_store_files.page(request, store_id)
    return pagination.envelope(found)
