"""How a run moves through its states: one step each time a client retrieves it.

queued → in_progress → (completed | requires_action | failed | expired | incomplete);
requires_action → (tool outputs submitted) in_progress → completed;
queued/in_progress/requires_action → (cancel) cancelling → cancelled.
A run asked to wait (``please queue for N polls``) stays queued for N retrievals first; one asked
to hang stays in_progress until cancelled.
Advancing on observation instead of wall-clock keeps polling clients and cassettes deterministic.

What happens while a run is ``in_progress`` is told by the engine's ``Responder`` (see
``models/turn.py``) as a stream of turn events, consumed here. When a run moves on is the
engine's ``Driver``'s business (``driver.py``): by default, when a client retrieves it.

Every change is also announced to an ``Emit`` callback as the event a streamed run sends
(``thread.run.in_progress``, ``thread.message.delta``...). Polling passes ``silent``; a stream
records them (``http/streams.py``) and calls ``settle`` to drive the run to its outcome at once, so
both paths go through the very same transitions and end in the same state.
"""

from __future__ import annotations

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.models.turn import (
    CallDelta,
    Expired,
    Failed,
    FunctionCalls,
    Incomplete,
    Prompt,
    Stalled,
    TurnEvent,
)
from asst_engine.runs import replies, steps
from asst_engine.runs.calls import ask_for_tools, take_delta
from asst_engine.runs.plans import RunPlan, plan_of, start
from asst_engine.runs.replies import Emit, silent

__all__ = ["TERMINAL", "Emit", "RunPlan", "advance", "settle", "silent", "start"]

TERMINAL = ("completed", "failed", "cancelled", "expired", "incomplete")
Ending = FunctionCalls | Failed | Expired | Incomplete | Stalled


def advance(engine: Engine, run: JSON, emit: Emit = silent) -> None:
    """One observation's worth of progress."""
    status = run["status"]
    if status in TERMINAL:
        return  # nothing moves; an imported run has no plan in this engine
    plan = plan_of(engine, run)
    if status == "queued" and plan.queued_polls > 0:
        plan.queued_polls -= 1
    elif status == "queued":
        run["status"] = "in_progress"
        run["started_at"] = run["started_at"] or engine.now()
        emit("thread.run.in_progress", run)
    elif status == "in_progress":
        finish(engine, run, plan, emit)
    elif status == "cancelling":
        _end_steps(engine, run, "cancelled", "cancelled_at", emit)
        run["status"] = "cancelled"
        run["cancelled_at"] = engine.now()
        emit("thread.run.cancelled", run)


def settle(engine: Engine, run: JSON, emit: Emit) -> None:
    """Advance until the run stops changing: it has ended, waits for tool outputs, or hangs."""
    while True:
        before = run["status"]
        advance(engine, run, emit)
        if run["status"] == before:
            return


def finish(engine: Engine, run: JSON, plan: RunPlan, emit: Emit = silent) -> None:
    """Take the responder's events until the turn ends, and end the run as they say."""
    if plan.stalled:
        return  # in_progress until cancelled
    taker = Taker(engine, run, plan, emit)
    for event in plan.events:
        if taker.take(event):
            return
    taker.take(None)


class Taker:
    """A turn's events taken one at a time. The poll path takes them all in one unit of work;
    the background worker takes each in a unit of work of its own, after getting it outside
    the engine's lock (it may wait on a model), and ``rebind``s the objects in between."""

    def __init__(self, engine: Engine, run: JSON, plan: RunPlan, emit: Emit) -> None:
        self.engine = engine
        self.run = run
        self.plan = plan
        self.emit = emit
        self.writer = replies.Writer(engine, run, plan.round_prompt, emit)

    def rebind(self, run: JSON) -> None:
        """A new unit of work: objects kept from an earlier one are stale."""
        self.run = run
        self.writer.rebind(run)

    def take(self, event: TurnEvent | None) -> bool:
        """Take ``event`` (None: the events ran out); True once the turn is over."""
        plan = self.plan
        if event is None or isinstance(event, Ending):
            self._end(event)
            return True
        if isinstance(event, Prompt):
            plan.prompt_tokens += event.tokens
            plan.round_prompt = self.writer.prompt_tokens = event.tokens
        elif isinstance(event, CallDelta):
            take_delta(self.engine, self.run, plan, event, self.emit)
        else:
            plan.completion_tokens += self.writer.take(event)
        return False

    def interrupt(self, reason: str) -> None:
        """The run stopped while a message was being written: it is cut, for ``reason``
        (run_cancelled, run_expired)."""
        if self.writer.writing:
            self.writer.end(cut=True, reason=reason)

    def _end(self, ending: Ending | None) -> None:
        if self.writer.writing:
            # The stream stopped mid-message: what arrived stays, cut unless the run completes.
            self.writer.end(cut=ending is not None)
        conclude(self.engine, self.run, self.plan, ending, self.emit)


def conclude(engine: Engine, run: JSON, plan: RunPlan, ending: Ending | None, emit: Emit) -> None:
    """End the turn as ``ending`` says (None: the run completes)."""
    if ending is None:
        run["status"] = "completed"
        run["completed_at"] = engine.now()
    elif isinstance(ending, FunctionCalls):
        ask_for_tools(engine, run, plan, ending, emit)
    elif isinstance(ending, Failed):
        run["status"] = "failed"
        run["failed_at"] = engine.now()
        run["last_error"] = {"code": ending.code, "message": ending.message}
    elif isinstance(ending, Expired):
        run["status"] = "expired"
    elif isinstance(ending, Stalled):
        plan.stalled = True
        return
    else:
        run["status"] = "incomplete"
        run["incomplete_details"] = {"reason": ending.reason}
        run["completed_at"] = engine.now()
    if run["status"] in TERMINAL:
        run["usage"] = steps.usage(plan.prompt_tokens, plan.completion_tokens)
    if run["status"] != "in_progress":
        emit(f"thread.run.{run['status']}", run)


def expire(engine: Engine, run: JSON, emit: Emit = silent) -> None:
    """A run past its ``expires_at``: its model call stops, its steps and the run expire."""
    plans_of = engine.run_plans.get(run["id"])
    if isinstance(plans_of, RunPlan):
        plans_of.cancel.set()
    _end_steps(engine, run, "expired", "expired_at", emit)
    run["status"] = "expired"
    run["required_action"] = None
    emit("thread.run.expired", run)


def fail(engine: Engine, run: JSON, message: str, emit: Emit = silent) -> None:
    """End an active run as ``failed`` with a ``server_error`` saying why."""
    _end_steps(engine, run, "failed", "failed_at", emit)
    run.update(status="failed", failed_at=engine.now(), required_action=None)
    run["last_error"] = {"code": "server_error", "message": message}
    emit("thread.run.failed", run)


def _end_steps(engine: Engine, run: JSON, status: str, stamp: str, emit: Emit) -> None:
    """Steps still running when the run stops end with it."""
    for step in engine.store.steps.list(run["id"]):
        if step["status"] == "in_progress":
            step["status"] = status
            step[stamp] = engine.now()
            emit(f"thread.run.step.{status}", step)
