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
from ..transfer import mentioned
from . import handlers, sse, start_options, waiting


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
    save: mentioned.Saver | None = None

    def given_flag(self) -> str | None:
        """The first flag given that only a followed run uses (None: none was). Not --timeout:
        it bounds the whole command, the thread, message and run creates (and their retries)
        included, followed or not."""
        for flag, given in (
            ("--interval", self.interval is not None),
            ("--cancel-on-timeout", self.cancel_on_timeout),
            ("--cancel-on-interrupt", self.cancel_on_interrupt),
            ("--tool or --tool-handler", not self.tool_config.empty()),
            ("--download-dir", self.save is not None),
        ):
            if given:
                return flag
        return None

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


def print_pending(run: dict[str, Any], choice: render.Choice) -> None:
    """The calls a script must answer, as JSON (or a table on a terminal)."""
    render.emit(handlers.pending_calls(run), (), render.Choice(choice.format))


def finish_run(run: dict[str, Any], follow: Follow, choice: render.Choice) -> None:
    """``runs wait``: the final run (a summary on a terminal), then the run's exit code."""
    if run.get("status") == "completed":
        messages = run_messages(str(run["thread_id"]), str(run["id"])) if follow.save else []
        mentioned.save_produced(messages, follow.save)
    if run.get("status") == "requires_action":
        print_pending(run, choice)
    else:
        render.emit(run, start_options.COLUMNS, choice)
    _end(run)


def finish_reply(
    thread_id: str, run: dict[str, Any], follow: Follow, choice: render.Choice
) -> None:
    """``asst run --wait``: the reply as text, or the thread, run and messages as data."""
    if run.get("status") == "requires_action":
        print_pending(run, choice)
        _end(run)
        return
    messages = run_messages(thread_id, str(run["id"]))
    if choice.reads_as_text():
        files = mentioned.gather(messages, follow.save)
        transcript.print_reply(messages, files, choice.markdown())
    else:
        mentioned.save_produced(messages, follow.save)
        whole = {"thread_id": thread_id, "run": run, "messages": messages}
        render.emit_outcome(whole, run, start_options.COLUMNS, choice)
    _end(run)


def _end(run: dict[str, Any]) -> None:
    error = outcome_error(run)
    if error is not None:
        raise error


def stream_printer(choice: render.Choice, follow: Follow) -> Callable[[sse.Event], None]:
    """What to do with each streamed event: print it as a JSON line, print text deltas, or print
    each message once complete."""
    view = choice.stream_view()
    if view == "events":
        return lambda event: render.emit(event.as_dict(), (), render.Choice("jsonl"))
    if view == "messages":

        def completed(event: sse.Event) -> None:
            if event.name == "thread.message.completed" and isinstance(event.data, dict):
                message = [event.data]
                files = mentioned.gather(message, follow.save)
                render.text(transcript.reply_text(message, files, rich_text=False))
                sys.stdout.flush()

        return completed
    if view == "live":
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


def print_run(run: dict[str, Any], choice: render.Choice) -> None:
    render.emit(run, start_options.COLUMNS, choice)


def wait_for(run: dict[str, Any], follow: Follow) -> dict[str, Any]:
    """Poll a started run to its end (or to a call nobody answers)."""
    return waiting.follow(str(run["thread_id"]), str(run["id"]), follow.wait_options())


def finish_stream(run: dict[str, Any], follow: Follow, choice: render.Choice) -> None:
    """After a stream: text was printed as it came; data formats get the whole outcome."""
    if not run:
        raise AsstError("the stream ended without reporting a run", None, ExitCode.ERROR)
    view = choice.stream_view()
    if view == "data":
        finish_reply(str(run["thread_id"]), run, follow, choice)
        return
    if run.get("status") == "requires_action":
        print_pending(run, render.Choice("json") if view == "events" else choice)
    elif view == "live":
        _notes(run, follow)
    _end(run)


def _notes(run: dict[str, Any], follow: Follow) -> None:
    """Footnotes and saved files of a streamed reply, printed once the text is out."""
    messages = run_messages(str(run["thread_id"]), str(run["id"]))
    files = mentioned.gather(messages, follow.save)
    notes = [n for m in messages for n in reply.render_message(m, files).notes]
    if notes:
        render.text("\n" + "\n".join(notes) + "\n")


def post_run(
    path: str, body: dict[str, Any], streamed: Follow | None, choice: render.Choice
) -> None:
    """Start a run: print it as created, or follow its stream when ``streamed`` says how."""
    if streamed is not None:
        stream(path, body, streamed, choice)
        return
    print_run(api.post(path, body), choice)


def stream(
    path: str,
    body: dict[str, Any],
    follow: Follow,
    choice: render.Choice,
    seen: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """POST ``body`` as a stream, show it as it comes, answer tool calls, end with the exit code.

    ``seen`` gets the run as soon as it exists (the -c state is written then).
    """
    final = sse.follow(path, body, follow.wait_options(), stream_printer(choice, follow), seen)
    finish_stream(final, follow, choice)


def file_saver(save: mentioned.Saver | None) -> Callable[[dict[str, Any]], None] | None:
    """Saves the files one message produced (None when nothing is to be saved)."""
    if save is None:
        return None

    def save_message(message: dict[str, Any]) -> None:
        for file_id in reply.produced_files([message]):
            save(file_id)

    return save_message


def show_thread(
    messages: Iterable[dict[str, Any]],
    save: mentioned.Saver | None,
    choice: render.Choice,
    steps_of: Callable[[str], list[dict[str, Any]]] | None = None,
) -> None:
    """``threads show``: a transcript for people, the message list for everything else.
    ``steps_of`` (a run id -> its steps) adds each run's tool calls to the transcript."""
    if choice.reads_as_text():
        listed = list(messages)
        runs = dict.fromkeys(str(m["run_id"]) for m in listed if m.get("run_id"))
        run_steps = {run: steps_of(run) for run in runs} if steps_of else None
        files = mentioned.gather(listed, save)
        transcript.print_thread(listed, files, choice.markdown(), run_steps)
        return
    items = listing.tapped(messages, file_saver(save))
    render.emit_list(items, transcript.MESSAGE_COLUMNS, choice, "The thread has no messages.")
