"""How a run moves through its states: one step each time a client retrieves it.

queued → in_progress → (completed | requires_action | failed | expired | incomplete);
requires_action → (tool outputs submitted) in_progress → completed;
queued/in_progress/requires_action → (cancel) cancelling → cancelled.
Advancing on observation instead of wall-clock keeps polling clients and cassettes deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asst_engine import messages, responder, steps
from asst_engine.responder import Outcome
from asst_engine.state import JSON, Engine

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


def plan_of(engine: Engine, run: JSON) -> RunPlan:
    plan = engine.store.run_plans[run["id"]]
    assert isinstance(plan, RunPlan)
    return plan


def advance(engine: Engine, run: JSON) -> None:
    """One observation's worth of progress."""
    status = run["status"]
    if status == "queued":
        run["status"] = "in_progress"
        run["started_at"] = run["started_at"] or engine.now()
    elif status == "in_progress":
        finish(engine, run, plan_of(engine, run))
    elif status == "cancelling":
        _end_steps(engine, run, "cancelled", "cancelled_at")
        run["status"] = "cancelled"
        run["cancelled_at"] = engine.now()


def finish(engine: Engine, run: JSON, plan: RunPlan) -> None:
    outcome = plan.outcome
    if isinstance(outcome, responder.Reply):
        _write_reply(engine, run, plan, outcome.text, None)
        run["status"] = "completed"
        run["completed_at"] = engine.now()
    elif isinstance(outcome, responder.ToolCalls):
        _ask_for_tools(engine, run, plan, outcome)
    elif isinstance(outcome, responder.Failure):
        run["status"] = "failed"
        run["failed_at"] = engine.now()
        run["last_error"] = {"code": outcome.code, "message": outcome.message}
    elif isinstance(outcome, responder.Expiry):
        run["status"] = "expired"
    else:
        _write_reply(engine, run, plan, outcome.partial_text, outcome.reason)
        run["status"] = "incomplete"
        run["incomplete_details"] = {"reason": outcome.reason}
        run["completed_at"] = engine.now()
    if run["status"] in TERMINAL:
        run["usage"] = steps.usage(plan.prompt_tokens, plan.completion_tokens)


def _write_reply(engine: Engine, run: JSON, plan: RunPlan, text: str, cut: str | None) -> None:
    """The assistant's message and the ``message_creation`` step that produced it."""
    fields = {"role": "assistant", "content": [messages.text_part(text)]}
    message = messages.add(engine, run["thread_id"], fields, run["id"], run["assistant_id"])
    if cut is not None:
        # A cut reply is an incomplete message, as when the real model hits its token limit.
        message.update(
            status="incomplete",
            completed_at=None,
            incomplete_at=message["created_at"],
            incomplete_details={"reason": "max_tokens"},
        )
    step = steps.add(engine, run, steps.message_creation(message["id"]), "completed")
    tokens = responder.count_tokens(text)
    step["usage"] = steps.usage(plan.prompt_tokens, tokens)
    plan.completion_tokens += tokens


def _ask_for_tools(engine: Engine, run: JSON, plan: RunPlan, outcome: responder.ToolCalls) -> None:
    calls: list[JSON] = []
    for call in outcome.calls:
        call_id = engine.new_id("call_")
        plan.pending.append((call_id, call.name))
        function = {"name": call.name, "arguments": call.arguments}
        calls.append({"id": call_id, "type": "function", "function": function})
    step_calls = [{**c, "function": {**c["function"], "output": None}} for c in calls]
    plan.tool_step_id = steps.add(engine, run, steps.tool_calls(step_calls), "in_progress")["id"]
    run["status"] = "requires_action"
    run["required_action"] = {
        "type": "submit_tool_outputs",
        "submit_tool_outputs": {"tool_calls": calls},
    }


def take_tool_outputs(engine: Engine, run: JSON, outputs: dict[str, str]) -> None:
    """Record the outputs on the tool step and resume the run towards its final reply."""
    plan = plan_of(engine, run)
    step = engine.store.steps[run["id"]][str(plan.tool_step_id)]
    for call in step["step_details"]["tool_calls"]:
        call["function"]["output"] = outputs[call["id"]]
    step["status"] = "completed"
    step["completed_at"] = engine.now()
    step["usage"] = steps.usage(plan.prompt_tokens, len(plan.pending))
    plan.completion_tokens += len(plan.pending)
    plan.outcome = responder.after_tools((name, outputs[cid]) for cid, name in plan.pending)
    plan.pending = []
    run["status"] = "in_progress"
    run["required_action"] = None


def _end_steps(engine: Engine, run: JSON, status: str, stamp: str) -> None:
    """Steps still running when the run stops end with it."""
    for step in engine.store.steps.get(run["id"], {}).values():
        if step["status"] == "in_progress":
            step["status"] = status
            step[stamp] = engine.now()
