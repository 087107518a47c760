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

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.models.turn import (
    Answered,
    Expired,
    Failed,
    FunctionCalls,
    Incomplete,
    Prompt,
    Stalled,
    Turn,
    TurnEvent,
)
from asst_engine.resources.common import lookup
from asst_engine.runs import replies, steps
from asst_engine.runs.replies import Emit, silent
from asst_engine.tools import runnable, sources

__all__ = ["TERMINAL", "Emit", "RunPlan", "advance", "settle", "silent", "start"]

TERMINAL = ("completed", "failed", "cancelled", "expired", "incomplete")
Ending = FunctionCalls | Failed | Expired | Incomplete | Stalled


@dataclass
class RunPlan:
    """What the engine knows about a run in flight that clients must not see."""

    events: Iterator[TurnEvent]
    cancel: threading.Event = field(default_factory=threading.Event)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # (call id, function name, arguments) of the calls the run is waiting on, and their cost.
    pending: list[tuple[str, str, str]] = field(default_factory=list)
    call_tokens: int = 0
    tool_step_id: str | None = None
    answered: list[tuple[Answered, ...]] = field(default_factory=list)
    # Retrievals still to answer "queued" before the run starts (``please queue for N polls``).
    queued_polls: int = 0
    # The responder stalled: the run stays in_progress until cancelled.
    stalled: bool = False


def turn_of(engine: Engine, run: JSON, answered: list[tuple[Answered, ...]]) -> Turn:
    thread_messages = tuple(engine.store.messages.list(run["thread_id"]))
    return Turn(run, thread_messages, tuple(answered), lambda: sources.first(engine, run))


def start(engine: Engine, run: JSON) -> RunPlan:
    """Ask the responder about a new run, from the thread as it is now; keep the plan."""
    turn = turn_of(engine, run, [])
    cancel = threading.Event()
    refused = runnable.refusal(run)
    if refused is None:
        events = engine.responder.respond(turn, cancel)
    else:  # a tool this server does not run: the run fails as it starts
        events = iter([Failed(runnable.REFUSED_CODE, refused)])
    plan = RunPlan(events, cancel, queued_polls=engine.responder.hold(turn))
    engine.run_plans[run["id"]] = plan
    return plan


def plan_of(engine: Engine, run: JSON) -> RunPlan:
    plan = engine.run_plans[run["id"]]
    assert isinstance(plan, RunPlan)
    return plan


def advance(engine: Engine, run: JSON, emit: Emit = silent) -> None:
    """One observation's worth of progress."""
    status = run["status"]
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
    ending = _consume(engine, run, plan, emit)
    if ending is None:
        run["status"] = "completed"
        run["completed_at"] = engine.now()
    elif isinstance(ending, FunctionCalls):
        _ask_for_tools(engine, run, plan, ending, emit)
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


def _consume(engine: Engine, run: JSON, plan: RunPlan, emit: Emit) -> Ending | None:
    """Write what the events say until one ends the turn (None: the stream just ended)."""
    writer = replies.Writer(engine, run, plan.prompt_tokens, emit)
    ending: Ending | None = None
    for event in plan.events:
        if isinstance(event, Prompt):
            plan.prompt_tokens = writer.prompt_tokens = event.tokens
        elif isinstance(event, Ending):
            ending = event
            break
        else:
            plan.completion_tokens += writer.take(event)
    if writer.writing:
        # The stream stopped mid-message: what arrived stays, cut unless the run completes.
        writer.end(cut=ending is not None)
    return ending


def _ask_for_tools(
    engine: Engine, run: JSON, plan: RunPlan, asked: FunctionCalls, emit: Emit
) -> None:
    calls: list[JSON] = []
    for call in asked.calls:
        call_id = engine.new_id("call_")
        plan.pending.append((call_id, call.name, call.arguments))
        function = {"name": call.name, "arguments": call.arguments}
        calls.append({"id": call_id, "type": "function", "function": function})
    plan.call_tokens = asked.completion_tokens
    step_calls = [{**c, "function": {**c["function"], "output": None}} for c in calls]
    step = steps.add(engine, run, steps.tool_calls(step_calls), "in_progress")
    plan.tool_step_id = step["id"]
    emit("thread.run.step.created", step)
    emit("thread.run.step.in_progress", step)
    run["status"] = "requires_action"
    run["required_action"] = {
        "type": "submit_tool_outputs",
        "submit_tool_outputs": {"tool_calls": calls},
    }


def take_tool_outputs(
    engine: Engine, run: JSON, outputs: dict[str, str], emit: Emit = silent
) -> None:
    """Record the outputs on the tool step and resume the run: the responder goes on."""
    plan = plan_of(engine, run)
    step = lookup(engine.store.steps, str(plan.tool_step_id), "run step", run["id"])
    for call in step["step_details"]["tool_calls"]:
        call["function"]["output"] = outputs[call["id"]]
    step["status"] = "completed"
    step["completed_at"] = engine.now()
    step["usage"] = steps.usage(plan.prompt_tokens, plan.call_tokens)
    emit("thread.run.step.completed", step)
    plan.completion_tokens += plan.call_tokens
    plan.answered.append(tuple(Answered(c, n, a, outputs[c]) for c, n, a in plan.pending))
    plan.events = engine.responder.respond(turn_of(engine, run, plan.answered), plan.cancel)
    plan.pending = []
    run["required_action"] = None
    # The real service queues the run again and picks it up at once; a stream shows both.
    run["status"] = "queued"
    emit("thread.run.queued", run)
    run["status"] = "in_progress"
    emit("thread.run.in_progress", run)


def expected_calls(engine: Engine, run: JSON) -> list[str]:
    """The call ids a run in ``requires_action`` waits for, in the order asked."""
    return [call_id for call_id, _, _ in plan_of(engine, run).pending]


def _end_steps(engine: Engine, run: JSON, status: str, stamp: str, emit: Emit) -> None:
    """Steps still running when the run stops end with it."""
    for step in engine.store.steps.list(run["id"]):
        if step["status"] == "in_progress":
            step["status"] = status
            step[stamp] = engine.now()
            emit(f"thread.run.step.{status}", step)
