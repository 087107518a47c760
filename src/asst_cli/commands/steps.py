"""asst steps: the steps a run took (messages written, tools called)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .. import api, listing, paths, render
from ..options import RunId, ThreadId, group, output_choice
from ..present.steps import tool_names

app = group("List and inspect the steps of a run.")


def _details(step: dict[str, Any]) -> str:
    """What the step did: the message it wrote, or the tools it called."""
    details = step.get("step_details") or {}
    created = details.get("message_creation")
    if isinstance(created, dict):
        return f"message {created.get('message_id')}"
    return tool_names(details.get("tool_calls"), None)


COLUMNS = (
    render.Column("ID", "id"),
    render.Column("TYPE", "type"),
    render.Column("STATUS", "status"),
    render.Column("CREATED", "created_at", time=True),
    render.Column("RUN", "run_id", detail=True),
    render.Column("DETAILS", _details, detail=True),
    render.Column("USAGE", "usage", detail=True),
)


@app.command("list")
@listing.paged
@output_choice
def list_(
    thread_id: ThreadId,
    run_id: RunId,
    include_file_search_content: Annotated[
        bool,
        typer.Option(
            "--include-file-search-content", help="Include the text of file_search results"
        ),
    ] = False,
    paging: listing.Paging = listing.FIRST_PAGE,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """List the steps of a run, newest first.

    Example: asst steps list thread_abc123 run_abc123 --order asc -o yaml
    """
    include = paths.FILE_SEARCH_CONTENT if include_file_search_content else None
    listing.list_objects(
        paths.steps(thread_id, run_id),
        COLUMNS,
        paging,
        choice,
        what="steps",
        extra={"include[]": include},
    )


@app.command()
@output_choice
def get(
    thread_id: ThreadId,
    run_id: RunId,
    step_id: Annotated[str, typer.Argument(metavar="STEP", help="Run step id")],
    choice: render.Choice,
) -> None:
    """Show one step of a run.

    Example: asst steps get thread_abc123 run_abc123 step_abc123 -o json
    """
    render.emit(api.get(paths.step(thread_id, run_id, step_id)), COLUMNS, choice)
