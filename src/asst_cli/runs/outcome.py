"""What happens after a run starts: follow it (polling or streaming), answer tool calls, print
the outcome, and end with the exit code of the run (see waiting.py for the contract)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .. import api, listing, paths, polling, render
from ..errors import AsstError, ExitCode
from ..present import reply, transcript
from . import handlers, sse, waiting


@dataclass
class Follow:
    """How to follow a run: the deadline and cadence, the tool handlers, where files go.

    ``deadline`` is the command's own, started with it (see follow_options.follow).
    """

    deadline: polling.Deadline = field(default_factory=lambda: polling.Deadline(None))
    interval: float | None = None
    cancel_on_timeout: bool = False
    cancel_on_interrupt: bool = False
    tool_config: handlers.ToolConfig = field(default_factory=handlers.ToolConfig)
    save: reply.Saver | None = None

    def wait_options(self) -> waiting.WaitOptions:
        options = waiting.WaitOptions(
            self.deadline, self.interval, self.cancel_on_timeout, self.cancel_on_interrupt
        )
        if not self.tool_config.empty():
            config = self.tool_config
            options.on_action = lambda run: handlers.answer(
                config, run, options.deadline.remaining()
            )
        return options


def _duration(run: dict[str, Any]) -> str:
    start = run.get("started_at") or run.get("created_at")
    end = run.get("completed_at") or run.get("failed_at") or run.get("cancelled_at")
    if isinstance(start, int) and isinstance(end, int):
        return f"{end - start} s"
    return ""


def _tokens(run: dict[str, Any]) -> str:
    usage = run.get("usage") or {}
    if not usage:
        return ""
    return (
        f"{usage.get('total_tokens', 0)} "
        f"({usage.get('prompt_tokens', 0)} prompt, {usage.get('completion_tokens', 0)} completion)"
    )


SUMMARY = (
    render.Column("status", "status"),
    render.Column("run", "id"),
    render.Column("thread", "thread_id"),
    render.Column("time", _duration),
    render.Column("tokens", _tokens),
    render.Column("last error", "last_error.message"),
    render.Column("incomplete", "incomplete_details.reason"),
)


def run_messages(thread_id: str, run_id: str) -> list[dict[str, Any]]:
    path = paths.messages(thread_id)
    return list(api.iterate(path, {"run_id": run_id, "order": "asc"}))


def outcome_error(run: dict[str, Any]) -> AsstError | None:
    """The error that ends the command for this run's status (None when it completed)."""
    code = waiting.exit_code(run)
    status = run.get("status")
    hint = f"inspect it with 'asst runs get {run.get('thread_id')} {run.get('id')}'"
    if code == ExitCode.OK:
        return None
    if code == ExitCode.REQUIRES_ACTION:
        return AsstError(
            "the run requires action nobody handled",
            f"answer the calls above with 'asst runs submit-tool-outputs {run.get('thread_id')} "
            f"{run.get('id')}', or pass --tool NAME=COMMAND",
            code,
        )
    if code == ExitCode.RUN_FAILED:
        error = run.get("last_error") or {}
        detail = f": {error.get('code')}: {error.get('message')}" if error else ""
        return AsstError(f"the run failed{detail}", hint, code)
    reason = (run.get("incomplete_details") or {}).get("reason")
    status = "incomplete" if status == "completed" else status
    return AsstError(f"the run ended {status}" + (f" ({reason})" if reason else ""), hint, code)


def print_pending(run: dict[str, Any], fmt: str | None) -> None:
    """The calls a script must answer, as JSON (or a table on a terminal)."""
    render.emit(handlers.pending_calls(run), (), fmt)


def finish_run(run: dict[str, Any], follow: Follow, fmt: str | None, query: str | None) -> None:
    """``runs wait``: the final run (a summary on a terminal), then the run's exit code."""
    save = follow.save
    if save is not None and run.get("status") == "completed":
        for file_id in reply.produced_files(run_messages(str(run["thread_id"]), str(run["id"]))):
            save(file_id)
    if run.get("status") == "requires_action":
        print_pending(run, fmt)
    elif render.chosen_format(fmt) == "table" and not query:
        render.emit(run, SUMMARY, "table")
    else:
        render.emit(run, (), fmt, query)
    _end(run)


def finish_reply(
    thread_id: str, run: dict[str, Any], follow: Follow, fmt: str | None, query: str | None
) -> None:
    """``asst run --wait``: the reply as text, or the thread, run and messages as data."""
    if run.get("status") == "requires_action":
        print_pending(run, fmt)
        _end(run)
        return
    messages = run_messages(thread_id, str(run["id"]))
    chosen = render.chosen_format(fmt)
    if chosen in ("text", "table") and not query:
        transcript.print_reply(
            messages, follow.save, rich_text=chosen == "table" and sys.stdout.isatty()
        )
    else:
        save = follow.save
        if save is not None:
            for file_id in reply.produced_files(messages):
                save(file_id)
        render.emit({"thread_id": thread_id, "run": run, "messages": messages}, (), fmt, query)
    _end(run)


def _end(run: dict[str, Any]) -> None:
    error = outcome_error(run)
    if error is not None:
        raise error


def stream_printer(fmt: str | None) -> Callable[[sse.Event], None]:
    """What to do with each streamed event: print text deltas, or every event as a JSON line."""
    chosen = render.chosen_format(fmt)
    if chosen == "jsonl":
        return lambda event: render.emit(event.as_dict(), (), "jsonl")
    if chosen in ("text", "table"):
        counter = [0]

        def show(event: sse.Event) -> None:
            if event.name == "thread.message.created":
                counter[0] = 0
            elif event.name == sse.DELTA_EVENT:
                render.text(sse.numbered_delta_text(event, counter))
                sys.stdout.flush()
            elif event.name == "thread.message.completed":
                render.text("\n")

        return show
    return lambda event: None


def print_run(run: dict[str, Any], fmt: str | None, query: str | None) -> None:
    from . import start_options

    render.emit(run, start_options.COLUMNS, fmt, query)


def wait_for(run: dict[str, Any], follow: Follow) -> dict[str, Any]:
    """Poll a started run to its end (or to a call nobody answers)."""
    return waiting.follow(str(run["thread_id"]), str(run["id"]), follow.wait_options())


def finish_stream(run: dict[str, Any], follow: Follow, fmt: str | None, query: str | None) -> None:
    """After a stream: text was printed as it came; data formats get the whole outcome."""
    chosen = render.chosen_format(fmt)
    if not run:
        raise AsstError("the stream ended without reporting a run", None, ExitCode.ERROR)
    if chosen in ("text", "table", "jsonl") and not query:
        if run.get("status") == "requires_action":
            print_pending(run, "json" if chosen == "jsonl" else fmt)
        else:
            _notes(run, follow, chosen)
        _end(run)
        return
    finish_reply(str(run["thread_id"]), run, follow, fmt, query)


def _notes(run: dict[str, Any], follow: Follow, chosen: str) -> None:
    """Footnotes and saved files of a streamed reply, printed once the text is out."""
    if chosen == "jsonl":
        return
    messages = run_messages(str(run["thread_id"]), str(run["id"]))
    names = reply.FileNames()
    notes = [n for m in messages for n in reply.render_message(m, names, follow.save).notes]
    if notes:
        render.text("\n" + "\n".join(notes) + "\n")


def post_run(
    path: str, body: dict[str, Any], streamed: Follow | None, output: tuple[str | None, str | None]
) -> None:
    """Start a run: print it as created, or follow its stream when ``streamed`` says how."""
    if streamed is not None:
        stream(path, body, streamed, output)
        return
    print_run(api.post(path, body), *output)


def stream(
    path: str,
    body: dict[str, Any],
    follow: Follow,
    output: tuple[str | None, str | None],
    seen: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """POST ``body`` as a stream, show it as it comes, answer tool calls, end with the exit code.

    ``seen`` gets the run as soon as it exists (the -c state is written then).
    """
    fmt, query = output
    final = sse.follow(path, body, follow.wait_options(), stream_printer(fmt), seen)
    finish_stream(final, follow, fmt, query)


def file_saver(save: reply.Saver | None) -> Callable[[dict[str, Any]], None] | None:
    """Saves the files one message produced (None when nothing is to be saved)."""
    if save is None:
        return None

    def save_message(message: dict[str, Any]) -> None:
        for file_id in reply.produced_files([message]):
            save(file_id)

    return save_message


def show_thread(
    messages: Iterable[dict[str, Any]],
    save: reply.Saver | None,
    fmt: str | None,
    query: str | None,
) -> None:
    """``threads show``: a transcript for people, the message list for everything else."""
    chosen = render.chosen_format(fmt)
    if chosen in ("table", "text") and not query:
        rich_text = chosen == "table" and sys.stdout.isatty()
        transcript.print_thread(list(messages), save, rich_text)
        return
    items = listing.tapped(messages, file_saver(save))
    render.emit_list(items, (), fmt, query, "The thread has no messages.")
