"""``POST /v1/asst/import``: objects from an ``asst export --threads`` bundle, stored as they were.

The protocol cannot recreate a thread's history (ids, timestamps, runs and steps are the
server's to make), so this server takes them whole: the body is JSON lines, each
``{"kind": K, "object": {...}}`` with K one of ``KINDS``; a ``file`` line may also carry its
bytes as ``content_base64`` (a bundle exported with ``--no-file-bytes`` has none). Objects are
in this server's canonical shape (the OpenAI dialect's; the Azure dialect's renamings are
undone), so the route answers only in that dialect, behind the same credential as every other
request.

An id already stored is accepted only when the stored object is identical (a re-run of the same
import changes nothing); a different object under that id is a 409 and nothing of the request is
stored: every line is checked before the first is written. Runs must have ended: a run still
going would have no worker behind it here.
"""

from __future__ import annotations

import base64
import binascii
import json

from asst_engine.engine import Engine
from asst_engine.errors import EngineError
from asst_engine.json_types import JSON
from asst_engine.store.base import Collection

ENDED = ("completed", "failed", "cancelled", "expired", "incomplete")
# kind -> (the store's collection, the field naming the parent, or None for top-level kinds)
KINDS: dict[str, tuple[str, str | None]] = {
    "file": ("files", None),
    "assistant": ("assistants", None),
    "vector_store": ("vector_stores", None),
    "vector_store_file": ("vector_store_files", "vector_store_id"),
    "thread": ("threads", None),
    "message": ("messages", "thread_id"),
    "run": ("runs", "thread_id"),
    "step": ("steps", "run_id"),
}


class Line:
    """One checked line: where its object goes, and a file's bytes."""

    def __init__(self, number: int, kind: str, obj: JSON, data: bytes | None) -> None:
        self.number, self.kind, self.obj, self.data = number, kind, obj, data
        self.collection, parent_field = KINDS[kind]
        self.parent = None if parent_field is None else _text(obj, parent_field, number)


def _fail(number: int, message: str, status: int = 400) -> EngineError:
    return EngineError(status, f"Import line {number}: {message}", code="invalid_import")


def _text(obj: JSON, name: str, number: int) -> str:
    value = obj.get(name)
    if not isinstance(value, str) or not value:
        raise _fail(number, f"the object has no '{name}'.")
    return value


def _canonical(kind: str, obj: JSON) -> JSON:
    """Undo what the Azure dialect renders differently (``http/dialects.py``), so a bundle
    exported from Azure is stored in this server's shape."""
    if kind == "step" and obj.get("object") == "assistant.run.step":
        obj = {**obj, "object": "thread.run.step"}
    if kind == "vector_store" and "bytes" in obj and "usage_bytes" in obj:
        obj = {key: value for key, value in obj.items() if key != "bytes"}
    return obj


def _decode(number: int, text: str) -> Line:
    try:
        item = json.loads(text)
    except ValueError:
        raise _fail(number, "not a JSON object.") from None
    if not isinstance(item, dict) or not isinstance(item.get("object"), dict):
        raise _fail(number, 'expected {"kind": ..., "object": {...}}.')
    kind = item.get("kind")
    if kind not in KINDS:
        raise _fail(number, f"unknown kind {kind!r} (one of {', '.join(KINDS)}).")
    obj: JSON = _canonical(kind, item["object"])
    _text(obj, "id", number)
    if kind == "run" and obj.get("status") not in ENDED:
        raise _fail(number, f"run {obj['id']} has not ended ({obj.get('status')}); export later.")
    data = None
    if kind == "file" and "content_base64" in item:
        try:
            data = base64.b64decode(str(item.get("content_base64", "")), validate=True)
        except (binascii.Error, ValueError):
            raise _fail(number, "content_base64 is not base64.") from None
    return Line(number, kind, obj, data)


def parse(raw: bytes) -> list[Line]:
    """Every line of the body, checked; blank lines are skipped. An empty body imports nothing
    (clients send one to learn whether a server takes imports)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise EngineError(400, "The import body is not UTF-8.", code="invalid_import") from None
    return [_decode(n, t) for n, t in enumerate(text.splitlines(), 1) if t.strip()]


def _stored(engine: Engine, line: Line) -> tuple[Collection, JSON | None]:
    collection: Collection = getattr(engine.store, line.collection)
    return collection, collection.get(str(line.obj["id"]), line.parent)


def _check(engine: Engine, line: Line) -> bool:
    """Whether the line is new; an identical stored object is not, a different one is a 409."""
    _, found = _stored(engine, line)
    if found is None:
        return True
    same = found == line.obj
    if same and line.data is not None:
        same = engine.store.blobs.get(str(line.obj["id"])) == line.data
    if not same:
        raise _fail(line.number, f"{line.kind} {line.obj['id']} exists and differs.", 409)
    return False


def run(engine: Engine, raw: bytes, dialect: str) -> JSON:
    """Store every new object of the body; identical ones are counted as unchanged."""
    if dialect != "openai":
        raise EngineError(404, "Import is served in the OpenAI dialect only (/v1/asst/import).")
    lines = parse(raw)
    fresh = [line for line in lines if _check(engine, line)]
    created: dict[str, int] = {}
    unchanged: dict[str, int] = {}
    for line in lines:
        counts = created if line in fresh else unchanged
        counts[line.kind] = counts.get(line.kind, 0) + 1
    for line in fresh:
        _put(engine, line)
    return {"object": "asst.import", "created": created, "unchanged": unchanged}


def _put(engine: Engine, line: Line) -> None:
    collection, _ = _stored(engine, line)
    collection.put(dict(line.obj), line.parent)
    if line.data is not None:
        engine.store.blobs.put(str(line.obj["id"]), line.data)
