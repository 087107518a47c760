"""asst runs: start, list, inspect, update and cancel runs, and answer their tool calls."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import api, followopts, listing, render, runflow, runopts, thread_defs, tools, waiting
from ..options import After, All, Before, Limit, Metadata, Order, Output, OutputShort, Query, group

app = group("Start, list, inspect, update, cancel and wait for runs; submit tool outputs.")
COLUMNS = runopts.COLUMNS

ThreadId = Annotated[str, typer.Argument(metavar="THREAD", help="Thread id")]
RunId = Annotated[str, typer.Argument(metavar="RUN", help="Run id")]


def _path(thread_id: str, run_id: str | None = None, action: str | None = None) -> str:
    path = f"/threads/{api.segment(thread_id, 'thread id')}/runs"
    if run_id is not None:
        path += f"/{api.segment(run_id, 'run id')}"
    return path if action is None else f"{path}/{action}"


@app.command()
def create(
    thread_id: ThreadId,
    assistant: runopts.Assistant,
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
    stream: followopts.Stream = False,
    timeout: followopts.Timeout = None,
    tool: followopts.Tool = None,
    tool_handler: followopts.ToolHandler = None,
    tool_timeout: followopts.ToolTimeout = tools.DEFAULT_TIMEOUT,
    tool_errors: followopts.ToolErrors = "continue",
    output: Output = None,
    query: Query = None,
) -> None:
    """Start a run of an assistant on a thread; prints the run, or with --stream follows it.

    Example: asst runs create thread_abc123 --assistant asst_abc123 --tool-choice file_search
    """
    options = runopts.RunOptions(
        instructions,
        additional_instructions,
        model,
        tool_choice,
        temperature,
        top_p,
        max_prompt_tokens,
        max_completion_tokens,
        truncation,
        parallel_tool_calls,
        response_format,
        metadata,
    )
    body = runopts.run_body(assistant, options)
    streamed = followopts.streaming(stream, timeout, tool, tool_handler, tool_timeout, tool_errors)
    runflow.post_run(_path(thread_id), body, streamed, (output, query))


@app.command("list")
def list_(
    thread_id: ThreadId,
    limit: Limit = None,
    order: Order = None,
    after: After = None,
    before: Before = None,
    every: All = False,
    output: Output = None,
    query: Query = None,
) -> None:
    """List the runs of a thread, newest first.

    Example: asst runs list thread_abc123 -q "[?status=='requires_action'].id"
    """
    listing.list_objects(
        _path(thread_id),
        COLUMNS,
        what="runs",
        output=output,
        query=query,
        limit=limit,
        order=order,
        after=after,
        before=before,
        every=every,
    )


@app.command()
def get(thread_id: ThreadId, run_id: RunId, output: Output = None, query: Query = None) -> None:
    """Show one run (its status, and the tool calls it waits for).

    Example: asst runs get thread_abc123 run_abc123 -q status
    """
    render.emit(api.get(_path(thread_id, run_id)), COLUMNS, output, query)


@app.command()
def update(
    thread_id: ThreadId,
    run_id: RunId,
    metadata: Metadata = None,
    output: Output = None,
    query: Query = None,
) -> None:
    """Change a run's metadata (the only field a run lets you change).

    Example: asst runs update thread_abc123 run_abc123 --metadata reviewed=yes
    """
    body = thread_defs.metadata_update(metadata)
    render.emit(api.post(_path(thread_id, run_id), body), COLUMNS, output, query)


@app.command()
def cancel(thread_id: ThreadId, run_id: RunId, output: Output = None, query: Query = None) -> None:
    """Ask a run to stop; it reports cancelling, then cancelled.

    Example: asst runs cancel thread_abc123 run_abc123
    """
    render.emit(api.post(_path(thread_id, run_id, "cancel")), COLUMNS, output, query)


@app.command("submit-tool-outputs")
def submit_tool_outputs(
    thread_id: ThreadId,
    run_id: RunId,
    tool_output: runopts.ToolOutput = None,
    file: runopts.ToolOutputsFile = None,
    stream: followopts.Stream = False,
    timeout: followopts.Timeout = None,
    tool: followopts.Tool = None,
    tool_handler: followopts.ToolHandler = None,
    tool_timeout: followopts.ToolTimeout = tools.DEFAULT_TIMEOUT,
    tool_errors: followopts.ToolErrors = "continue",
    output: OutputShort = None,
    query: Query = None,
) -> None:
    """Answer the tool calls a run in requires_action waits for; the run then continues.

    Example: asst runs submit-tool-outputs thread_abc123 run_abc123 --output call_abc=42
    """
    body = {"tool_outputs": runopts.tool_outputs(tool_output, file)}
    path = _path(thread_id, run_id, "submit_tool_outputs")
    streamed = followopts.streaming(stream, timeout, tool, tool_handler, tool_timeout, tool_errors)
    runflow.post_run(path, body, streamed, (output, query))


@app.command()
def wait(
    thread_id: ThreadId,
    run_id: RunId,
    timeout: followopts.Timeout = None,
    interval: followopts.Interval = None,
    cancel_on_timeout: followopts.CancelOnTimeout = False,
    cancel_on_interrupt: followopts.CancelOnInterrupt = False,
    tool: followopts.Tool = None,
    tool_handler: followopts.ToolHandler = None,
    tool_timeout: followopts.ToolTimeout = tools.DEFAULT_TIMEOUT,
    tool_errors: followopts.ToolErrors = "continue",
    download_dir: followopts.DownloadDir = None,
    force: followopts.Force = False,
    output: Output = None,
    query: Query = None,
) -> None:
    """Wait for a run to end; the exit code says how (0 completed, 5 failed, 6 cancelled,
    expired or incomplete, 8 a tool call nobody answered, 124 deadline, 130 interrupted).

    Example: asst runs wait thread_abc123 run_abc123 --timeout 600 --cancel-on-timeout
    """
    follow = followopts.follow(
        timeout, interval, cancel_on_timeout, cancel_on_interrupt, tool, tool_handler,
        tool_timeout, tool_errors, download_dir, force,
    )  # fmt: skip
    final = waiting.follow(thread_id, run_id, follow.wait_options())
    runflow.finish_run(final, follow, output, query)
