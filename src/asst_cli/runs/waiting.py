"""Following a run to its end: the deadline, the polling cadence and the exit-code contract.

0 completed · 5 failed · 6 cancelled, expired or incomplete · 8 requires_action nobody answered ·
124 deadline · 130 interrupted · 75 the server stayed unavailable. Transient failures while
polling (429, 5xx, dropped connections) do not end the wait; they are retried within the deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import api, errors, progress
from ..errors import AsstError, ExitCode

TERMINAL = {
    "completed": ExitCode.OK,
    "failed": ExitCode.RUN_FAILED,
    "cancelled": ExitCode.RUN_INCOMPLETE,
    "expired": ExitCode.RUN_INCOMPLETE,
    "incomplete": ExitCode.RUN_INCOMPLETE,
}
FIRST_INTERVAL = 0.5
MAX_INTERVAL = 5.0
MAX_TRANSIENT = 8  # consecutive failed polls (each after the SDK's own retries) before giving up
DEADLINE_SLACK = 0.05  # a request timed out this close to the deadline was cut off by it

# Answers a requires_action run: the tool outputs to submit, or None when nobody can.
ActionHandler = Callable[[dict[str, Any]], "list[dict[str, str]] | None"]


class Deadline:
    """A monotonic deadline for the whole command (None: wait as long as it takes)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._end = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        return None if self._end is None else max(0.0, self._end - time.monotonic())

    def expired(self) -> bool:
        remaining = self.remaining()
        return remaining is not None and remaining <= 0

    def cap(self, seconds: float) -> float:
        remaining = self.remaining()
        return seconds if remaining is None else min(seconds, remaining)


@dataclass
class WaitOptions:
    timeout: float | None = None
    interval: float | None = None
    cancel_on_timeout: bool = False
    cancel_on_interrupt: bool = False
    on_action: ActionHandler | None = None
    deadline: Deadline = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = Deadline(self.timeout)


def run_path(thread_id: str, run_id: str) -> str:
    return f"/threads/{api.segment(thread_id, 'thread id')}/runs/{api.segment(run_id, 'run id')}"


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


def cut_by_deadline(exc: BaseException, deadline: Deadline) -> bool:
    """Whether ``exc`` is a request timed out by the deadline it was given (see api.within)."""
    remaining = deadline.remaining()
    if remaining is None or remaining > DEADLINE_SLACK:
        return False
    if not type(exc).__module__.startswith(("openai", "httpx")):
        return False
    import httpx2
    from openai import _exceptions

    return isinstance(exc, _exceptions.APITimeoutError | httpx2.TimeoutException)


def _poll(path: str, deadline: Deadline) -> tuple[dict[str, Any], float | None]:
    response = api.get_response(path, within=deadline.remaining())
    hint = response.headers.get("openai-poll-after-ms")
    try:
        seconds = int(hint) / 1000 if hint else None
    except ValueError:
        seconds = None
    run: dict[str, Any] = response.json()
    return run, seconds


class _Cadence:
    """How long to sleep between polls: the server's hint, a fixed interval, or a backoff."""

    def __init__(self, fixed: float | None) -> None:
        self.fixed = fixed
        self.next = FIRST_INTERVAL

    def delay(self, hint: float | None) -> float:
        if self.fixed is not None:
            return max(self.fixed, hint or 0.0)
        if hint is not None:
            return hint
        delay, self.next = self.next, min(self.next * 1.5, MAX_INTERVAL)
        return delay


def _cancel(path: str) -> None:
    try:
        api.post(f"{path}/cancel")
    except Exception as exc:
        failure = errors.translate(exc)
        if failure is None:
            raise
        progress_note(f"Cancelling the run failed: {failure.message}")


def progress_note(message: str) -> None:
    from .. import render

    render.progress(message)


def _timed_out(
    path: str,
    run: dict[str, Any] | None,
    ids: tuple[str, str],
    options: WaitOptions,
    transient: AsstError | None,
) -> AsstError:
    if transient is not None:
        return AsstError(
            f"the server stayed unavailable until the deadline: {transient.message}",
            resume_hint(*ids),
            ExitCode.TEMPORARY,
        )
    status = run.get("status") if run else "unknown"
    if options.cancel_on_timeout:
        _cancel(path)
        return AsstError(
            f"deadline of {options.timeout:g} s reached; the run was {status} "
            "and is being cancelled",
            None,
            ExitCode.DEADLINE,
        )
    return AsstError(
        f"deadline of {options.timeout:g} s reached; the run is still {status}",
        resume_hint(*ids),
        ExitCode.DEADLINE,
    )


def follow(thread_id: str, run_id: str, options: WaitOptions) -> dict[str, Any]:
    """Poll the run until it ends or needs an answer nobody gives; returns the last run seen.

    Raises AsstError for the deadline (124), an unavailable server (75) and Ctrl-C (130).
    """
    path = run_path(thread_id, run_id)
    cadence = _Cadence(options.interval)
    run: dict[str, Any] | None = None
    last_failure: AsstError | None = None
    failures = 0
    started = time.monotonic()
    try:
        with progress.spinner("Waiting for the run") as status:
            while True:
                if options.deadline.expired():
                    transient = last_failure if failures else None
                    raise _timed_out(path, run, (thread_id, run_id), options, transient)
                try:
                    run, hint = _poll(path, options.deadline)
                    failures = 0
                except Exception as exc:
                    if cut_by_deadline(exc, options.deadline):
                        failures = 0  # a slow answer, not a failure: the deadline ends it (124)
                        time.sleep(options.deadline.cap(DEADLINE_SLACK))
                        continue
                    last_failure = _transient(exc)
                    failures += 1
                    if failures >= MAX_TRANSIENT:
                        raise last_failure from exc
                    time.sleep(options.deadline.cap(cadence.delay(None)))
                    continue
                state = str(run.get("status"))
                status.update(f"Run {run_id}: {state} ({time.monotonic() - started:.0f} s)")
                if state in TERMINAL:
                    return run
                if state == "requires_action":
                    outputs = answer(path, run, options)
                    if outputs is None:
                        return run
                    api.post(f"{path}/submit_tool_outputs", {"tool_outputs": outputs})
                    continue
                time.sleep(options.deadline.cap(cadence.delay(hint)))
    except KeyboardInterrupt:
        if options.cancel_on_interrupt:
            _cancel(path)
            raise AsstError(
                "interrupted; the run is being cancelled", None, ExitCode.INTERRUPTED
            ) from None
        raise AsstError(
            "interrupted; the run goes on", resume_hint(thread_id, run_id), ExitCode.INTERRUPTED
        ) from None


def answer(path: str, run: dict[str, Any], options: WaitOptions) -> list[dict[str, str]] | None:
    """Tool outputs for a requires_action run from the handlers, or None if nobody answers."""
    if options.on_action is None:
        return None
    from .handlers import DeadlineReached

    try:
        return options.on_action(run)
    except DeadlineReached:
        raise _timed_out(
            path, run, (str(run.get("thread_id")), str(run.get("id"))), options, None
        ) from None
    except AsstError:
        # A handler that gives up (--tool-errors abort) must not leave the run waiting for it.
        _cancel(path)
        raise


def _transient(exc: Exception) -> AsstError:
    """The error if it is worth retrying; anything else is re-raised at once."""
    failure = errors.translate(exc)
    if failure is None or failure.code != ExitCode.TEMPORARY:
        raise exc
    return failure
