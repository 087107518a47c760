"""One thread as bundle lines, page by page, and the files every object names.

A thread's file is its thread object, its messages (oldest first), then each run (oldest first)
followed by its steps, so an import can take the lines in order. Steps are asked for with
file-search result content (``include[]``) where the backend's spec has it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import api, paths
from .bundle import line

ASCENDING = {"order": "asc"}


def file_ids(value: Any, found: set[str]) -> None:
    """Add every ``file_id`` (and ``file_ids`` member) anywhere inside ``value`` to ``found``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "file_id" and isinstance(item, str):
                found.add(item)
            elif key == "file_ids" and isinstance(item, list):
                found.update(i for i in item if isinstance(i, str))
            else:
                file_ids(item, found)
    elif isinstance(value, list):
        for item in value:
            file_ids(item, found)


def _counted(kind: str, obj: Any, counts: Counter[str], refs: set[str]) -> bytes:
    counts[kind + "s"] += 1
    file_ids(obj, refs)
    return line(kind, obj)


def _step_query() -> dict[str, Any]:
    """Steps with the content of file_search results, where the backend's spec defines
    ``include[]`` (Azure's 2024-05-01-preview does not)."""
    if api.current_settings().backend == "azure":
        return ASCENDING
    return {**ASCENDING, "include[]": paths.FILE_SEARCH_CONTENT}


@dataclass(frozen=True)
class PageEnd:
    """Every message up to ``after`` has been yielded: a point to continue from."""

    after: str


def thread_lines(
    thread: dict[str, Any], counts: Counter[str], refs: set[str], after: str | None = None
) -> Iterator[bytes | PageEnd]:
    """The lines of one thread, fetched lazily: one page is in memory at a time. Given
    ``after`` (a ``PageEnd`` of an earlier walk), it goes on with the messages after that one,
    the thread line and those messages being written already."""
    thread_id = str(thread["id"])
    query: dict[str, Any] = {**ASCENDING, "limit": api.PAGE_SIZE_ALL}
    if after is None:
        yield _counted("thread", thread, counts, refs)
    else:
        query["after"] = after
    for page in api.pages(paths.messages(thread_id), query):
        for message in page.data:
            yield _counted("message", message, counts, refs)
        if page.data:
            yield PageEnd(str(page.data[-1]["id"]))
    step_query = _step_query()
    for run in api.iterate(paths.runs(thread_id), ASCENDING):
        yield _counted("run", run, counts, refs)
        steps = paths.steps(thread_id, str(run["id"]))
        for step in api.iterate(steps, step_query):
            yield _counted("step", step, counts, refs)


def store_lines(counts: Counter[str], refs: set[str]) -> Iterator[bytes]:
    """Every vector store, each followed by its files (the attachments, with their status)."""
    for store in api.iterate(paths.VECTOR_STORES, ASCENDING):
        yield _counted("vector_store", store, counts, refs)
        attached = paths.files_of(paths.vector_store(str(store["id"])))
        for entry in api.iterate(attached, ASCENDING):
            refs.add(str(entry["id"]))
            yield _counted("vector_store_file", entry, counts, refs)


def assistant_lines(counts: Counter[str], refs: set[str]) -> Iterator[bytes]:
    for assistant in api.iterate(paths.ASSISTANTS, ASCENDING):
        yield _counted("assistant", assistant, counts, refs)
