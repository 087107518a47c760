"""Adding files to a vector store so that running the same command again finishes the job.

The rule: a local file whose name and size match a file already in the store is skipped (the
store has it), unless its indexing failed or was cancelled: then the same file is attached again
(indexing is retried, nothing is uploaded). The other local files are uploaded, and every file is
then attached, several at a time. Each failure names its file and none stops the others. A file
uploaded here that could not be attached is deleted again, so after a partial failure the same
command uploads and attaches exactly the files that failed: nothing twice, nothing lost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import api, errors, paths, render
from ..errors import AsstError
from . import orphans, uploads


@dataclass
class Outcome:
    """One file given on the command line: what became of it."""

    ref: uploads.Ref
    added: dict[str, Any] | None = None
    skipped: bool = False
    error: AsstError | None = None
    retry: str | None = None  # the id of the same file, in the store but not indexed

    @property
    def label(self) -> str:
        return str(self.ref)


NOT_INDEXED = frozenset({"failed", "cancelled"})


def in_store(files_path: str) -> dict[tuple[str, int], tuple[str, str]]:
    """(name, size) -> (file id, indexing status) of every file the store holds (two lists;
    nothing when the store is empty)."""
    status = {str(f.get("id")): str(f.get("status")) for f in api.iterate(files_path)}
    if not status:
        return {}
    found = (f for f in uploads.every_file("assistants") if f.get("id") in status)
    return {
        (str(f.get("filename")), int(f.get("bytes") or 0)): (str(f["id"]), status[str(f["id"])])
        for f in found
    }


def sort_out(files_path: str, outcomes: Sequence[Outcome]) -> None:
    """Mark each local file the store has: skipped when it indexed (or is indexing), to be
    attached again when its indexing failed."""
    local = [o for o in outcomes if isinstance(o.ref, Path)]
    present = in_store(files_path) if local else {}
    for outcome in local:
        path = Path(outcome.ref)
        there = present.get((path.name, path.stat().st_size))
        if there is None:
            continue
        file_id, status = there
        if status in NOT_INDEXED:
            outcome.retry = file_id
        else:
            outcome.skipped = True


def detach_failed(files_path: str, outcomes: Sequence[Outcome]) -> None:
    """Take the files whose indexing failed out of the store, so that attaching them again
    indexes them afresh."""
    for outcome in outcomes:
        if outcome.retry is not None:
            api.delete(f"{files_path}/{paths.segment(outcome.retry, 'file id')}")


def _attach_all(
    outcomes: list[tuple[Outcome, str, bool]],
    attach: Callable[[str], dict[str, Any]],
    concurrency: int,
) -> None:
    """Attach each (outcome, file id, uploaded here), ``concurrency`` at a time."""

    settled: list[str] = []  # uploads attached, or deleted again: no longer to be swept

    def one(item: tuple[Outcome, str, bool]) -> None:
        outcome, file_id, uploaded = item
        try:
            outcome.added = attach(file_id)
        except Exception as exc:
            outcome.error = errors.known(exc)
            if uploaded and _forget(outcome, file_id):
                settled.append(file_id)
            return
        if uploaded:
            settled.append(file_id)

    if not outcomes:
        return
    pool = ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(outcomes))))
    try:
        list(pool.map(one, outcomes))
    finally:
        # On Ctrl-C the attachments not yet started must not start.
        pool.shutdown(wait=True, cancel_futures=True)
        orphans.attached(settled)


def _forget(outcome: Outcome, file_id: str) -> bool:
    """Delete a file uploaded for the store but not attached, so a re-run does not duplicate it;
    False when it could not be deleted (the next successful add or apply will)."""
    try:
        api.delete(paths.file(file_id))
    except Exception as exc:
        left = errors.known(exc)
        assert outcome.error is not None
        outcome.error.message += (
            f" (and {file_id}, uploaded for it, is left until the next successful add or "
            f"apply deletes it: {left.message})"
        )
        return False
    return True


def add(
    files_path: str,
    refs: Sequence[uploads.Ref],
    attach: Callable[[str], dict[str, Any]],
    concurrency: int,
) -> list[Outcome]:
    """Skip, upload and attach every reference (already checked); outcomes in the given order."""
    outcomes = [Outcome(ref) for ref in refs]
    sort_out(files_path, outcomes)
    detach_failed(files_path, outcomes)
    to_upload = list(dict.fromkeys(uploads_needed(outcomes)))
    with orphans.tracking():
        results = uploads.upload_many(to_upload, "assistants", concurrency)
    uploaded = {u.path: u for u in results}
    pending: list[tuple[Outcome, str, bool]] = []
    for outcome in outcomes:
        if outcome.skipped:
            continue
        if outcome.retry is not None:
            pending.append((outcome, outcome.retry, False))
            continue
        if not isinstance(outcome.ref, Path):
            pending.append((outcome, outcome.ref, False))
            continue
        done = uploaded[outcome.ref]
        if done.file is None:
            assert done.error is not None
            outcome.error = errors.about("upload failed", done.error)
        else:
            pending.append((outcome, str(done.file["id"]), True))
    _attach_all(pending, attach, concurrency)
    if all(o.error is None for o in outcomes):
        orphans.sweep()
    return outcomes


def still_needed(files_path: str, refs: Sequence[uploads.Ref], store_id: str) -> list[uploads.Ref]:
    """For a batch: the references the store still needs, as files add sees it (the store's
    failed files by their id, taken out of the store to be indexed again), noted on stderr."""
    outcomes = [Outcome(ref) for ref in refs]
    sort_out(files_path, outcomes)
    report(outcomes, store_id)
    detach_failed(files_path, outcomes)
    return [o.retry or o.ref for o in outcomes if not o.skipped]


def uploads_needed(outcomes: Sequence[Outcome]) -> list[Path]:
    return [
        Path(o.ref)
        for o in outcomes
        if isinstance(o.ref, Path) and not o.skipped and o.retry is None
    ]


def report(outcomes: Sequence[Outcome], store_id: str) -> list[AsstError]:
    """Name each failed file on stderr, and note the skipped ones; returns the failures."""
    skipped = [o.label for o in outcomes if o.skipped]
    if skipped:
        render.progress(
            f"Skipped {len(skipped)} file(s) already in {store_id} (same name and size): "
            + ", ".join(skipped)
        )
    retried = [o.label for o in outcomes if o.retry is not None]
    if retried:
        render.progress(
            f"Indexing {len(retried)} file(s) again that failed to index in {store_id}: "
            + ", ".join(retried)
        )
    failures = []
    for outcome in outcomes:
        if outcome.error is not None:
            failures.append(errors.about(outcome.label, outcome.error))
            render.error(failures[-1])
    return failures
