"""asst threads: create, inspect, update and delete threads, or create one and run it at once."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .. import api, listing, options, paths, render
from ..definitions import threads
from ..options import CodeFile, DefinitionFile, Metadata, VectorStore, group, output_choice
from ..runs import follow_options, oneshot, outcome, start_options

app = group("Create, list, inspect, update and delete threads; start a run on a new thread.")

COLUMNS = (
    render.Column("ID", "id"),
    render.Column("CREATED", "created_at", time=True),
    render.Column("METADATA", "metadata"),
    render.Column("TOOL RESOURCES", "tool_resources", detail=True),
)

ThreadId = Annotated[str, typer.Argument(metavar="ID", help="Thread id")]
Message = Annotated[
    list[str] | None,
    typer.Option("--message", metavar="TEXT", help="A user message to start with; repeatable"),
]


@app.command("list")
@listing.paged
@output_choice
def list_(paging: listing.Paging, choice: render.Choice) -> None:
    """List threads, newest first: the server's own list where it has one (Foundry), else the
    threads asst created at this backend and endpoint, from its local ledger (stderr says which).

    Example: asst threads list --all -o id
    """
    listing.list_threads(COLUMNS, paging, choice)


@app.command()
@output_choice
def create(
    file: DefinitionFile = None,
    message: Message = None,
    metadata: Metadata = None,
    vector_store: VectorStore = None,
    code_file: CodeFile = None,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Create a thread from flags or a YAML definition; local attachments are uploaded first.

    Example: asst threads create --message "Summarise the report" -m ticket=42 -o id
    """
    flags = threads.ThreadFlags(
        messages=message, metadata=metadata, vector_stores=vector_store, code_files=code_file
    )
    draft = threads.thread_body(file, flags)
    render.emit(api.post(paths.THREADS, draft.ready()), COLUMNS, choice)


@app.command()
@output_choice
def show(
    thread_id: Annotated[
        str | None,
        typer.Argument(metavar="[ID]", help="Thread id; the last run's thread if omitted"),
    ] = None,
    with_steps: Annotated[
        bool,
        typer.Option(
            "--steps",
            help="Show what each run did before its reply: the code it ran, searches, calls",
        ),
    ] = False,
    download_dir: follow_options.DownloadDir = None,
    force: follow_options.Force = False,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """The whole conversation, oldest first: role, time, text, files and footnotes.

    On a terminal the text is rendered as Markdown; -o json gives the message list. Without an
    ID, the thread of the last 'asst run' at this backend and endpoint (what -c continues).

    Example: asst threads show thread_abc123 --steps --download-dir out
    """
    thread = thread_id or oneshot.last_run("pass its ID: asst threads show ID", "to show")["thread"]
    messages = api.iterate(paths.messages(thread), {"order": "asc"})

    def steps_of(run_id: str) -> list[dict[str, Any]]:
        return list(api.iterate(paths.steps(thread, run_id), {"order": "asc"}))

    saver = follow_options.saver(download_dir, force)
    outcome.show_thread(messages, saver, choice, steps_of if with_steps else None)


@app.command()
@output_choice
def get(thread_id: ThreadId, choice: render.Choice) -> None:
    """Show one thread.

    Example: asst threads get thread_abc123 -o yaml
    """
    render.emit(api.get(paths.thread(thread_id)), COLUMNS, choice)


@app.command()
@output_choice
def update(
    thread_id: ThreadId,
    file: DefinitionFile = None,
    metadata: Metadata = None,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Change a thread's metadata or tool resources; only the fields given are sent.

    Example: asst threads update thread_abc123 --metadata status=done
    """
    flags = threads.ThreadFlags(metadata=metadata)
    body = threads.thread_body(file, flags, update=True).body
    render.emit(api.update(paths.thread(thread_id), body), COLUMNS, choice)


listing.add_delete_command(
    app,
    paths.thread,
    ids_help="Thread ids",
    doc="""Delete threads with their messages and runs; every id is tried.

    Example: asst threads delete thread_abc123 thread_def456
    """,
)


# Every run flag but --additional-instructions: the protocol's create-and-run has no such field.
_RUN_FLAGS = {k: v for k, v in start_options.RUN_FLAGS.items() if k != "additional_instructions"}


@app.command("create-and-run")
@options.bundled("run", start_options.RunOptions, _RUN_FLAGS)
@output_choice
def create_and_run(
    assistant: start_options.Assistant,
    message: Message = None,
    run: start_options.RunOptions = start_options.NOT_GIVEN,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Create a thread and start a run on it in one request; prints the run (it is not awaited).

    Example: asst threads create-and-run --assistant asst_abc123 --message "Hello" -o id
    """
    body = start_options.run_body(assistant, run)
    thread = threads.thread_body(None, threads.ThreadFlags(messages=message))
    if thread.body:
        body["thread"] = thread.body
    render.emit(api.post(paths.THREAD_RUNS, body), start_options.COLUMNS, choice)
