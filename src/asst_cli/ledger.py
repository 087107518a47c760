"""The threads asst created, per backend and endpoint: ``threads.jsonl`` beside the config file.

The protocol lets only Foundry list threads; elsewhere a thread whose id was not kept is lost.
So every thread any asst command creates (``threads create``, ``threads create-and-run``,
``asst run``, streamed or not) is recorded here as one JSON line, written with a single
``O_APPEND`` write: asst processes running at once never interleave or lose each other's lines.
``asst threads list`` reads it where the server has no list of its own.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import configfile, paths, render
from .settings import Settings

FILE_NAME = "threads.jsonl"
# The paths whose answer carries a new thread: the thread itself, or a run on a new thread.
_CREATES = {paths.THREADS: "id", paths.THREAD_RUNS: "thread_id"}


def path() -> Path:
    return configfile.config_dir() / FILE_NAME


def where(settings: Settings) -> str:
    """The key of a backend: threads (and the ``-c`` memory) belong to an endpoint, not to the
    profile that happened to name it."""
    return f"{settings.backend} {settings.endpoint}"


@dataclass(frozen=True)
class Entry:
    thread_id: str
    created_at: int
    profile: str


def notice(settings: Settings, request_path: str, answer: Any) -> None:
    """Record the thread a successful request created, if it created one."""
    key = _CREATES.get(request_path)
    thread_id = answer.get(key) if key and isinstance(answer, dict) else None
    if not isinstance(thread_id, str) or not thread_id:
        return
    created = answer.get("created_at")
    line = {
        "where": where(settings),
        "thread_id": thread_id,
        "created_at": created if isinstance(created, int) else int(time.time()),
        "profile": settings.profile,
    }
    try:
        _append(json.dumps(line, separators=(",", ":")) + "\n")
    except OSError as exc:
        # The thread exists: a full disk or a read-only config directory must not turn its
        # creation into a failure, only leave it out of 'threads list'.
        render.progress(f"Warning: {thread_id} not recorded in {path()}: {exc.strerror}")


def _append(line: str) -> None:
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))  # one write: whole lines, whoever else appends
    finally:
        os.close(fd)


def entries(settings: Settings) -> list[Entry]:
    """The threads created at this backend and endpoint, oldest first, each once."""
    found: dict[str, Entry] = {}
    for item in _lines():
        if item.get("where") != where(settings):
            continue
        thread_id, created = item.get("thread_id"), item.get("created_at")
        if isinstance(thread_id, str) and isinstance(created, int):
            found.setdefault(thread_id, Entry(thread_id, created, str(item.get("profile"))))
    return sorted(found.values(), key=lambda entry: (entry.created_at, entry.thread_id))


def _lines() -> Iterator[dict[str, Any]]:
    try:
        text = path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    for line in text.splitlines():
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line another tool broke: the others still count
        if isinstance(item, dict):
            yield item
