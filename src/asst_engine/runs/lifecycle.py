"""How a run moves through its states: one step each time a client retrieves it.

queued → in_progress → (completed | requires_action | failed | expired | incomplete);
requires_action → (tool outputs submitted) in_progress → completed;
queued/in_progress/requires_action → (cancel) cancelling → cancelled.
A run asked to wait (``please queue for N polls``) stays queued for N retrievals first; one asked
to hang stays in_progress until cancelled.
Advancing on observation instead of wall-clock keeps polling clients and cassettes deterministic.

Every change is also announced to an ``Emit`` callback as the event a streamed run sends
(``thread.run.in_progress``, ``thread.message.delta``...). Polling passes ``silent``; a stream
records them (``streams.py``) and calls ``settle`` to drive the run to its outcome at once, so
both paths go through the very same transitions and end in the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.models import scripted as responder
from asst_engine.models.scripted import Outcome
from asst_engine.resources.common import lookup
from asst_engine.runs import replies, steps
from asst_engine.runs.replies import Emit, silent

__all__ = ["TERMINAL", "Emit", "RunPlan", "advance", "settle", "silent"]

TERMINAL = ("completed", "failed", "cancelled", "expired", "incomplete")


@dataclass
class RunPlan:
    """What the engine knows about a run that clients must not see."""

    outcome: Outcome
    prompt_tokens: int
    # (call id, function name) of the calls the run is waiting on.
    pending: list[tuple[str, str]] = field(default_factory=list)
    tool_step_id: str | None = None
    completion_tokens: int = 0
    # Retrievals still to answer "queued" before the run starts (``please queue for N polls``).
    queued_polls: int = 0


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
    outcome = plan.outcome
    if isinstance(outcome, responder.Reply):
        plan.completion_tokens += replies.write(engine, run, plan.prompt_tokens, outcome, emit)
        run["status"] = "completed"
        run["completed_at"] = engine.now()
    elif isinstance(outcome, responder.ToolCalls):
        _ask_for_tools(engine, run, plan, outcome, emit)
    elif isinstance(outcome, responder.Failure):
        run["status"] = "failed"
        run["failed_at"] = engine.now()
        run["last_error"] = {"code": outcome.code, "message": outcome.message}
    elif isinstance(outcome, responder.Expiry):
        run["status"] = "expired"
    elif isinstance(outcome, responder.Hang):
        return  # in_progress until cancelled
    else:
        reply = responder.Reply(outcome.partial_text)
        plan.completion_tokens += replies.write(
            engine, run, plan.prompt_tokens, reply, emit, cut=True
        )
        run["status"] = "incomplete"
        run["incomplete_details"] = {"reason": outcome.reason}
        run["completed_at"] = engine.now()
    if run["status"] in TERMINAL:
        run["usage"] = steps.usage(plan.prompt_tokens, plan.completion_tokens)
    if run["status"] != "in_progress":
        emit(f"thread.run.{run['status']}", run)


def _ask_for_tools(
    engine: Engine, run: JSON, plan: RunPlan, outcome: responder.ToolCalls, emit: Emit
) -> None:
    calls: list[JSON] = []
    for call in outcome.calls:
        call_id = engine.new_id("call_")
        plan.pending.append((call_id, call.name))
        function = {"name": call.name, "arguments": call.arguments}
        calls.append({"id": call_id, "type": "function", "function": function})
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
    """Record the outputs on the tool step and resume the run towards its final reply."""
    plan = plan_of(engine, run)
    step = lookup(engine.store.steps, str(plan.tool_step_id), "run step", run["id"])
    for call in step["step_details"]["tool_calls"]:
        call["function"]["output"] = outputs[call["id"]]
    step["status"] = "completed"
    step["completed_at"] = engine.now()
    step["usage"] = steps.usage(plan.prompt_tokens, len(plan.pending))
    emit("thread.run.step.completed", step)
    plan.completion_tokens += len(plan.pending)
    plan.outcome = responder.after_tools((name, outputs[cid]) for cid, name in plan.pending)
    plan.pending = []
    run["required_action"] = None
    # The real service queues the run again and picks it up at once; a stream shows both.
    run["status"] = "queued"
    emit("thread.run.queued", run)
    run["status"] = "in_progress"
    emit("thread.run.in_progress", run)


def _end_steps(engine: Engine, run: JSON, status: str, stamp: str, emit: Emit) -> None:
    """Steps still running when the run stops end with it."""
    for step in engine.store.steps.list(run["id"]):
        if step["status"] == "in_progress":
            step["status"] = status
            step[stamp] = engine.now()
            emit(f"thread.run.step.{status}", step)
