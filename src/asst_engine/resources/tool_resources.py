"""``tool_resources`` of assistants, threads and runs: file and vector-store references.

Referenced ids must exist (400 naming the field, like the real API). A ``vector_stores`` helper
asks the service to create a store from file ids; that happens only after the whole body has been
checked, so a rejected request leaves nothing behind.
"""

from __future__ import annotations

from typing import Any

from asst_engine import validation as v
from asst_engine.engine import Engine
from asst_engine.errors import bad_request
from asst_engine.json_types import JSON
from asst_engine.resources import azure_assets, store_files, vector_stores
from asst_engine.resources.accepts import Accepts
from asst_engine.store.base import Collection

# Helpers only pass ``tool_resources`` checks with what the dialect accepts, so their stores may
# take everything a helper can carry.
_ASSETS = Accepts(azure_assets=True)


def existing(collection: Collection, kind: str) -> v.Check:
    """A string id that must name an object in ``collection``."""

    def run(param: str, value: Any) -> Any:
        v.string()(param, value)
        if collection.get(value) is None:
            raise bad_request(f"No {kind} found with id '{value}'.", param, "invalid_value")
        return value

    return run


_index = v.fields_of(
    {
        "index_connection_id": v.text,
        "index_name": v.text,
        "query_type": v.text,
        "top_k": v.number(1, integer=True),
        "filter": v.text,
        "index_asset_id": v.text,
    }
)
# Foundry's Azure AI Search index references: stored as given, for a tool this server refuses.
_azure_ai_search = v.fields_of({"indexes": v.array(_index, 1)})


def tool_resources(engine: Engine, accepts: Accepts) -> v.Check:
    store = engine.store
    file_ids = v.array(existing(store.files, "file"), 20)
    helper_fields: dict[str, v.Check] = {
        "file_ids": v.array(existing(store.files, "file"), 10_000),
        "chunking_strategy": store_files.chunking_strategy,
        "metadata": v.metadata,
    }
    code_fields = {"file_ids": file_ids}
    if accepts.azure_assets:
        # Foundry's ``VectorStoreConfigurations``: a named store made from Azure assets.
        helper_fields |= {"name": v.text, "configuration": azure_assets.configuration}
        code_fields["data_sources"] = v.array(azure_assets.data_source, 20)
    file_search = v.fields_of(
        {
            "vector_store_ids": v.array(existing(store.vector_stores, "vector store"), 1),
            "vector_stores": v.array(v.fields_of(helper_fields), 1),
        }
    )
    kinds = {"code_interpreter": v.fields_of(code_fields), "file_search": file_search}
    if accepts.azure_ai_search_resources:
        kinds["azure_ai_search"] = _azure_ai_search
    return v.nullable(v.fields_of(kinds))


def create_helper_stores(engine: Engine, fields: JSON) -> None:
    """Turn ``file_search.vector_stores`` helpers into real stores named by ``vector_store_ids``."""
    resources = fields.get("tool_resources") or {}
    file_search = resources.get("file_search") or {}
    helpers = file_search.pop("vector_stores", None)
    if not helpers:
        return
    if file_search.get("vector_store_ids"):
        message = "Only one of 'vector_store_ids' and 'vector_stores' may be given."
        raise bad_request(message, "tool_resources.file_search", "invalid_value")
    created = [vector_stores.create(engine, dict(helper), _ASSETS)["id"] for helper in helpers]
    file_search["vector_store_ids"] = created
    if any("configuration" in helper for helper in helpers):
        # Foundry's spec returns its store configurations; OpenAI's helpers are a request only.
        file_search["vector_stores"] = helpers
