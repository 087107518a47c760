"""asst vector-stores batches: add many files to a vector store in one request, and follow it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .. import api, listing, paths, render
from ..definitions import vector_stores
from ..options import Concurrency, group, output_choice
from ..transfer import indexing, store_add, uploads

app = group("Add many files to a vector store at once; follow, cancel and list batches.")

COLUMNS = (
    render.Column("ID", "id"),
    render.Column("STATUS", "status"),
    render.Column("COUNTS", indexing.detailed_counts),
    render.Column("CREATED", "created_at", time=True),
    render.Column("VECTOR STORE", "vector_store_id", detail=True),
)
BatchId = Annotated[str, typer.Argument(metavar="BATCH", help="File batch id")]


@app.command()
@indexing.wait_flags
@output_choice
def create(
    store_id: indexing.StoreId,
    refs: indexing.Refs,
    chunking: indexing.Chunking = None,
    concurrency: Concurrency = uploads.DEFAULT_CONCURRENCY,
    waiting: indexing.Waiting = indexing.NO_WAIT,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Add files in one batch (local ones are uploaded first, several at a time).

    As with 'files add', a local file the store has (same name and size) is skipped, and one
    whose indexing failed is indexed again.

    Example: asst vector-stores batches create vs_abc123 docs/*.md --wait
    """
    path = paths.batches(store_id)
    local = uploads.resolve(refs)
    body: dict[str, Any] = {}
    strategy = vector_stores.chunking_flag(chunking)
    needed = store_add.still_needed(paths.files_of(paths.vector_store(store_id)), local, store_id)
    if not needed:
        render.progress(f"Nothing to add: {store_id} has every file given.")
        return
    body["file_ids"] = uploads.file_ids(needed, concurrency=concurrency)
    if strategy is not None:
        body["chunking_strategy"] = strategy
    batch = api.post(path, body)
    if waiting.wait:
        again = f"asst vector-stores batches get {store_id} {batch['id']}"
        where = paths.batch(store_id, batch["id"])
        batch = indexing.follow(where, batch["id"], again, waiting.deadline)
    render.emit(batch, COLUMNS, choice)
    if waiting.wait:
        listed_by = f"asst vector-stores batches files {store_id} {batch['id']} --status failed"
        indexing.check_indexed(batch, paths.files_of(paths.batch(store_id, batch["id"])), listed_by)


@app.command()
@output_choice
def get(store_id: indexing.StoreId, batch_id: BatchId, choice: render.Choice) -> None:
    """Show a file batch and its file counts.

    Example: asst vector-stores batches get vs_abc123 vsfb_abc123
    """
    render.emit(api.get(paths.batch(store_id, batch_id)), COLUMNS, choice)


@app.command()
@output_choice
def cancel(store_id: indexing.StoreId, batch_id: BatchId, choice: render.Choice) -> None:
    """Cancel a file batch: files not yet indexed are left out.

    Example: asst vector-stores batches cancel vs_abc123 vsfb_abc123
    """
    render.emit(
        api.post(paths.cancel(paths.batch(store_id, batch_id))),
        COLUMNS,
        choice,
    )


@app.command()
@listing.paged
@output_choice
def files(
    store_id: indexing.StoreId,
    batch_id: BatchId,
    status: indexing.FileStatus = None,
    paging: listing.Paging = listing.FIRST_PAGE,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """List the files of a batch, newest first.

    Example: asst vector-stores batches files vs_abc123 vsfb_abc123 --status failed
    """
    listing.list_objects(
        paths.files_of(paths.batch(store_id, batch_id)),
        indexing.FILE_COLUMNS,
        paging,
        choice,
        what="files",
        extra={"filter": status},
    )
