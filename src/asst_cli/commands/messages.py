"""asst messages: add, list, inspect, update and delete the messages of a thread."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

import typer

from .. import api, listing, paths, render
from ..definitions import threads
from ..options import Attach, Metadata, ThreadId, group, output_choice
from ..present import transcript
from ..runs import follow_options, outcome

app = group("Add, list, inspect, update and delete the messages of a thread.")
COLUMNS = transcript.MESSAGE_COLUMNS

MessageId = Annotated[str, typer.Argument(metavar="MSG", help="Message id")]


@app.command()
@output_choice
def create(
    thread_id: ThreadId,
    text: Annotated[
        str | None, typer.Argument(metavar="TEXT", help="Message text; '-' reads stdin")
    ] = None,
    content_file: Annotated[
        str | None,
        typer.Option("--content-file", metavar="PATH", help="Read the message text from a file"),
    ] = None,
    role: Annotated[
        Literal["user", "assistant"], typer.Option("--role", help="user or assistant")
    ] = "user",
    attach: Attach = None,
    metadata: Metadata = None,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Add a message to a thread.

    Example: asst messages create thread_abc123 "Plot this" --attach data.csv:code_interpreter
    """
    path = paths.messages(thread_id)
    draft = threads.message_draft(role, text, content_file, attach, metadata)
    render.emit(api.post(path, draft.ready()), COLUMNS, choice)


@app.command("list")
@listing.paged
@output_choice
def list_(
    thread_id: ThreadId,
    run: Annotated[
        str | None, typer.Option("--run", metavar="RUN", help="Only messages this run wrote")
    ] = None,
    paging: listing.Paging = listing.FIRST_PAGE,
    download_dir: follow_options.DownloadDir = None,
    force: follow_options.Force = False,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """List the messages of a thread, newest first; --download-dir saves the files they produced.

    Example: asst messages list thread_abc123 --order asc --all -o jsonl
    """
    listing.list_objects(
        paths.messages(thread_id),
        COLUMNS,
        paging,
        choice,
        what="messages",
        extra={"run_id": run},
        tap=outcome.file_saver(follow_options.saver(download_dir, force)),
    )


@app.command()
@output_choice
def get(
    thread_id: ThreadId,
    message_id: MessageId,
    download_dir: follow_options.DownloadDir = None,
    force: follow_options.Force = False,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Show one message; --download-dir saves the images and files it produced.

    Example: asst messages get thread_abc123 msg_abc123 -q "content[0].text.value"
    """
    save = outcome.file_saver(follow_options.saver(download_dir, force))
    message = api.get(paths.message(thread_id, message_id))
    if save is not None:
        save(message)
    render.emit(message, COLUMNS, choice)


@app.command()
@output_choice
def update(
    thread_id: ThreadId,
    message_id: MessageId,
    metadata: Metadata = None,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Change a message's metadata (the only field a message lets you change).

    Example: asst messages update thread_abc123 msg_abc123 --metadata reviewed=yes
    """
    body = threads.metadata_update(metadata)
    path = paths.message(thread_id, message_id)
    render.emit(api.update(path, body), COLUMNS, choice)


@app.command()
@output_choice
def delete(
    thread_id: ThreadId,
    message_ids: Annotated[list[str], typer.Argument(metavar="MSG...", help="Message ids")],
    choice: render.Choice,
) -> None:
    """Delete messages of a thread; every id is tried.

    Example: asst messages delete thread_abc123 msg_abc123 msg_def456
    """
    listing.delete_objects(partial(paths.message, thread_id), message_ids, choice)
