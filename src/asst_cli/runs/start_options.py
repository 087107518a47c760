"""Run options: the flags every command that starts a run shares, and the body they build.

``asst runs create``, ``asst threads create-and-run`` and the one-shot ``asst run`` declare the
same flags (the aliases below) and turn them into a request body with :func:`run_body`, which
validates everything before any request is made.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Annotated, Any

import typer

from .. import checks, options, render
from ..definitions import assistants
from ..errors import UsageError

TOOL_CHOICES = ("auto", "none", "required")
NAMED_TOOLS = ("code_interpreter", "file_search")
MIN_TOKENS = 256  # the protocol's floor for max_prompt_tokens and max_completion_tokens


def _tool_calls(run: dict[str, Any]) -> str:
    """The calls a run waits for, as ``call_id name(arguments)``, one per line."""
    action = run.get("required_action") or {}
    calls = (action.get("submit_tool_outputs") or {}).get("tool_calls") or []
    lines = []
    for call in calls:
        if not isinstance(call, dict):
            continue
        function = call.get("function") or {}
        lines.append(f"{call.get('id')} {function.get('name')}({function.get('arguments')})")
    return "\n".join(lines)


# Runs print the same way wherever they were started (runs create, create-and-run, asst run).
COLUMNS = (
    render.Column("ID", "id"),
    render.Column("STATUS", "status"),
    render.Column("ASSISTANT", "assistant_id"),
    render.Column("MODEL", "model"),
    render.Column("CREATED", "created_at", time=True),
    render.Column("THREAD", "thread_id", detail=True),
    render.Column("TOOL CALLS", _tool_calls, detail=True),
    render.Column("LAST ERROR", "last_error.message", detail=True),
    render.Column("USAGE", "usage", detail=True),
    render.Column("METADATA", "metadata", detail=True),
)

Assistant = Annotated[
    str, typer.Option("--assistant", "-a", metavar="ID", help="Assistant that runs the thread")
]
Instructions = Annotated[
    str | None,
    typer.Option("--instructions", help="Replace the assistant's instructions for this run"),
]
AdditionalInstructions = Annotated[
    str | None,
    typer.Option(
        "--additional-instructions", help="Append to the assistant's instructions for this run"
    ),
]
Model = Annotated[str | None, typer.Option("--model", help="Model or deployment name for this run")]
ToolChoice = Annotated[
    str | None,
    typer.Option(
        "--tool-choice",
        metavar="CHOICE",
        help="auto, none, required, code_interpreter, file_search or function:NAME",
    ),
]
MaxPromptTokens = Annotated[
    int | None,
    typer.Option(
        "--max-prompt-tokens", min=MIN_TOKENS, help=f"Prompt token budget (at least {MIN_TOKENS})"
    ),
]
MaxCompletionTokens = Annotated[
    int | None,
    typer.Option(
        "--max-completion-tokens",
        min=MIN_TOKENS,
        help=f"Completion token budget (at least {MIN_TOKENS})",
    ),
]
Truncation = Annotated[
    str | None,
    typer.Option(
        "--truncation",
        metavar="STRATEGY",
        help="auto, or last_messages:N to keep only the N most recent messages",
    ),
]
ParallelToolCalls = Annotated[
    bool | None,
    typer.Option(
        "--parallel-tool-calls/--no-parallel-tool-calls",
        help="Allow several function calls at once (server default: allowed)",
        show_default=False,
    ),
]


@dataclass
class RunOptions:
    """The run flags as given; None means "not given" (the assistant's setting applies)."""

    instructions: str | None = None
    additional_instructions: str | None = None
    model: str | None = None
    tool_choice: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_prompt_tokens: int | None = None
    max_completion_tokens: int | None = None
    truncation: str | None = None
    parallel_tool_calls: bool | None = None
    response_format: str | None = None
    metadata: list[str] | None = None


NOT_GIVEN = RunOptions()
RUN_FLAGS = {
    "instructions": Instructions,
    "additional_instructions": AdditionalInstructions,
    "model": Model,
    "tool_choice": ToolChoice,
    "temperature": options.Temperature,
    "top_p": options.TopP,
    "max_prompt_tokens": MaxPromptTokens,
    "max_completion_tokens": MaxCompletionTokens,
    "truncation": Truncation,
    "parallel_tool_calls": ParallelToolCalls,
    "response_format": options.ResponseFormat,
    "metadata": options.Metadata,
}
# The run flags of 'runs create' and 'asst run', in place of their ``run`` parameter.
run_flags = options.bundled("run", RunOptions, RUN_FLAGS)


def tool_choice(value: str) -> Any:
    """``--tool-choice``: a mode, a built-in tool, or ``function:NAME``."""
    if value in TOOL_CHOICES:
        return value
    if value in NAMED_TOOLS:
        return {"type": value}
    kind, sep, name = value.partition(":")
    if kind == "function" and sep:
        if not checks.FUNCTION_NAME.match(name):
            raise UsageError(
                f"--tool-choice: '{name}' is not a function name",
                "use 1-64 letters, digits, '_' or '-'",
            )
        return {"type": "function", "function": {"name": name}}
    raise UsageError(
        f"--tool-choice: unknown choice '{value}'",
        f"use one of: {', '.join((*TOOL_CHOICES, *NAMED_TOOLS))} or function:NAME",
    )


def truncation(value: str) -> dict[str, Any]:
    """``--truncation``: ``auto`` or ``last_messages:N`` (N at least 1)."""
    if value == "auto":
        return {"type": "auto"}
    kind, sep, count = value.partition(":")
    if kind == "last_messages" and sep and count.isdigit() and int(count) >= 1:
        return {"type": "last_messages", "last_messages": int(count)}
    raise UsageError(
        f"--truncation: expected auto or last_messages:N, got '{value}'",
        "N is a whole number of messages, at least 1",
    )


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "tool_choice": tool_choice,
    "truncation_strategy": truncation,
    "response_format": assistants.response_format_flag,
    "metadata": checks.flag_metadata,
}
_RENAMED = {"truncation": "truncation_strategy"}


def run_body(assistant_id: str, options: RunOptions) -> dict[str, Any]:
    """The body that starts a run (``runs create``, and the run part of ``create-and-run``)."""
    if not assistant_id.strip():
        raise UsageError("--assistant is empty", "pass the id of an existing assistant")
    if options.instructions is not None and options.additional_instructions is not None:
        raise UsageError(
            "--instructions and --additional-instructions both given",
            "use --instructions to replace the assistant's, or --additional-instructions to "
            "append to them",
        )
    body: dict[str, Any] = {"assistant_id": assistant_id.strip()}
    for item in fields(options):
        value = getattr(options, item.name)
        key = _RENAMED.get(item.name, item.name)
        if value is not None and key in _CONVERTERS:
            value = _CONVERTERS[key](value)
        if value is not None:
            body[key] = value
    return body


ToolOutput = Annotated[
    list[str] | None,
    typer.Option(
        "--tool-output", metavar="CALL_ID=TEXT", help="The output of one tool call; repeatable"
    ),
]
ToolOutputsFile = Annotated[
    str | None,
    typer.Option(
        "--outputs-file",
        metavar="FILE",
        help="JSON list of {tool_call_id, output}, or a mapping call id to output ('-': stdin)",
    ),
]
NO_OUTPUTS_HINT = (
    "pass --tool-output CALL_ID=TEXT (repeatable), --outputs-file FILE, or --tool-handler "
    "COMMAND to answer them by running it"
)


def tool_outputs(pairs: list[str] | None, file: str | None) -> list[dict[str, str]] | None:
    """The ``tool_outputs`` of a submission, from ``--tool-output`` flags or a JSON file,
    checked; None when neither was given."""
    if pairs and file is not None:
        raise UsageError(
            "--tool-output and --outputs-file both given", "give the tool outputs one way"
        )
    if file is not None:
        where = f"--outputs-file {file}"
        found = _outputs_from_json(_read_json(file), lambda m: UsageError(f"{where}: {m}"))
    elif pairs:
        found = [_output_pair(pair) for pair in pairs]
    else:
        return None
    seen: set[str] = set()
    for call_id, _ in found:
        if call_id in seen:
            raise UsageError(f"tool call '{call_id}' is answered twice", "give each output once")
        seen.add(call_id)
    return [{"tool_call_id": call_id, "output": output} for call_id, output in found]


def _output_pair(pair: str) -> tuple[str, str]:
    call_id, sep, output = pair.partition("=")
    if not sep or not call_id:
        raise UsageError(
            f"--tool-output expects CALL_ID=TEXT, got '{pair}'",
            "e.g. --tool-output call_abc123=42",
        )
    return call_id, output


def _read_json(file: str) -> Any:
    if file != "-":
        return assistants.load_json_file(file, "--outputs-file")
    try:
        return json.loads(sys.stdin.read())
    except json.JSONDecodeError as exc:
        raise UsageError(f"--outputs-file -: stdin is not JSON ({exc})") from None


def _outputs_from_json(data: Any, fail: Callable[[str], UsageError]) -> list[tuple[str, str]]:
    if isinstance(data, dict):
        items = [{"tool_call_id": key, "output": value} for key, value in data.items()]
    elif isinstance(data, list):
        items = data
    else:
        raise fail(f"expected a list or a mapping, got {checks.type_name(data)}")
    found = []
    for index, item in enumerate(items):
        where = f"item {index}"
        if not isinstance(item, dict) or set(item) != {"tool_call_id", "output"}:
            raise fail(f"{where}: expected a mapping with exactly tool_call_id and output")
        call_id, output = item["tool_call_id"], item["output"]
        if not isinstance(call_id, str) or not call_id:
            raise fail(f"{where}: tool_call_id must be a non-empty string")
        if not isinstance(output, str):
            raise fail(
                f"the output for '{call_id}' must be a string, got {checks.type_name(output)}"
            )
        found.append((call_id, output))
    if not found:
        raise fail("no tool outputs in the file")
    return found
