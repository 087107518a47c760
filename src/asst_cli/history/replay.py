"""Import into any Assistants backend: the bundle replayed through the protocol, in order.

Files are uploaded from their bytes, then vector stores (with their files), assistants, and each
thread with its messages, oldest first. Ids and timestamps are the new server's: the id map
(``idmap``) records old -> new for every object, and keeps runs and steps, which no request can
recreate, with the reason. Objects the map shows as done are skipped, so a re-run finishes an
interrupted replay without duplicates.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from .. import api, paths
from . import bundle, remap
from .idmap import IdMap

UPLOADABLE = ("assistants", "vision", "user_data")
NOT_RECREATED = "the protocol has no request that recreates it"


def _files(root: Path, ids: IdMap, totals: Counter[str]) -> None:
    folder = root / bundle.FILE_BYTES
    for meta in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        obj = json.loads(meta.read_text(encoding="utf-8"))
        old = str(obj["id"])
        if ids.done("file", old):
            continue
        data = meta.with_suffix("")
        if not data.is_file():
            ids.record("file", old, None, reason="the bundle has no bytes for it")
            totals["files not recreated"] += 1
            continue
        purpose = obj.get("purpose") if obj.get("purpose") in UPLOADABLE else "assistants"
        made = api.upload(data, str(purpose), str(obj.get("filename") or old))
        ids.record("file", old, str(made["id"]), lost=["created_at"])
        totals["files"] += 1


def _store(obj: dict[str, Any], ids: IdMap, totals: Counter[str]) -> None:
    made = api.post(paths.VECTOR_STORES, remap.picked(obj, remap.STORE_FIELDS))
    ids.record("vector_store", str(obj["id"]), str(made["id"]), lost=["created_at"])
    totals["vector_stores"] += 1


def _store_file(obj: dict[str, Any], ids: IdMap, totals: Counter[str]) -> None:
    key = f"{obj['vector_store_id']}/{obj['id']}"
    store, file = ids.new("vector_store", str(obj["vector_store_id"])), ids.files().get(obj["id"])
    if store is None or file is None:
        ids.record("vector_store_file", key, None, reason="its store or file was not recreated")
        return
    body = {"file_id": file, **remap.picked(obj, ("attributes",))}
    api.post(paths.files_of(paths.vector_store(store)), body)
    ids.record("vector_store_file", key, f"{store}/{file}")
    totals["vector_store_files"] += 1


def _assistant(obj: dict[str, Any], ids: IdMap, totals: Counter[str]) -> None:
    body = remap.picked(obj, remap.ASSISTANT_FIELDS)
    body["tool_resources"] = remap.resources(obj.get("tool_resources"), ids.files(), ids.stores())
    made = api.post(paths.ASSISTANTS, body)
    ids.record("assistant", str(obj["id"]), str(made["id"]), lost=["created_at"])
    totals["assistants"] += 1


def _thread(obj: dict[str, Any], ids: IdMap, totals: Counter[str]) -> None:
    body: dict[str, Any] = remap.picked(obj, ("metadata",))
    body["tool_resources"] = remap.resources(obj.get("tool_resources"), ids.files(), ids.stores())
    made = api.post(paths.THREADS, body)
    ids.record("thread", str(obj["id"]), str(made["id"]), lost=["created_at"])
    totals["threads"] += 1


def _message(obj: dict[str, Any], ids: IdMap, totals: Counter[str]) -> None:
    thread = ids.new("thread", str(obj["thread_id"]))
    if thread is None:
        ids.record("message", str(obj["id"]), None, reason="its thread was not recreated")
        return
    body, lost = remap.message(obj, ids.files())
    made = api.post(paths.messages(thread), body)
    ids.record("message", str(obj["id"]), str(made["id"]), lost=lost)
    totals["messages"] += 1


def _kept(kind: str) -> Any:
    def keep(obj: dict[str, Any], ids: IdMap, totals: Counter[str]) -> None:
        ids.record(kind, str(obj["id"]), None, reason=NOT_RECREATED)
        totals[f"{kind}s not recreated"] += 1

    return keep


MAKERS = {
    "vector_store": _store,
    "vector_store_file": _store_file,
    "assistant": _assistant,
    "thread": _thread,
    "message": _message,
    "run": _kept("run"),
    "step": _kept("step"),
}


def _key(kind: str, obj: dict[str, Any]) -> str:
    if kind == "vector_store_file":
        return f"{obj['vector_store_id']}/{obj['id']}"
    return str(obj["id"])


def run(root: Path, ids: IdMap) -> Counter[str]:
    """Replay the bundle; returns what was made and what could not be, per kind."""
    totals: Counter[str] = Counter()
    _files(root, ids, totals)
    sources = [root / bundle.VECTOR_STORES, root / bundle.ASSISTANTS]
    sources += sorted((root / bundle.THREADS).glob("*.jsonl"))
    for source in sources:
        if not source.is_file():
            continue
        for kind, obj in bundle.read_lines(source):
            if not ids.done(kind, _key(kind, obj)):
                MAKERS[kind](obj, ids, totals)
    return totals
