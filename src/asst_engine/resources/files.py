"""Files: multipart upload, retrieve, list, delete and content download.

The bytes live in the store's blobs; uploads and downloads stream through them a piece at a
time (a file may be 512 MB)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Mapping
from pathlib import PureWindowsPath
from typing import BinaryIO

from asst_engine import validation as v
from asst_engine.engine import Engine
from asst_engine.errors import EngineError, bad_request
from asst_engine.http.multipart import Form
from asst_engine.json_types import JSON
from asst_engine.resources.common import deleted
from asst_engine.store import pagination

PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
# The files list pages by 10,000 by default, unlike the other lists (OpenAI spec).
FILES_DEFAULT_LIMIT = 10_000
COPY_CHUNK = 1024 * 1024


def client_filename(sent: str) -> str:
    """Only the last path component: clients may send ``C:\\dir\\name`` or ``dir/name``."""
    return PureWindowsPath(sent).name or "upload"


def upload(
    engine: Engine, form: Form, purposes: tuple[str, ...] = PURPOSES, named: bool = False
) -> JSON:
    """Store an upload; ``purposes`` are those the dialect's spec allows, and when ``named`` a
    ``filename`` field (Foundry's) names the file instead of the part's own file name."""
    known = ("file", "purpose", "filename") if named else ("file", "purpose")
    for key in list(form.fields) + list(form.files):
        if key not in known:
            raise bad_request(
                f"Unrecognized request argument supplied: {key}", key, "unknown_parameter"
            )
    if "file" not in form.files:
        raise bad_request(
            "Missing required parameter: 'file'.", "file", "missing_required_parameter"
        )
    if "purpose" not in form.fields:
        message = "Missing required parameter: 'purpose'."
        raise bad_request(message, "purpose", "missing_required_parameter")
    purpose = v.choice(*purposes)("purpose", form.fields["purpose"])
    sent = form.files["file"]
    name = form.fields.get("filename") or sent.filename
    file = _described(engine, client_filename(name), purpose, sent.size)
    with engine.store.blobs.writer(file["id"]) as out:
        shutil.copyfileobj(sent.content, out, COPY_CHUNK)
    return engine.store.files.put(file)


def add(engine: Engine, filename: str, purpose: str, data: bytes) -> JSON:
    """Store a file a run made (purpose ``assistants_output``)."""
    file = _described(engine, filename, purpose, len(data))
    engine.store.blobs.put(file["id"], data)
    return engine.store.files.put(file)


def _described(engine: Engine, filename: str, purpose: str, size: int) -> JSON:
    return {
        "id": engine.new_id("file-"),
        "object": "file",
        "bytes": size,
        "created_at": engine.now(),
        "filename": filename,
        "purpose": purpose,
        # Processing is synchronous here, so a file is usable as soon as it is uploaded.
        "status": "processed",
    }


def retrieve(engine: Engine, file_id: str) -> JSON:
    found = engine.store.files.get(file_id)
    if found is None:
        # The files API words its 404 differently from the assistants API.
        raise EngineError(404, f"No such File object: {file_id}", param="id")
    return found


def content(engine: Engine, file_id: str) -> tuple[str, BinaryIO, int]:
    """The file's name, its bytes to read (the caller closes them) and their number."""
    file = retrieve(engine, file_id)
    blobs = engine.store.blobs
    reader, size = blobs.reader(file_id), blobs.size(file_id)
    if reader is None or size is None:
        return str(file["filename"]), io.BytesIO(), 0
    return str(file["filename"]), reader, size


def delete(engine: Engine, file_id: str) -> JSON:
    retrieve(engine, file_id)
    engine.store.files.delete(file_id)
    engine.index.forget(file_id)  # its chunks in every store
    return deleted(file_id, "file")


def listing(engine: Engine, query: Mapping[str, str]) -> JSON:
    purpose = query.get("purpose")
    request = pagination.parse(query, FILES_DEFAULT_LIMIT, max_limit=FILES_DEFAULT_LIMIT)
    where = {"purpose": purpose} if purpose else None
    return pagination.envelope(engine.store.files.page(request.matching(where)))
