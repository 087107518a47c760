"""Function calls: the ``tool_calls`` step and ``requires_action`` a turn ends in, and the
outputs a client submits, which resume the run."""

from __future__ import annotations

import copy

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.models.turn import Answered, CallDelta, FunctionCalls
from asst_engine.resources.common import lookup
from asst_engine.runs import steps
from asst_engine.runs.plans import RunPlan, plan_of, turn_of
from asst_engine.runs.replies import Emit, silent


def ask_for_tools(
    engine: Engine, run: JSON, plan: RunPlan, asked: FunctionCalls, emit: Emit
) -> None:
    """End the turn in ``requires_action``. Calls a model streamed are on the tool step
    already; calls that came whole stream now, as a model's would (name, then arguments)."""
    if plan.tool_step_id is None:
        for index, call in enumerate(asked.calls):
            take_delta(engine, run, plan, CallDelta(index, call.name, ""), emit)
            take_delta(engine, run, plan, CallDelta(index, None, call.arguments), emit)
    step = _tool_step(engine, run, plan, emit)
    calls: list[JSON] = []
    for call in step["step_details"]["tool_calls"]:
        function = {"name": call["function"]["name"], "arguments": call["function"]["arguments"]}
        plan.pending.append((call["id"], function["name"], function["arguments"]))
        calls.append({"id": call["id"], "type": "function", "function": function})
    plan.call_tokens = asked.completion_tokens
    plan.streamed = {}
    run["status"] = "requires_action"
    run["required_action"] = {
        "type": "submit_tool_outputs",
        "submit_tool_outputs": {"tool_calls": calls},
    }


def take_delta(engine: Engine, run: JSON, plan: RunPlan, delta: CallDelta, emit: Emit) -> None:
    """A fragment of a function call onto the tool step, and the ``thread.run.step.delta``
    that announces it: the call's id, type and name first, then each piece of its arguments."""
    step = _tool_step(engine, run, plan, emit)
    calls = step["step_details"]["tool_calls"]
    position = plan.streamed.get(delta.index)
    if position is None:
        position = plan.streamed[delta.index] = len(calls)
        function = {"name": delta.name or "", "arguments": "", "output": None}
        calls.append({"id": engine.new_id("call_"), "type": "function", "function": function})
        emit("thread.run.step.delta", _step_delta(step, {"index": position, **calls[-1]}))
    function = calls[position]["function"]
    function["name"] = function["name"] or delta.name or ""
    if delta.arguments:
        function["arguments"] += delta.arguments
        # The id on every fragment: Foundry's schema requires it, and other clients ignore it.
        piece = {"index": position, "id": calls[position]["id"], "type": "function"}
        piece["function"] = {"arguments": delta.arguments}
        emit("thread.run.step.delta", _step_delta(step, piece))


def _tool_step(engine: Engine, run: JSON, plan: RunPlan, emit: Emit) -> JSON:
    """The turn's function-call step, created (empty, ``in_progress``) on its first call."""
    if plan.tool_step_id is not None:
        return lookup(engine.store.steps, plan.tool_step_id, "run step", run["id"])
    step = steps.add(engine, run, steps.tool_calls([]), "in_progress")
    plan.tool_step_id = step["id"]
    emit("thread.run.step.created", step)
    emit("thread.run.step.in_progress", step)
    return step


def _step_delta(step: JSON, call: JSON) -> JSON:
    details = {"type": "tool_calls", "tool_calls": [copy.deepcopy(call)]}
    return {"id": step["id"], "object": "thread.run.step.delta", "delta": {"step_details": details}}


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
    step["usage"] = steps.usage(plan.round_prompt, plan.call_tokens)
    emit("thread.run.step.completed", step)
    plan.completion_tokens += plan.call_tokens
    plan.answered.append(tuple(Answered(c, n, a, outputs[c]) for c, n, a in plan.pending))
    plan.events = engine.responder.respond(turn_of(engine, run, plan.answered), plan.cancel)
    plan.pending = []
    plan.tool_step_id = None
    run["required_action"] = None
    # The real service queues the run again and picks it up at once; a stream shows both.
    run["status"] = "queued"
    emit("thread.run.queued", run)
    run["status"] = "in_progress"
    emit("thread.run.in_progress", run)


def expected_calls(engine: Engine, run: JSON) -> list[str]:
    """The call ids a run in ``requires_action`` waits for, in the order asked."""
    return [call_id for call_id, _, _ in plan_of(engine, run).pending]
