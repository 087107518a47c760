"""asst vector-stores files: add files to a vector store, list, inspect and remove them."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import typer

from .. import api, errors, listing, paths, render
from ..definitions import vector_stores
from ..options import Concurrency, group, output_choice
from ..transfer import indexing, store_add, uploads

app = group("Add files to a vector store, list, inspect and remove them.")


@app.command()
@indexing.wait_flags
@output_choice
def add(
    store_id: indexing.StoreId,
    refs: indexing.Refs,
    chunking: indexing.Chunking = None,
    concurrency: Concurrency = uploads.DEFAULT_CONCURRENCY,
    waiting: indexing.Waiting = indexing.NO_WAIT,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Add files one by one (local ones are uploaded first, several at a time).

    A local file whose name and size match a file already in the store is skipped, so running
    the same command again after a partial failure uploads and attaches only the files that
    failed (a file uploaded but not attached is deleted again). For many files at once,
    'asst vector-stores batches create' makes one request.

    Example: asst vector-stores files add vs_abc123 notes.md file-abc123 --wait
    """
    path = paths.files_of(paths.vector_store(store_id))
    local = uploads.resolve(refs)
    strategy = vector_stores.chunking_flag(chunking)

    def attach(file_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {"file_id": file_id}
        if strategy is not None:
            body["chunking_strategy"] = strategy
        return dict(api.post(path, body))

    outcomes = store_add.add(path, local, attach, concurrency)
    failures = store_add.report(outcomes, store_id)
    added = [o.added for o in outcomes if o.added is not None]
    if waiting.wait:
        again = f"asst vector-stores files list {store_id}"
        added = [
            indexing.follow(paths.store_file(store_id, f["id"]), f["id"], again, waiting.deadline)
            for f in added
        ]
        failures += indexing.settled(added)
    render.emit(added, indexing.FILE_COLUMNS, choice)
    errors.raise_if_failed(failures, len(local), "files")


@app.command("list")
@listing.paged
@output_choice
def list_(
    store_id: indexing.StoreId,
    status: indexing.FileStatus = None,
    paging: listing.Paging = listing.FIRST_PAGE,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """List a vector store's files, newest first.

    Example: asst vector-stores files list vs_abc123 --status failed
    """
    listing.list_objects(
        paths.files_of(paths.vector_store(store_id)),
        indexing.FILE_COLUMNS,
        paging,
        choice,
        what="files",
        extra={"filter": status},
    )


@app.command()
@output_choice
def get(
    store_id: indexing.StoreId,
    file_id: Annotated[str, typer.Argument(metavar="FILE", help="File id")],
    choice: render.Choice,
) -> None:
    """Show one file of a vector store: its indexing status and last error.

    Example: asst vector-stores files get vs_abc123 file-abc123 -o yaml
    """
    render.emit(
        api.get(paths.store_file(store_id, file_id)),
        indexing.FILE_COLUMNS,
        choice,
    )


@app.command()
@output_choice
def delete(
    store_id: indexing.StoreId,
    file_ids: Annotated[list[str], typer.Argument(metavar="FILE...", help="File ids")],
    choice: render.Choice,
) -> None:
    """Remove files from a vector store (the files themselves stay; see 'asst files delete').

    Example: asst vector-stores files delete vs_abc123 file-abc123 file-def456
    """
    listing.delete_objects(partial(paths.store_file, store_id), file_ids, choice)
