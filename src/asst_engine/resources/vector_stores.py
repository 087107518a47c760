"""Vector stores: create (optionally with files), retrieve, update, delete, list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asst_engine import validation as v
from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.resources import azure_assets, store_files
from asst_engine.resources.accepts import SHARED, Accepts
from asst_engine.resources.common import deleted, merge, new_object, page_of

DAY = 86_400
_expires_after = v.fields_of(
    {"anchor": v.choice("last_active_at"), "days": v.number(1, 365, integer=True)},
    required=("anchor", "days"),
)


def _file_ids(param: str, value: Any) -> Any:
    return v.array(v.text, 500)(param, value)


_CREATE: dict[str, v.Check] = {
    "file_ids": _file_ids,
    "name": v.string(256),
    "description": v.string(512),
    "expires_after": v.nullable(_expires_after),
    "chunking_strategy": store_files.chunking_strategy,
    "metadata": v.metadata,
}
_UPDATE: dict[str, v.Check] = {
    "name": v.nullable(v.string(256)),
    "expires_after": v.nullable(_expires_after),
    "metadata": v.metadata,
}


def create(engine: Engine, body: JSON, accepts: Accepts = SHARED) -> JSON:
    """A store, with files from ``file_ids`` and (Foundry) Azure assets from ``configuration``."""
    checks = {**_CREATE, "configuration": azure_assets.configuration}
    fields = v.check_body(body, checks if accepts.azure_assets else _CREATE)
    sources = (fields.pop("configuration", None) or {}).get("data_sources", [])
    file_ids = [
        store_files.existing_file(engine, f"file_ids[{index}]", file_id)
        for index, file_id in enumerate(fields.pop("file_ids", []))
    ]
    chunking = fields.pop("chunking_strategy", None)
    now = engine.now()
    store: JSON = {
        **new_object(engine, "vs_", "vector_store", now),
        # The spec types name as a string (never null), so an unnamed store is "".
        "name": "",
        "usage_bytes": 0,
        "file_counts": {},
        "status": "completed",
        "expires_after": None,
        "expires_at": None,
        "last_active_at": now,
        "metadata": {},
    }
    merge(store, fields)
    set_expiry(store)
    engine.store.vector_stores.put(store)
    for file_id in file_ids:
        store_files.attach(engine, store, file_id, chunking)
    for source in sources:
        azure_assets.attach(engine, store["id"], source, store_files.stored_chunking(chunking))
    store_files.refresh(engine, store)
    for file_id in file_ids:
        engine.indexer.submit(engine, store["id"], file_id)
    return store


def set_expiry(store: JSON) -> None:
    """``expires_at`` follows ``expires_after``; a store without a policy never expires."""
    policy = store.get("expires_after")
    if policy is None:
        store.pop("expires_after", None)  # optional and not nullable in the specs
        store["expires_at"] = None
    else:
        store["expires_at"] = int(store["last_active_at"]) + int(policy["days"]) * DAY


def retrieve(engine: Engine, store_id: str) -> JSON:
    return store_files.store_of(engine, store_id)


def update(engine: Engine, store_id: str, body: JSON) -> JSON:
    store = retrieve(engine, store_id)
    fields = v.check_body(body, _UPDATE)
    if "name" in fields and fields["name"] is None:
        fields["name"] = ""
    merge(store, fields)
    set_expiry(store)
    return store


def delete(engine: Engine, store_id: str) -> JSON:
    retrieve(engine, store_id)
    engine.store.vector_stores.delete(store_id)
    engine.index.remove(store_id)
    return deleted(store_id, "vector_store.deleted")


def listing(engine: Engine, query: Mapping[str, str]) -> JSON:
    page = page_of(engine.store.vector_stores, query)
    for store in page["data"]:
        store_files.expire(engine, store)
    return page
