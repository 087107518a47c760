"""Options shared by many commands, declared once as ``Annotated`` aliases."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, TypeVar

import typer

from . import render


def group(help: str) -> typer.Typer:
    """A command group as every group is made: plain help (rich's help formatter costs ~0.1 s
    of imports on every --help), and no typer completion flags (asst completion covers them)."""
    return typer.Typer(help=help, rich_markup_mode=None, add_completion=False)


T = TypeVar("T")


def by_name(build: Callable[..., T], given: Mapping[str, Any]) -> T:
    """``build`` (a bundle of options, or a function) called with the command's parameters of
    the same names: ``by_name(RunOptions, locals())``. Passing each by name rather than a dozen
    in a row means no call breaks when a field is added or the order changes; a field the
    command does not have keeps its default."""
    wanted = inspect.signature(build).parameters
    return build(**{name: given[name] for name in wanted if name in given})


Command = Callable[..., None]


def bundled(
    parameter: str, kind: Callable[..., Any], declared: Mapping[str, Any]
) -> Callable[[Command], Command]:
    """A decorator for commands that share a set of options, declared once (``declared``:
    name -> ``Annotated`` alias). They take the place of the command's ``parameter``, so
    ``--help`` lists them there, and the command receives them built into one ``kind``, by
    name (a name ``kind`` does not take is an error); each default is ``kind``'s own."""
    defaults = inspect.signature(kind).parameters

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        parameters = list(signature.parameters.values())
        at = list(signature.parameters).index(parameter)
        parameters[at : at + 1] = [
            inspect.Parameter(
                name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=defaults[name].default,
                annotation=alias,
            )
            for name, alias in declared.items()
        ]  # fmt: skip

        @functools.wraps(command)
        def with_bundle(**given: Any) -> None:
            bundle = kind(**{name: given.pop(name) for name in declared})
            command(**{parameter: bundle}, **given)

        with_bundle.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        return with_bundle

    return decorate


def check_output(value: str | None) -> str | None:
    problem = None if value is None else render.format_problem(value)
    if problem:
        raise typer.BadParameter(problem)
    render.remember_format(value)
    return value


def _check_query(value: str | None) -> str | None:
    if value:
        import jmespath
        from jmespath.exceptions import JMESPathError

        try:
            jmespath.compile(value)
        except JMESPathError as exc:
            message = str(exc).splitlines()[0]
            raise typer.BadParameter(f"invalid JMESPath expression: {message}") from None
    return value


def complete_output(incomplete: str) -> list[str]:
    return [name for name in render.FORMATS if name.startswith(incomplete)]


Output = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FORMAT",
        help="table, json, yaml, tsv, jsonl, id, text or none "
        "(default: table on a terminal, else json; env: ASST_OUTPUT)",
        callback=check_output,
        autocompletion=complete_output,
        show_default=False,
    ),
]
Query = Annotated[
    str | None,
    typer.Option(
        "--query",
        "-q",
        metavar="JMESPATH",
        help="JMESPath expression applied before formatting, e.g. \"[?name=='x'].id\"",
        callback=_check_query,
    ),
]
# Every command's output choice (-o, -q), in place of its ``choice`` parameter: the command
# passes it on whole and only the renderer decides what it prints.
output_choice = bundled("choice", render.Choice, {"format": Output, "query": Query})
Limit = Annotated[
    int | None,
    typer.Option(
        "--limit", "-l", min=1, max=100, help="Objects per page (1-100; server default 20)"
    ),
]
Order = Annotated[
    Literal["asc", "desc"] | None,
    typer.Option("--order", help="Sort by creation time: asc or desc (server default: desc)"),
]
After = Annotated[str | None, typer.Option("--after", metavar="ID", help="Start after this id")]
Timeout = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        min=0,
        metavar="SECONDS",
        help="Deadline for the whole command from its start: every request, poll, upload and "
        "tool round (exit 124)",
    ),
]
Before = Annotated[str | None, typer.Option("--before", metavar="ID", help="End before this id")]
All = Annotated[
    bool, typer.Option("--all", "-A", help="Follow every page (streams output as it arrives)")
]
# The ids of a run's place, for the commands that address one (messages, runs, steps).
ThreadId = Annotated[str, typer.Argument(metavar="THREAD", help="Thread id")]
RunId = Annotated[str, typer.Argument(metavar="RUN", help="Run id")]
Metadata = Annotated[
    list[str] | None,
    typer.Option(
        "--metadata",
        "-m",
        metavar="KEY=VALUE",
        help="Metadata pair; repeat for more (16 keys, 64-char keys, 512-char values)",
    ),
]
DefinitionFile = Annotated[
    str | None,
    typer.Option("--file", "-f", metavar="FILE", help="YAML definition file ('-' reads stdin)"),
]
Concurrency = Annotated[
    int,
    typer.Option(
        "--concurrency",
        "-j",
        min=1,
        max=32,
        metavar="N",
        help="Local files uploaded at the same time (1-32)",
    ),
]

# Tool resources, shared by assistants and threads.
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

# Shared by assistants and runs (a run overrides its assistant's).
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
Attach = Annotated[
    list[str] | None,
    typer.Option(
        "--attach",
        metavar="PATH_OR_FILE_ID[:TOOL]",
        help="Attach a file (local files are uploaded) for file_search (default) or "
        "code_interpreter; repeatable",
    ),
]
