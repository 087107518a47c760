"""Local files sent to the server: checked before any request, uploaded concurrently.

A reference given on the command line or in a definition is a local path when such a path exists,
a file id when it looks like one (``file-abc123``, ``assistant-XYZ``), and otherwise an error.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from .. import api, errors, paths, render
from ..errors import AsstError, UsageError
from ..present import progress
from . import orphans

FILE_ID = re.compile(r"^[A-Za-z]+[-_][A-Za-z0-9_-]+$")
DEFAULT_CONCURRENCY = 4

# A file reference once resolved: a local file to upload, or the id of a file on the server.
Ref = Path | str


def path_status(path: Path, label: str) -> os.stat_result | None:
    """What is at ``path`` (following links), None if nothing; a usage error when the name
    itself cannot be used (too long, a NUL byte, a directory that may not be searched)."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(f"{label}: unusable path: {reason}", "check the path") from None


def readable_file(path: Path, label: str | None = None) -> Path:
    """``path`` if it is a readable regular file; a usage error naming it otherwise."""
    name = label or str(path)
    found = path_status(path, name)
    if found is None:
        raise UsageError(f"{name}: no such file", "check the path")
    if not stat.S_ISREG(found.st_mode):
        raise UsageError(f"{name}: not a regular file", "pass a file, not a directory or device")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{name}: not readable", "check its permissions")
    return path


def local_or_id(ref: str, base: Path | None = None) -> Path | None:
    """The local file ``ref`` names (checked), or None when ``ref`` is a file id."""
    path = Path(ref).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    if not FILE_ID.match(ref):
        return readable_file(path, ref)
    try:
        there = path_status(path, ref) is not None
    except UsageError:
        there = False  # no file can have this name: it is an id
    return readable_file(path, ref) if there else None


def resolve(refs: Sequence[str], base: Path | None = None) -> list[Ref]:
    """Each reference as a checked local path or an id; bad paths fail here, before any request."""
    return [local_or_id(ref, base) or ref for ref in refs]


@dataclass
class Uploaded:
    path: Path
    file: dict[str, Any] | None = None
    error: AsstError | None = None


def _upload_one(path: Path, purpose: str) -> Uploaded:
    try:
        return Uploaded(path, file=api.upload(path, purpose))
    except OSError as exc:
        # The file changed or vanished after it was checked.
        reason = exc.strerror or str(exc)
        return Uploaded(path, error=AsstError(f"cannot read: {reason}", "check the file"))
    except Exception as exc:
        return Uploaded(path, error=errors.known(exc))


def upload_many(
    paths: Sequence[Path],
    purpose: str,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_done: Callable[[Uploaded], None] | None = None,
) -> list[Uploaded]:
    """Upload every path (already checked), ``concurrency`` at a time; results in the given order.

    Every upload is attempted even when some fail; a bar on a terminal counts them as they end.
    """
    if not paths:
        return []
    results: dict[int, Uploaded] = {}
    try:
        with progress.bar(f"Uploading {len(paths)} file(s)", len(paths)) as bar:
            work = partial(_upload_one, purpose=purpose)
            for index, done in _in_daemons(work, paths, max(1, min(concurrency, len(paths)))):
                results[index] = done
                bar.advance(f"Uploaded {done.path.name}")
                if on_done:
                    on_done(done)
    finally:  # also after Ctrl-C: what was uploaded is noted until it is attached
        orphans.note([str(r.file["id"]) for r in results.values() if r.file is not None])
    return [results[index] for index in range(len(paths))]


def _in_daemons(
    work: Callable[[Path], Uploaded], paths: Sequence[Path], workers: int
) -> Iterator[tuple[int, Uploaded]]:
    """``work`` on every path in ``workers`` daemon threads; (index, result) as each ends.

    Daemon threads, because on Ctrl-C asst must exit at once, and a pool's threads would be
    waited for: an upload to a stalled server would hold the exit, then complete after all.
    Uploads still running end with the process, their connections closed part way.
    """
    import queue
    import threading

    todo: queue.SimpleQueue[tuple[int, Path]] = queue.SimpleQueue()
    done: queue.SimpleQueue[tuple[int, Uploaded] | BaseException] = queue.SimpleQueue()
    for item in enumerate(paths):
        todo.put(item)
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            try:
                index, path = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((index, work(path)))
            except BaseException as exc:  # handed to the caller, who raises it
                done.put(exc)

    for _ in range(workers):
        threading.Thread(target=worker, daemon=True).start()
    try:
        for _ in paths:
            result = done.get()
            if isinstance(result, BaseException):
                raise result
            yield result
    finally:
        stop.set()  # after Ctrl-C (or an error) no upload not yet started starts


def every_file(purpose: str) -> Iterator[dict[str, Any]]:
    """The account's files of one purpose; only the OpenAI dialect pages them (with ``after``)."""
    for page in api.pages(paths.FILES, {"purpose": purpose}):
        yield from page.data


def already_uploaded(paths: Sequence[Path], purpose: str) -> dict[Path, dict[str, Any]]:
    """The files on the server with a path's name and size (and ``purpose``), newest first."""
    wanted = {(path.name, path.stat().st_size): path for path in paths}
    found: dict[Path, dict[str, Any]] = {}
    for file in every_file(purpose):
        path = wanted.get((str(file.get("filename")), int(file.get("bytes") or 0)))
        if path is not None and path not in found:
            found[path] = file
    return found


def report_failures(results: Sequence[Uploaded]) -> None:
    """Name each failed upload on stderr, then fail with the first one's exit code."""
    failed = [(u.path, u.error) for u in results if u.error is not None]
    for path, error in failed:
        render.error(errors.about(f"{path}: upload failed", error))
    kept = [f"{u.file['id']} ({u.path})" for u in results if u.file is not None]
    hint = (
        f"uploaded anyway: {', '.join(kept)}; reuse their ids, or re-run with "
        "--skip-existing to upload only the failed ones"
        if kept
        else errors.EACH_NAMED
    )
    errors.raise_if_failed([error for _, error in failed], len(results), "uploads", hint)


def file_ids(
    refs: Sequence[Ref], purpose: str = "assistants", concurrency: int = DEFAULT_CONCURRENCY
) -> list[str]:
    """The file id of every reference, uploading the local files (concurrently) first.

    If any upload fails, nothing else is sent: the failures are reported and an error raised.
    A path given twice is uploaded once.
    """
    paths = list(dict.fromkeys(ref for ref in refs if isinstance(ref, Path)))
    results = upload_many(paths, purpose, concurrency)
    report_failures(results)
    ids = {u.path: str(u.file["id"]) for u in results if u.file is not None}
    return [ids[ref] if isinstance(ref, Path) else ref for ref in refs]


def resolve_ids(refs: Sequence[str], purpose: str, base: Path | None = None) -> list[str]:
    """File ids for a mix of ids and local paths; local files are uploaded first.

    Every local path is checked before the first upload, so bad input costs no request.
    """
    return file_ids(resolve(refs, base), purpose)
