"""asst steps: the steps a run took (messages written, tools called)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .. import api, listing, paths, render
from ..options import Output, Query, group

app = group("List and inspect the steps of a run.")


def _details(step: dict[str, Any]) -> str:
    """What the step did: the message it wrote, or the tools it called."""
    details = step.get("step_details") or {}
    created = details.get("message_creation")
    if isinstance(created, dict):
        return f"message {created.get('message_id')}"
    calls = details.get("tool_calls") or []
    names = [
        c.get("function", {}).get("name") if c.get("type") == "function" else c.get("type")
        for c in calls
        if isinstance(c, dict)
    ]
    return ", ".join(str(name) for name in names)


COLUMNS = (
    render.Column("ID", "id"),
    render.Column("TYPE", "type"),
    render.Column("STATUS", "status"),
    render.Column("CREATED", "created_at", time=True),
    render.Column("RUN", "run_id", detail=True),
    render.Column("DETAILS", _details, detail=True),
    render.Column("USAGE", "usage", detail=True),
)

ThreadId = Annotated[str, typer.Argument(metavar="THREAD", help="Thread id")]
RunId = Annotated[str, typer.Argument(metavar="RUN", help="Run id")]


@app.command("list")
@listing.paged
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
    output: Output = None,
    query: Query = None,
) -> None:
    """List the steps of a run, newest first.

    Example: asst steps list thread_abc123 run_abc123 --order asc -o yaml
    """
    include = paths.FILE_SEARCH_CONTENT if include_file_search_content else None
    listing.list_objects(
        paths.steps(thread_id, run_id),
        COLUMNS,
        paging,
        render.Choice(output, query),
        what="steps",
        extra={"include[]": include},
    )


@app.command()
def get(
    thread_id: ThreadId,
    run_id: RunId,
    step_id: Annotated[str, typer.Argument(metavar="STEP", help="Run step id")],
    output: Output = None,
    query: Query = None,
) -> None:
    """Show one step of a run.

    Example: asst steps get thread_abc123 run_abc123 step_abc123 -o json
    """
    render.emit(
        api.get(paths.step(thread_id, run_id, step_id)), COLUMNS, render.Choice(output, query)
    )
