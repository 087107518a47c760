"""asst vector-stores: create, list, inspect, update and delete vector stores.

The store's files and file batches are sub-groups (vs_files.py, vs_batches.py), composed here.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .. import api, listing, paths, render
from ..definitions import vector_stores
from ..options import Concurrency, Metadata, by_name, group, output_choice
from ..transfer import indexing, uploads
from . import vs_batches, vs_files

app = group("Create, list, inspect, update and delete vector stores (file search).")
app.add_typer(vs_files.app, name="files")
app.add_typer(vs_batches.app, name="batches")

COLUMNS = (
    render.Column("ID", "id"),
    render.Column("NAME", "name"),
    render.Column("STATUS", "status"),
    render.Column("FILES", indexing.counts),
    render.Column("USAGE", "usage_bytes"),
    render.Column("CREATED", "created_at", time=True),
    render.Column("EXPIRES", "expires_at", time=True, detail=True),
    render.Column("LAST ACTIVE", "last_active_at", time=True, detail=True),
    render.Column("METADATA", "metadata", detail=True),
)

# Not the usual --file: in this group --file names a file to put in the store.
Definition = Annotated[
    str | None,
    typer.Option(
        "-f", "--definition", metavar="FILE", help="YAML definition file ('-' reads stdin)"
    ),
]
Name = Annotated[str | None, typer.Option("--name", help="Display name")]
ExpiresAfterDays = Annotated[
    int | None,
    typer.Option(
        "--expires-after-days",
        min=1,
        max=vector_stores.MAX_DAYS,
        metavar="N",
        help="Expire N days after last use (1-365)",
    ),
]


@app.command()
@indexing.wait_flags
@output_choice
def create(
    file: Definition = None,
    name: Name = None,
    files: Annotated[
        list[str] | None,
        typer.Option(
            "--file",
            metavar="PATH_OR_ID",
            help="Local file (uploaded first) or file id to index; repeatable; adds to -f's",
        ),
    ] = None,
    expires_after_days: ExpiresAfterDays = None,
    chunking: indexing.Chunking = None,
    metadata: Metadata = None,
    concurrency: Concurrency = uploads.DEFAULT_CONCURRENCY,
    waiting: indexing.Waiting = indexing.NO_WAIT,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Create a vector store, with files (local ones are uploaded first) from flags or YAML.

    Example: asst vector-stores create --name handbook --file docs/intro.md --file file-abc --wait
    """
    flags = by_name(vector_stores.StoreFlags, locals())
    definition = vector_stores.create_def(file, flags)
    body = definition.body
    if definition.files:
        body["file_ids"] = uploads.file_ids(definition.files, concurrency=concurrency)
    store = api.post(paths.VECTOR_STORES, body)
    store_path = paths.vector_store(store["id"])
    if waiting.wait:
        store = indexing.follow(store_path, store["id"], _again(store), waiting.deadline)
    render.emit(store, COLUMNS, choice)
    if waiting.wait:
        listed_by = f"asst vector-stores files list {store['id']} --status failed"
        indexing.check_indexed(store, paths.files_of(store_path), listed_by)


def _again(store: dict[str, str]) -> str:
    return f"asst vector-stores get {store['id']}"


@app.command("list")
@listing.paged
@output_choice
def list_(paging: listing.Paging, choice: render.Choice) -> None:
    """List vector stores, newest first.

    Example: asst vector-stores list --all -o tsv
    """
    listing.list_objects(paths.VECTOR_STORES, COLUMNS, paging, choice, what="vector stores")


@app.command()
@output_choice
def get(store_id: indexing.StoreId, choice: render.Choice) -> None:
    """Show one vector store, with its file counts.

    Example: asst vector-stores get vs_abc123 -q file_counts
    """
    render.emit(api.get(paths.vector_store(store_id)), COLUMNS, choice)


@app.command()
@output_choice
def update(
    store_id: indexing.StoreId,
    file: Definition = None,
    name: Name = None,
    expires_after_days: ExpiresAfterDays = None,
    metadata: Metadata = None,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Rename a vector store, or change its expiry or metadata; only what is given is sent.

    Example: asst vector-stores update vs_abc123 --name handbook-v2 --expires-after-days 30
    """
    flags = by_name(vector_stores.StoreFlags, locals())
    body = vector_stores.update_body(file, flags)
    render.emit(api.update(paths.vector_store(store_id), body), COLUMNS, choice)


listing.add_delete_command(
    app,
    paths.vector_store,
    ids_help="Vector store ids",
    doc="""Delete vector stores (their files stay); the exit code reports the first failure.

    Example: asst vector-stores list --all -o id | xargs asst vector-stores delete
    """,
)
