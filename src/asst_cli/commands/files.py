"""asst files: upload, list, inspect, download and delete files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from .. import api, listing, paths, render
from ..options import Concurrency, group, output_choice
from ..transfer import downloads, uploads

app = group("Upload, list, inspect, download and delete files.")

COLUMNS = (
    render.Column("ID", "id"),
    render.Column("FILENAME", "filename"),
    render.Column("BYTES", "bytes"),
    render.Column("PURPOSE", "purpose"),
    render.Column("CREATED", "created_at", time=True),
    render.Column("STATUS", "status", detail=True),
)
SAVED_COLUMNS = (
    render.Column("ID", "id"),
    render.Column("PATH", "path"),
    render.Column("BYTES", "bytes"),
)

Purpose = Annotated[
    Literal["assistants", "vision", "batch", "fine-tune", "user_data", "evals"],
    typer.Option("--purpose", help="What the files are for (Foundry: assistants or vision)"),
]
FileId = Annotated[str, typer.Argument(metavar="ID", help="File id")]


@app.command()
@output_choice
def upload(
    paths: Annotated[list[str], typer.Argument(metavar="PATH...", help="Local files to upload")],
    purpose: Purpose = "assistants",
    concurrency: Concurrency = uploads.DEFAULT_CONCURRENCY,
    skip_existing: Annotated[
        bool,
        typer.Option(
            "--skip-existing",
            help="Do not upload a file whose name and size match a file already there with "
            "this purpose; print that file instead",
        ),
    ] = False,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Upload files, several at a time; every path is checked before the first request.

    The uploaded files are printed (a list, in the order given); a failed upload is named on
    stderr and sets the exit code once the others have finished. Re-running the same command
    with --skip-existing then uploads only the files that failed.

    Example: asst files upload notes.pdf data.csv -o id
    """
    files = [uploads.readable_file(Path(path), path) for path in paths]
    there = uploads.already_uploaded(files, purpose) if skip_existing else {}
    if there:
        render.progress(
            f"Skipped {len(there)} file(s) already uploaded (same name, size and purpose): "
            + ", ".join(str(path) for path in files if path in there)
        )
    results = uploads.upload_many([f for f in files if f not in there], purpose, concurrency)
    done = {u.path: u.file for u in results if u.file is not None}
    printed = [there.get(f) or done.get(f) for f in files]
    render.emit([file for file in printed if file is not None], COLUMNS, choice)
    uploads.report_failures(results)


@app.command("list")
@listing.paged
@output_choice
def list_(
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="Only files with this purpose")
    ] = None,
    paging: listing.Paging = listing.FIRST_PAGE,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """List files, newest first.

    Example: asst files list --purpose assistants -o tsv
    """
    # No dialect's files list has a 'before' cursor: listing asks the opposite order instead.
    extra = {"purpose": purpose}
    listing.list_objects(
        paths.FILES,
        COLUMNS,
        paging,
        choice,
        what="files",
        extra=extra,
        native_before=False,
    )


@app.command()
@output_choice
def get(file_id: FileId, choice: render.Choice) -> None:
    """Show one file's details (not its content: see 'asst files download').

    Example: asst files get file-abc123 -o yaml
    """
    render.emit(api.get(paths.file(file_id)), COLUMNS, choice)


listing.add_delete_command(
    app,
    paths.file,
    ids_help="File ids",
    doc="""Delete files; every id is tried, and the exit code reports the first failure.

    Example: asst files list --purpose assistants --all -o id | xargs asst files delete
    """,
)


@app.command()
@output_choice
def download(
    file_id: FileId,
    output_file: Annotated[
        str | None,
        typer.Option(
            "--output-file", "-O", metavar="PATH", help="Save as PATH ('-' writes to stdout)"
        ),
    ] = None,
    directory: Annotated[
        str | None,
        typer.Option("--dir", metavar="DIR", help="Save into DIR under the server's file name"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing file (or symlink) of that name")
    ] = False,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Download a file's content; it appears only once complete, and never overwrites unasked.

    Without -O the server's file name is used, reduced to a plain name in the directory.
    The file id, saved path and size are printed ('-q path' gives the path alone).

    Example: asst files download file-abc123 --dir downloads -q path
    """
    where = downloads.target(output_file, directory, force)
    if where.stdout:
        with (
            api.stream_get(paths.content(paths.file(file_id))) as response,
            downloads.cut_off_is_temporary(),
        ):
            render.binary(response.iter_bytes())
        return
    target, size = downloads.fetch(file_id, where, force)
    saved = {"id": file_id, "path": str(target), "bytes": size}
    render.emit(saved, SAVED_COLUMNS, choice)
