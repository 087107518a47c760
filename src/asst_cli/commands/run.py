"""asst run: ask an assistant one thing, from a script or a terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import followopts, oneshot, runopts
from ..options import DefinitionFile, Metadata, Output, Query


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
    stream: followopts.Stream = False,
    timeout: followopts.Timeout = None,
    interval: followopts.Interval = None,
    cancel_on_timeout: followopts.CancelOnTimeout = False,
    cancel_on_interrupt: followopts.CancelOnInterrupt = False,
    tool: followopts.Tool = None,
    tool_handler: followopts.ToolHandler = None,
    tool_timeout: followopts.ToolTimeout = 60.0,
    tool_errors: followopts.ToolErrors = "continue",
    download_dir: followopts.DownloadDir = None,
    force: followopts.Force = False,
    instructions: runopts.Instructions = None,
    additional_instructions: runopts.AdditionalInstructions = None,
    model: runopts.Model = None,
    tool_choice: runopts.ToolChoice = None,
    temperature: runopts.Temperature = None,
    top_p: runopts.TopP = None,
    max_prompt_tokens: runopts.MaxPromptTokens = None,
    max_completion_tokens: runopts.MaxCompletionTokens = None,
    truncation: runopts.Truncation = None,
    parallel_tool_calls: runopts.ParallelToolCalls = None,
    response_format: runopts.ResponseFormat = None,
    metadata: Metadata = None,
    output: Output = None,
    query: Query = None,
) -> None:
    """Ask an assistant: new thread (or --thread/--continue), message, run; --wait for the reply.

    Exit codes with --wait: 0 completed, 5 failed, 6 cancelled/expired/incomplete, 8 a tool
    call nobody answered, 124 deadline, 130 interrupted.

    Example: asst run --wait --timeout 300 -o text -f assistant.yaml "Review this diff"
    """
    request = oneshot.Request(message, assistant, file, thread, resume, attach)
    options = runopts.RunOptions(
        instructions, additional_instructions, model, tool_choice, temperature, top_p,
        max_prompt_tokens, max_completion_tokens, truncation, parallel_tool_calls,
        response_format, metadata,
    )  # fmt: skip
    follow = followopts.follow(
        timeout, interval, cancel_on_timeout, cancel_on_interrupt, tool, tool_handler,
        tool_timeout, tool_errors, download_dir, force,
    )  # fmt: skip
    plan = oneshot.plan(request, options, follow.tool_config)
    oneshot.run(plan, follow, wait, stream, output, query)
