"""``asst export --threads``: a resumable bundle of definitions, threads, runs, files and stores.

Each unit (the definitions, the assistants, the vector stores, one thread, one file) is written
whole and then recorded in the progress file; running the same export again skips what the
progress file records (and a thread cut off goes on inside it, see ``resume``), so an
interrupted export continues where it stopped and ends with the same bundle. The progress file
keeps the time the export began, which the manifest reports.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import api, errors, paths
from ..apply import exporter
from ..errors import ExitCode, UsageError
from ..present.table import iso_time
from ..transfer import downloads
from . import bundle, resume, sources, walk

# A unit's work: it counts what it writes and adds the files its objects name.
Write = Callable[[Counter[str], set[str]], None]
Lines = Iterator[bytes]
# The manifest's counts: every kind, zero included, so readers need not guess.
COUNTED = (
    "assistants", "definitions", "file_bytes", "files", "files_missing", "messages", "runs",
    "steps", "threads", "threads_missing", "threads_skipped", "vector_store_files", "vector_stores",
)  # fmt: skip


@dataclass
class Request:
    directory: Path
    thread_ids: list[str]
    since: int | None = None
    file_bytes: bool = True
    force: bool = False


@dataclass
class State:
    """The progress file's content: what is done, what it counted, which files it named."""

    root: Path
    data: dict[str, Any] = field(default_factory=dict)

    def done(self, unit: str) -> bool:
        return unit in self.data["units"]

    def record(self, unit: str, counts: Counter[str], refs: set[str]) -> None:
        self.data["units"][unit] = {"counts": dict(counts), "files": sorted(refs)}
        bundle.save_progress(self.root, self.data)

    def reached(self, thread_id: str) -> tuple[dict[str, Any] | None, resume.Save]:
        """How far an earlier run wrote this thread, and how to record how far this one has."""
        partial: dict[str, Any] = self.data.setdefault("partial", {})

        def save(point: dict[str, Any] | None) -> None:
            if point is None:
                partial.pop(thread_id, None)  # complete: record() follows
                return
            partial[thread_id] = point
            bundle.save_progress(self.root, self.data)

        return partial.get(thread_id), save


def plan(
    directory: str | None,
    every: bool,
    given: list[str],
    listed: str | None,
    since: str | None,
    file_bytes: bool,
    force: bool,
) -> Request:
    """The export asked for, checked before the first request."""
    if directory is None or not directory.strip():
        raise UsageError("a thread export needs --dir", "pass --dir DIR (the bundle's directory)")
    root = Path(directory).expanduser()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--dir {directory}: cannot create: {exc.strerror}") from None
    when = sources.since(since)
    ids = sources.thread_ids(every, given, listed, api.current_settings())
    return Request(root, ids, when, file_bytes, force)


def summary(manifest: dict[str, Any]) -> str:
    counts = manifest["counts"]
    shown = ", ".join(f"{counts[k]} {k}" for k in ("threads", "messages", "runs", "files"))
    missing = (
        f"; {counts['threads_missing']} thread(s) not found" if counts["threads_missing"] else ""
    )
    return f"Exported {shown}{missing}; manifest.json lists {len(manifest['sha256'])} file(s)."


def _start(request: Request) -> State:
    root = request.directory
    found = bundle.load_progress(root)
    if found.get("format") == bundle.FORMAT:
        return State(root, found)
    if (root / bundle.MANIFEST).exists():
        if not request.force:
            raise UsageError(
                f"{root}: holds a finished bundle", "pass --force to export into it again"
            )
        bundle.clear(root)
    if any(root.iterdir()):
        raise UsageError(f"{root}: is not empty", "export a bundle into a new directory")
    settings = api.current_settings()
    source = {
        "backend": settings.backend,
        "endpoint": settings.endpoint,
        "exported_at": iso_time(int(time.time())),
    }
    state = State(root, {"format": bundle.FORMAT, "source": source, "units": {}})
    bundle.save_progress(root, state.data)
    return state


def _unit(state: State, unit: str, write: Write) -> None:
    if state.done(unit):
        return
    counts: Counter[str] = Counter()
    refs: set[str] = set()
    write(counts, refs)
    state.record(unit, counts, refs)


def _definitions(root: Path) -> Write:
    def write(counts: Counter[str], refs: set[str]) -> None:
        documents = exporter.definitions(None, [])
        folder = root / bundle.DEFINITIONS
        folder.mkdir(parents=True, exist_ok=True)
        exporter.write(documents, downloads.Target(directory=folder), force=True)
        counts["definitions"] = len(documents)

    return write


def _found(path: str) -> Any:
    """The object at ``path``, or None when the server has it no more (deleted since)."""
    try:
        return api.get(path)
    except Exception as exc:
        if errors.known(exc).code != ExitCode.NOT_FOUND:
            raise
        return None


def _thread(request: Request, state: State, thread_id: str) -> Write:
    def write(counts: Counter[str], refs: set[str]) -> None:
        thread = _found(paths.thread(thread_id))
        if thread is None:
            counts["threads_missing"] += 1
            return
        if request.since is not None and int(thread.get("created_at") or 0) < request.since:
            counts["threads_skipped"] += 1
            return
        target = request.directory / bundle.THREADS / f"{thread_id}.jsonl"
        resume.write_thread(target, thread, counts, refs, state.reached(thread_id))

    return write


def _file(request: Request, file_id: str) -> Write:
    def write(counts: Counter[str], refs: set[str]) -> None:
        found = _found(paths.file(file_id))
        if found is None:
            counts["files_missing"] += 1
            return
        counts["files"] += 1
        target = request.directory / bundle.FILE_BYTES / file_id
        bundle.write_json(target.with_name(f"{file_id}.json"), found)
        if request.file_bytes:
            target.parent.mkdir(parents=True, exist_ok=True)
            with api.stream_get(paths.content(paths.file(file_id))) as response:
                downloads.save(response.iter_bytes(), target, force=True)
            counts["file_bytes"] += 1

    return write


def _lines_of(root: Path, name: str, make: Callable[[Counter[str], set[str]], Lines]) -> Write:
    def write(counts: Counter[str], refs: set[str]) -> None:
        bundle.write_lines(root / name, make(counts, refs))

    return write


def export(request: Request) -> dict[str, Any]:
    """Write (or finish) the bundle; returns its manifest."""
    state = _start(request)
    root = request.directory
    _unit(state, "definitions", _definitions(root))
    _unit(state, "assistants", _lines_of(root, bundle.ASSISTANTS, walk.assistant_lines))
    _unit(state, "vector_stores", _lines_of(root, bundle.VECTOR_STORES, walk.store_lines))
    for thread_id in request.thread_ids:
        _unit(state, f"thread:{thread_id}", _thread(request, state, thread_id))
    named = sorted({f for unit in state.data["units"].values() for f in unit["files"]})
    for file_id in named:
        _unit(state, f"file:{file_id}", _file(request, file_id))
    return _finish(state)


def _finish(state: State) -> dict[str, Any]:
    totals: Counter[str] = Counter()
    for unit in state.data["units"].values():
        totals.update(unit["counts"])
    counts = {kind: totals[kind] for kind in COUNTED}
    manifest = bundle.manifest(state.root, state.data["source"], counts)
    bundle.write_json(state.root / bundle.MANIFEST, manifest)
    (state.root / bundle.PROGRESS).unlink()
    return manifest
