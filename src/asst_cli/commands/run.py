"""asst run: ask an assistant one thing, from a script or a terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from ..options import DefinitionFile, Metadata, Output, Query, by_name
from ..runs import follow_options, oneshot, start_options


def run(
    message: Annotated[
        str | None, typer.Argument(metavar="MESSAGE", help="What to ask; '-' reads stdin")
    ] = None,
    assistant: Annotated[
        str | None, typer.Option("--assistant", "-a", metavar="ID", help="Assistant to ask")
    ] = None,
    file: DefinitionFile = None,
    thread: Annotated[
        str | None, typer.Option("--thread", metavar="ID", help="Continue this thread")
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--continue", "-c", help="Continue the last thread this profile used"),
    ] = False,
    attach: Annotated[
        list[str] | None,
        typer.Option(
            "--attach",
            metavar="PATH_OR_FILE_ID[:TOOL]",
            help="Attach a file (local files are uploaded) for file_search (default) or "
            "code_interpreter; repeatable",
        ),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", "-w", help="Wait for the reply and print it")
    ] = False,
    stream: follow_options.Stream = False,
    timeout: follow_options.Timeout = None,
    interval: follow_options.Interval = None,
    cancel_on_timeout: follow_options.CancelOnTimeout = False,
    cancel_on_interrupt: follow_options.CancelOnInterrupt = False,
    tool: follow_options.Tool = None,
    tool_handler: follow_options.ToolHandler = None,
    tool_timeout: follow_options.ToolTimeout = 60.0,
    tool_errors: follow_options.ToolErrors = "continue",
    download_dir: follow_options.DownloadDir = None,
    force: follow_options.Force = False,
    instructions: start_options.Instructions = None,
    additional_instructions: start_options.AdditionalInstructions = None,
    model: start_options.Model = None,
    tool_choice: start_options.ToolChoice = None,
    temperature: start_options.Temperature = None,
    top_p: start_options.TopP = None,
    max_prompt_tokens: start_options.MaxPromptTokens = None,
    max_completion_tokens: start_options.MaxCompletionTokens = None,
    truncation: start_options.Truncation = None,
    parallel_tool_calls: start_options.ParallelToolCalls = None,
    response_format: start_options.ResponseFormat = None,
    metadata: Metadata = None,
    output: Output = None,
    query: Query = None,
) -> None:
    """Ask an assistant: new thread (or --thread/--continue), message, run; --wait for the reply.

    Exit codes with --wait: 0 completed, 5 failed, 6 cancelled/expired/incomplete, 8 a tool
    call nobody answered, 124 deadline, 130 interrupted.

    Example: asst run --wait --timeout 300 -o text -f assistant.yaml "Review this diff"
    """
    request = by_name(oneshot.Request, locals())
    options = by_name(start_options.RunOptions, locals())
    follow = by_name(follow_options.follow, locals())
    plan = oneshot.plan(request, options, follow.tool_config)
    oneshot.run(plan, follow, wait, stream, output, query)
