"""Function calls: the ``tool_calls`` step and ``requires_action`` a turn ends in, and the
outputs a client submits, which resume the run."""

from __future__ import annotations

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.models.turn import Answered, FunctionCalls
from asst_engine.resources.common import lookup
from asst_engine.runs import steps
from asst_engine.runs.plans import RunPlan, plan_of, turn_of
from asst_engine.runs.replies import Emit, silent


def ask_for_tools(
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
