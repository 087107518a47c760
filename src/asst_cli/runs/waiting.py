"""Following a run to its end: the deadline, the polling cadence and the exit-code contract.

0 completed · 5 failed · 6 cancelled, expired or incomplete · 8 requires_action nobody answered ·
124 deadline · 130 interrupted · 75 the server stayed unavailable. Transient failures while
polling (429, 5xx, dropped connections) do not end the wait; they are retried within the deadline.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import api, errors, paths, polling
from ..errors import AsstError, ExitCode
from ..polling import Deadline
from ..present import progress

TERMINAL = {
    "completed": ExitCode.OK,
    "failed": ExitCode.RUN_FAILED,
    "cancelled": ExitCode.RUN_INCOMPLETE,
    "expired": ExitCode.RUN_INCOMPLETE,
    "incomplete": ExitCode.RUN_INCOMPLETE,
}
# Answers a requires_action run: the tool outputs to submit, or None when nobody can.
ActionHandler = Callable[[dict[str, Any]], "list[dict[str, str]] | None"]


@dataclass
class WaitOptions:
    """How to follow a run; ``deadline`` is the command's own, started when it started."""

    deadline: Deadline = field(default_factory=lambda: Deadline(None))
    interval: float | None = None
    cancel_on_timeout: bool = False
    cancel_on_interrupt: bool = False
    on_action: ActionHandler | None = None

    @property
    def timeout(self) -> float | None:
        return self.deadline.seconds


def run_path(thread_id: str, run_id: str) -> str:
    return paths.run(thread_id, run_id)


def exit_code(run: dict[str, Any]) -> ExitCode:
    status = str(run.get("status"))
    if status == "requires_action":
        return ExitCode.REQUIRES_ACTION
    if status == "completed" and run.get("incomplete_details"):
        # Dialects without an 'incomplete' status report a cut-short run this way.
        return ExitCode.RUN_INCOMPLETE
    return TERMINAL.get(status, ExitCode.ERROR)


def resume_hint(thread_id: str, run_id: str) -> str:
    return f"resume with 'asst runs wait {thread_id} {run_id}'"


def _cancel(path: str) -> None:
    try:
        api.cancel(path)
    except Exception as exc:
        failure = errors.translate(exc)
        if failure is None:
            raise
        progress_note(f"Cancelling the run failed: {failure.message}")


def progress_note(message: str) -> None:
    from .. import render

    render.progress(message)


def inspect_hint(thread_id: str, run_id: str) -> str:
    return f"inspect it with 'asst runs get {thread_id} {run_id}'"


def timed_out(
    ids: tuple[str, str],
    run: dict[str, Any] | None,
    options: WaitOptions,
    transient: AsstError | None = None,
) -> AsstError:
    """The deadline passed while following the run ``ids`` (last seen as ``run``): cancel it
    if asked; the error names the run either way."""
    if transient is not None:
        return AsstError(
            f"the server stayed unavailable until the deadline: {transient.message}",
            resume_hint(*ids),
            ExitCode.TEMPORARY,
        )
    status = run.get("status") if run else "unknown"
    if options.cancel_on_timeout:
        _cancel(run_path(*ids))
        return AsstError(
            f"deadline of {options.timeout:g} s reached; the run was {status} "
            "and is being cancelled",
            inspect_hint(*ids),
            ExitCode.DEADLINE,
        )
    return AsstError(
        f"deadline of {options.timeout:g} s reached; the run is still {status}",
        resume_hint(*ids),
        ExitCode.DEADLINE,
    )


def went_away(failure: AsstError, ids: tuple[str, str]) -> AsstError:
    """The server went away while following the run: 75, and how to resume."""
    return AsstError(failure.message, resume_hint(*ids), ExitCode.TEMPORARY, failure.status)


def follow(thread_id: str, run_id: str, options: WaitOptions) -> dict[str, Any]:
    """Poll the run until it ends or needs an answer nobody gives; returns the last run seen.

    Raises AsstError for the deadline (124), an unavailable server (75) and Ctrl-C (130).
    """
    path = run_path(thread_id, run_id)
    deadline = options.deadline
    run: dict[str, Any] | None = None
    started = deadline.clock.monotonic()
    try:
        with progress.spinner("Waiting for the run") as status:
            fetch = functools.partial(api.get_polled, path)
            for run in polling.poll(fetch, deadline, options.interval):
                state = str(run.get("status"))
                elapsed = deadline.clock.monotonic() - started
                status.update(f"Run {run_id}: {state} ({elapsed:.0f} s)")
                if state in TERMINAL:
                    return run
                if state == "requires_action":
                    outputs = answer(path, run, options)
                    if outputs is None:
                        return run
                    api.post(paths.submit_tool_outputs(path), {"tool_outputs": outputs})
    except polling.DeadlinePassed as passed:
        raise timed_out((thread_id, run_id), run, options, passed.unavailable) from None
    except AsstError as failure:
        if failure.code != ExitCode.TEMPORARY:
            raise
        raise went_away(failure, (thread_id, run_id)) from failure
    except KeyboardInterrupt as stop:
        raise interrupted(stop, (thread_id, run_id), options) from None
    raise AssertionError("polling.poll ends only by raising")


def interrupted(stop: BaseException, ids: tuple[str, str], options: WaitOptions) -> AsstError:
    """Ctrl-C or SIGTERM while following a run: cancel it if asked, else say how to resume."""
    word, code = errors.stopped_by(stop)
    if options.cancel_on_interrupt:
        _cancel(run_path(*ids))
        return AsstError(f"{word}; the run is being cancelled", inspect_hint(*ids), code)
    return AsstError(f"{word}; the run goes on", resume_hint(*ids), code)


def answer(path: str, run: dict[str, Any], options: WaitOptions) -> list[dict[str, str]] | None:
    """Tool outputs for a requires_action run from the handlers, or None if nobody answers."""
    if options.on_action is None:
        return None
    from .handlers import DeadlineReached

    try:
        return options.on_action(run)
    except DeadlineReached:
        ids = (str(run.get("thread_id")), str(run.get("id")))
        raise timed_out(ids, run, options) from None
    except AsstError:
        # A handler that gives up (--tool-errors abort) must not leave the run waiting for it.
        _cancel(path)
        raise
