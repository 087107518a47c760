"""asst assistants: create, list, get, update and delete assistants."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .. import api, listing, paths, render
from ..apply import identity
from ..definitions import assistant_flags
from ..options import (
    CodeFile,
    DefinitionFile,
    Metadata,
    ResponseFormat,
    Temperature,
    TopP,
    VectorStore,
    bundled,
    group,
    output_choice,
)
from ..present.steps import tool_names

app = group("Create, list, inspect, update and delete assistants.")


def _tools(assistant: dict[str, Any]) -> str:
    return tool_names(assistant.get("tools"), "function")


COLUMNS = (
    render.Column("ID", "id"),
    render.Column("NAME", "name"),
    render.Column("MODEL", "model"),
    render.Column("TOOLS", _tools),
    render.Column("CREATED", "created_at", time=True),
    render.Column("DESCRIPTION", "description", detail=True),
    render.Column("INSTRUCTIONS", "instructions", detail=True),
    render.Column("METADATA", "metadata", detail=True),
)

Name = Annotated[str | None, typer.Option("--name", help="Display name")]
Model = Annotated[str | None, typer.Option("--model", help="Model or deployment name")]
Instructions = Annotated[str | None, typer.Option("--instructions", help="System instructions")]
InstructionsFile = Annotated[
    str | None,
    typer.Option("--instructions-file", metavar="PATH", help="Read instructions from a file"),
]
Description = Annotated[str | None, typer.Option("--description", help="Description")]
Tool = Annotated[
    list[str] | None,
    typer.Option("--tool", metavar="TYPE", help="code_interpreter or file_search; repeatable"),
]
Function = Annotated[
    list[str] | None,
    typer.Option(
        "--function", metavar="FILE.json", help="Function tool from a JSON file; repeatable"
    ),
]

NO_FLAGS = assistant_flags.AssistantFlags()
# The flags of create and update, in place of their ``flags`` parameter.
assistant_options = bundled(
    "flags",
    assistant_flags.AssistantFlags,
    {
        "name": Name,
        "model": Model,
        "instructions": Instructions,
        "instructions_file": InstructionsFile,
        "description": Description,
        "tools": Tool,
        "functions": Function,
        "code_files": CodeFile,
        "vector_stores": VectorStore,
        "temperature": Temperature,
        "top_p": TopP,
        "response_format": ResponseFormat,
        "metadata": Metadata,
    },
)


@app.command()
@assistant_options
@output_choice
def create(
    file: DefinitionFile = None,
    flags: assistant_flags.AssistantFlags = NO_FLAGS,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Create an assistant from flags or a YAML definition (flags override the file).

    With -f the assistant carries its name as its identity (metadata asst-name), as with
    'asst apply' and 'asst run -f'; an assistant that carries it already is not created twice.

    Example: asst assistants create --name helper --model gpt-4o --tool code_interpreter
    """
    body = assistant_flags.assistant_body(file, flags, require_model=True)
    if file is None:
        render.emit(api.post(paths.ASSISTANTS, body), COLUMNS, choice)
        return
    created = identity.create_managed(paths.ASSISTANTS, body, "assistant")
    render.emit(created, COLUMNS, choice)


@app.command("list")
@listing.paged
@output_choice
def list_(paging: listing.Paging, choice: render.Choice) -> None:
    """List assistants, newest first.

    Example: asst assistants list --all -o id
    """
    listing.list_objects(paths.ASSISTANTS, COLUMNS, paging, choice, what="assistants")


@app.command()
@output_choice
def get(
    assistant_id: Annotated[str, typer.Argument(metavar="ID", help="Assistant id")],
    choice: render.Choice,
) -> None:
    """Show one assistant.

    Example: asst assistants get asst_abc123 -o yaml
    """
    render.emit(api.get(paths.assistant(assistant_id)), COLUMNS, choice)


@app.command()
@assistant_options
@output_choice
def update(
    assistant_id: Annotated[str, typer.Argument(metavar="ID", help="Assistant id")],
    file: DefinitionFile = None,
    flags: assistant_flags.AssistantFlags = NO_FLAGS,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Change an assistant; only the fields given are sent.

    Example: asst assistants update asst_abc123 --instructions-file prompt.md
    """
    body = assistant_flags.assistant_body(file, flags, require_model=False)
    render.emit(api.update(paths.assistant(assistant_id), body), COLUMNS, choice)


listing.add_delete_command(
    app,
    paths.assistant,
    ids_help="Assistant ids",
    doc="""Delete assistants; every id is tried, and the exit code reports the first failure.

    Example: asst assistants list --all -o id | xargs asst assistants delete
    """,
)
