"""asst runs: start, list, inspect, update and cancel runs, and answer their tool calls."""

from __future__ import annotations

from .. import api, listing, paths, render
from ..definitions import threads
from ..options import Metadata, RunId, ThreadId, group, output_choice
from ..runs import follow_options, outcome, start_options, submission, waiting

app = group("Start, list, inspect, update, cancel and wait for runs; submit tool outputs.")
COLUMNS = start_options.COLUMNS


@app.command()
@start_options.run_flags
@follow_options.answer_flags
@output_choice
def create(
    thread_id: ThreadId,
    assistant: start_options.Assistant,
    run: start_options.RunOptions = start_options.NOT_GIVEN,
    answer: follow_options.Answering | None = None,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Start a run of an assistant on a thread; prints the run, or with --stream follows it.

    Example: asst runs create thread_abc123 --assistant asst_abc123 --tool-choice file_search
    """
    assert answer is not None  # built by answer_flags
    streamed = answer.only_streamed()
    body = start_options.run_body(assistant, run)
    outcome.post_run(paths.runs(thread_id), body, streamed, choice)


@app.command("list")
@listing.paged
@output_choice
def list_(thread_id: ThreadId, paging: listing.Paging, choice: render.Choice) -> None:
    """List the runs of a thread, newest first.

    Example: asst runs list thread_abc123 -q "[?status=='requires_action'].id"
    """
    listing.list_objects(paths.runs(thread_id), COLUMNS, paging, choice, what="runs")


@app.command()
@output_choice
def get(thread_id: ThreadId, run_id: RunId, choice: render.Choice) -> None:
    """Show one run (its status, and the tool calls it waits for).

    Example: asst runs get thread_abc123 run_abc123 -q status
    """
    render.emit(api.get(paths.run(thread_id, run_id)), COLUMNS, choice)


@app.command()
@output_choice
def update(
    thread_id: ThreadId,
    run_id: RunId,
    metadata: Metadata = None,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Change a run's metadata (the only field a run lets you change).

    Example: asst runs update thread_abc123 run_abc123 --metadata reviewed=yes
    """
    body = threads.metadata_update(metadata)
    path = paths.run(thread_id, run_id)
    render.emit(api.update(path, body), COLUMNS, choice)


@app.command()
@output_choice
def cancel(thread_id: ThreadId, run_id: RunId, choice: render.Choice) -> None:
    """Ask a run to stop; it reports cancelling, then cancelled.

    Example: asst runs cancel thread_abc123 run_abc123
    """
    render.emit(api.post(paths.cancel(paths.run(thread_id, run_id))), COLUMNS, choice)


@app.command("submit-tool-outputs")
@follow_options.answer_flags
@output_choice
def submit_tool_outputs(
    thread_id: ThreadId,
    run_id: RunId,
    tool_output: start_options.ToolOutput = None,
    outputs_file: start_options.ToolOutputsFile = None,
    answer: follow_options.Answering | None = None,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Answer the tool calls a run in requires_action waits for (given, or by running
    --tool/--tool-handler commands); the run then continues.

    Example: asst runs submit-tool-outputs thread_abc123 run_abc123 --tool-output call_abc=42
    """
    assert answer is not None  # built by answer_flags
    given = start_options.tool_outputs(tool_output, outputs_file)
    found = submission.outputs(paths.run(thread_id, run_id), given, answer.follow, answer.stream)
    path = paths.submit_tool_outputs(paths.run(thread_id, run_id))
    outcome.post_run(path, {"tool_outputs": found}, answer.streamed(), choice)


@app.command()
@follow_options.follow_flags
@output_choice
def wait(
    thread_id: ThreadId,
    run_id: RunId,
    follow: outcome.Follow = follow_options.UNSET,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Wait for a run to end; the exit code says how (0 completed, 5 failed, 6 cancelled,
    expired or incomplete, 8 a tool call nobody answered, 124 deadline, 130 interrupted).

    Example: asst runs wait thread_abc123 run_abc123 --timeout 600 --cancel-on-timeout
    """
    final = waiting.follow(thread_id, run_id, follow.wait_options())
    outcome.finish_run(final, follow, choice)
