"""Request bodies for create and update: a definition file merged with flags (flags win)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import checks
from ..errors import UsageError
from . import assistants


@dataclass
class AssistantFlags:
    name: str | None = None
    model: str | None = None
    instructions: str | None = None
    instructions_file: str | None = None
    description: str | None = None
    tools: list[str] | None = None
    functions: list[str] | None = None
    code_files: list[str] | None = None
    vector_stores: list[str] | None = None
    temperature: float | None = None
    top_p: float | None = None
    response_format: str | None = None
    metadata: list[str] | None = None


def _instructions(flags: AssistantFlags) -> str | None:
    if flags.instructions is not None and flags.instructions_file is not None:
        raise UsageError("--instructions and --instructions-file both given", "use one of them")
    if flags.instructions_file is None:
        return flags.instructions
    path = Path(flags.instructions_file)
    return assistants.read_text_file(
        path, lambda message: UsageError(f"--instructions-file: {message}")
    )


def _tools(flags: AssistantFlags) -> list[dict[str, Any]] | None:
    if not flags.tools and not flags.functions:
        return None
    tools: list[dict[str, Any]] = []
    for kind in flags.tools or []:
        if kind not in ("code_interpreter", "file_search"):
            raise UsageError(
                f"--tool: unknown tool '{kind}'",
                "use code_interpreter or file_search; add functions with --function FILE.json",
            )
        tools.append({"type": kind})
    tools.extend(assistants.load_function(path) for path in flags.functions or [])
    return tools


def _tool_key(tool: dict[str, Any]) -> str:
    """What a tool flag replaces in a file: the tool of its type, or the function of its name."""
    if tool.get("type") == "function":
        return "function:" + str((tool.get("function") or {}).get("name"))
    return str(tool.get("type"))


def _merged_tools(
    from_file: list[dict[str, Any]] | None, from_flags: list[dict[str, Any]] | None
) -> list[dict[str, Any]] | None:
    """Flags merge into the file's tools as -m merges into its metadata: each flag's tool takes
    the place of the file's tool with the same key, the others stay (in the file's order)."""
    if from_flags is None:
        return None
    merged = {_tool_key(tool): tool for tool in from_file or []}
    merged.update({_tool_key(tool): tool for tool in from_flags})
    return list(merged.values())


def assistant_body(
    file: str | None, flags: AssistantFlags, *, require_model: bool
) -> dict[str, Any]:
    """The body to send; everything is validated here, before any request."""
    body = assistants.load_assistant(file).body if file else {}
    simple = {
        "name": flags.name,
        "model": flags.model,
        "description": flags.description,
        "instructions": _instructions(flags),
        "tools": _merged_tools(body.get("tools"), _tools(flags)),
        "temperature": flags.temperature,
        "top_p": flags.top_p,
        "response_format": (
            None
            if flags.response_format is None
            else assistants.response_format_flag(flags.response_format)
        ),
    }
    body.update({key: value for key, value in simple.items() if value is not None})
    checks.merge_tool_resources(body, flags.code_files, flags.vector_stores)
    checks.merge_metadata(body, flags.metadata)
    if require_model and not body.get("model"):
        raise UsageError("a model is required", "pass --model NAME or set 'model:' in the file")
    if not require_model and not body:
        raise UsageError("nothing to update", "pass at least one flag or -f FILE")
    return body
