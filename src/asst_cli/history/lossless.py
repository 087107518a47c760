"""Import into an asst engine (``--backend local``, ``asst serve``): every object as it was.

The bundle's lines go to the engine's import route (``paths.IMPORT``) in batches, in the order
objects depend on each other: files (with their bytes), vector stores, assistants, then each
thread's lines. The engine keeps ids and timestamps and takes an identical object again without
change, so an interrupted import is simply run again.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import api, errors, ledger, paths
from ..errors import ExitCode
from . import bundle

BATCH_LINES = 500
NDJSON = "application/x-ndjson"
THREAD_LINE = b'{"kind": "thread",'


def _file_lines(root: Path) -> Iterator[bytes]:
    folder = root / bundle.FILE_BYTES
    for meta in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        item: dict[str, Any] = {"kind": "file", "object": json.loads(meta.read_text("utf-8"))}
        data = meta.with_suffix("")
        if data.is_file():
            item["content_base64"] = base64.b64encode(data.read_bytes()).decode()
        yield json.dumps(item).encode() + b"\n"


def _raw_lines(path: Path) -> Iterator[bytes]:
    if path.is_file():
        with path.open("rb") as handle:
            yield from (text for text in handle if text.strip())


def _rest(root: Path) -> Iterator[bytes]:
    """The lines after the files, in dependency order."""
    yield from _raw_lines(root / bundle.VECTOR_STORES)
    yield from _raw_lines(root / bundle.ASSISTANTS)
    for thread in sorted((root / bundle.THREADS).glob("*.jsonl")):
        yield from _raw_lines(thread)


def available() -> bool:
    """Whether the backend takes imports: an asst engine answers an empty one with its counts
    (``"object": "asst.import"``); another server does not know the path (404), or refuses it
    (400, 405: a path it reads as something else)."""
    try:
        answer = api.post_raw(paths.IMPORT, b"", NDJSON)
    except Exception as exc:
        failure = errors.known(exc)
        if failure.code == ExitCode.NOT_FOUND or failure.status in (400, 405):
            return False
        raise failure from None
    return isinstance(answer, dict) and answer.get("object") == "asst.import"


def _send(batch: list[bytes], totals: Counter[str]) -> None:
    answer = api.post_raw(paths.IMPORT, b"".join(batch), NDJSON)
    for field in ("created", "unchanged"):
        for kind, count in (answer.get(field) or {}).items():
            totals[f"{kind} {field}"] += int(count)
    # The threads are now this backend's too: recorded as any thread asst creates is, so that
    # 'asst threads list' and 'export --threads' find them.
    settings = api.current_settings()
    for text in batch:
        if text.startswith(THREAD_LINE):
            ledger.notice(settings, paths.THREADS, json.loads(text)["object"])


def run(root: Path) -> Counter[str]:
    """Send the whole bundle: each file in a request of its own (bytes can be large), the other
    lines in batches; returns what was created and what was already there, per kind."""
    totals: Counter[str] = Counter()
    for text in _file_lines(root):
        _send([text], totals)
    batch: list[bytes] = []
    for text in _rest(root):
        batch.append(text)
        if len(batch) >= BATCH_LINES:
            _send(batch, totals)
            batch = []
    if batch:
        _send(batch, totals)
    return totals
