"""asst assistants: create, list, get, update and delete assistants."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .. import api, listing, render
from ..definitions import assistant_flags
from ..options import DefinitionFile, Metadata, Output, Query, by_name, group

app = group("Create, list, inspect, update and delete assistants.")
PATH = "/assistants"


def _tools(assistant: dict[str, Any]) -> str:
    tools = assistant.get("tools") or []
    names = [
        t.get("function", {}).get("name", "function")
        if t.get("type") == "function"
        else t.get("type")
        for t in tools
        if isinstance(t, dict)
    ]
    return ", ".join(str(n) for n in names)


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
CodeFile = Annotated[
    list[str] | None,
    typer.Option("--code-file", metavar="FILE_ID", help="File id for code_interpreter; repeatable"),
]
VectorStore = Annotated[
    list[str] | None,
    typer.Option(
        "--vector-store", metavar="VS_ID", help="Vector store id for file_search; repeatable"
    ),
]
Temperature = Annotated[float | None, typer.Option("--temperature", min=0, max=2, help="0 to 2")]
TopP = Annotated[float | None, typer.Option("--top-p", min=0, max=1, help="0 to 1")]
ResponseFormat = Annotated[
    str | None,
    typer.Option(
        "--response-format",
        metavar="FORMAT",
        help="auto, text, json_object, or a JSON file holding a json_schema format",
    ),
]


@app.command()
def create(
    file: DefinitionFile = None,
    name: Name = None,
    model: Model = None,
    instructions: Instructions = None,
    instructions_file: InstructionsFile = None,
    description: Description = None,
    tools: Tool = None,
    functions: Function = None,
    code_files: CodeFile = None,
    vector_stores: VectorStore = None,
    temperature: Temperature = None,
    top_p: TopP = None,
    response_format: ResponseFormat = None,
    metadata: Metadata = None,
    output: Output = None,
    query: Query = None,
) -> None:
    """Create an assistant from flags or a YAML definition (flags override the file).

    Example: asst assistants create --name helper --model gpt-4o --tool code_interpreter
    """
    flags = by_name(assistant_flags.AssistantFlags, locals())
    body = assistant_flags.assistant_body(file, flags, require_model=True)
    render.emit(api.post(PATH, body), COLUMNS, output, query)


@app.command("list")
@listing.paged
def list_(
    paging: listing.Paging = listing.FIRST_PAGE,
    output: Output = None,
    query: Query = None,
) -> None:
    """List assistants, newest first.

    Example: asst assistants list --all -o id
    """
    listing.list_objects(PATH, COLUMNS, paging, output, query, what="assistants")


@app.command()
def get(
    assistant_id: Annotated[str, typer.Argument(metavar="ID", help="Assistant id")],
    output: Output = None,
    query: Query = None,
) -> None:
    """Show one assistant.

    Example: asst assistants get asst_abc123 -o yaml
    """
    render.emit(api.get(f"{PATH}/{api.segment(assistant_id)}"), COLUMNS, output, query)


@app.command()
def update(
    assistant_id: Annotated[str, typer.Argument(metavar="ID", help="Assistant id")],
    file: DefinitionFile = None,
    name: Name = None,
    model: Model = None,
    instructions: Instructions = None,
    instructions_file: InstructionsFile = None,
    description: Description = None,
    tools: Tool = None,
    functions: Function = None,
    code_files: CodeFile = None,
    vector_stores: VectorStore = None,
    temperature: Temperature = None,
    top_p: TopP = None,
    response_format: ResponseFormat = None,
    metadata: Metadata = None,
    output: Output = None,
    query: Query = None,
) -> None:
    """Change an assistant; only the fields given are sent.

    Example: asst assistants update asst_abc123 --instructions-file prompt.md
    """
    flags = by_name(assistant_flags.AssistantFlags, locals())
    body = assistant_flags.assistant_body(file, flags, require_model=False)
    path = f"{PATH}/{api.segment(assistant_id)}"
    render.emit(api.post(path, body), COLUMNS, output, query)


@app.command()
def delete(
    assistant_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Assistant ids")],
    output: Output = None,
    query: Query = None,
) -> None:
    """Delete assistants; every id is tried, and the exit code reports the first failure.

    Example: asst assistants list -o id | xargs asst assistants delete
    """
    listing.delete_objects(PATH, assistant_ids, output, query)
