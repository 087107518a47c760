"""Foundry's Azure asset data sources: ``{"uri", "type"}`` references to files in Azure storage.

Foundry's spec lets vector stores, their files and batches, and ``tool_resources`` name such
assets instead of uploaded files. This server accepts and stores them as given, but it cannot
read Azure storage, so a vector store file made from one is created ``failed`` with a
``last_error`` that says what to do instead: upload the file and attach it.
"""

from __future__ import annotations

from asst_engine import validation as v
from asst_engine.engine import Engine
from asst_engine.json_types import JSON

data_source = v.fields_of(
    {"uri": v.text, "type": v.choice("uri_asset", "id_asset")}, required=("uri", "type")
)
# Foundry's ``VectorStoreConfiguration``: the ``configuration`` of a vector store create.
configuration = v.fields_of({"data_sources": v.array(data_source)}, required=("data_sources",))


def unreadable(source: JSON) -> JSON:
    """The ``last_error`` of a vector store file that names only an Azure asset."""
    message = (
        f"This server cannot read Azure storage assets ({source['type']} '{source['uri']}'); "
        "upload the file (POST /files) and attach it to the vector store by its id instead."
    )
    # The nearest value VectorStoreFileErrorCode has for a source this server cannot take.
    return {"code": "unsupported_file", "message": message}


def attach(engine: Engine, store_id: str, source: JSON, chunking: JSON) -> JSON:
    """A ``failed`` vector store file for ``source`` (it has no uploaded file, so a new id)."""
    store_file: JSON = {
        "id": engine.new_id("file-"),
        "object": "vector_store.file",
        "usage_bytes": 0,
        "created_at": engine.now(),
        "vector_store_id": store_id,
        "status": "failed",
        "last_error": unreadable(source),
        "chunking_strategy": chunking,
    }
    engine.store.vector_store_files.put(store_file, store_id)
    return store_file
