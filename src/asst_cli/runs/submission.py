"""``asst runs submit-tool-outputs``: the outputs given, or the local handlers' answers to the
calls the run waits for."""

from __future__ import annotations

from typing import Any

from .. import api
from ..errors import AsstError, ExitCode, UsageError
from . import handlers, outcome, start_options, waiting


def outputs(
    path: str, given: list[dict[str, str]] | None, follow: outcome.Follow, stream: bool
) -> list[dict[str, str]]:
    """What to submit to the run at ``path`` (the run itself, not its submit_tool_outputs).

    Given outputs are checked against the handlers before any request: a handler without
    --stream could answer nothing but the pending calls, which the outputs already answer.
    """
    tools = follow.tool_config
    if given is not None:
        if not tools.empty() and not stream:
            raise UsageError(
                "--tool and --tool-handler answer the pending calls only when no "
                "--tool-output or --outputs-file is given",
                "drop one of them, or add --stream to answer later calls with the handler",
            )
        return given
    if tools.empty():
        raise UsageError("no tool outputs given", start_options.NO_OUTPUTS_HINT)
    return _answered(path, follow)


def _answered(path: str, follow: outcome.Follow) -> list[dict[str, str]]:
    tools = follow.tool_config
    run: dict[str, Any] = api.get(path)
    calls = handlers.pending_calls(run)
    if not calls:
        raise AsstError(
            f"run {run.get('id')} waits for no tool calls (it is {run.get('status')})",
            "see 'asst runs get' for its state",
            ExitCode.ERROR,
        )
    missing = sorted({c["name"] for c in calls if tools.command_for(c["name"]) is None})
    if missing:
        raise UsageError(
            f"no command answers {', '.join(missing)}",
            "add --tool NAME=COMMAND or --tool-handler COMMAND",
        )
    found = waiting.answer(path, run, follow.wait_options())
    assert found is not None  # every call has a command (checked above)
    return found
