"""The ``tool_calls`` step of a code_interpreter call, streamed as the service streams it.

The step is created empty (``in_progress``); a ``thread.run.step.delta`` then introduces the
call (id, type, empty input and outputs), more deltas carry the code in pieces and then the
outputs (logs, images by file id), and the step completes with the whole call. The SDKs' event
handlers see ``on_tool_call_created``, the ``code_interpreter`` input and output deltas, and
``on_tool_call_done``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.runs import steps

Emit = Callable[[str, JSON], None]


def open_step(engine: Engine, run: JSON, emit: Emit) -> JSON:
    step = steps.add(engine, run, steps.tool_calls([]), "in_progress")
    emit("thread.run.step.created", step)
    emit("thread.run.step.in_progress", step)
    call: JSON = {
        "id": engine.new_id("call_"),
        "type": "code_interpreter",
        "code_interpreter": {"input": "", "outputs": []},
    }
    step["step_details"]["tool_calls"].append(call)
    emit("thread.run.step.delta", _delta(step, call))
    return step


def add_input(step: JSON, piece: str, emit: Emit) -> None:
    call = _call(step)
    call["code_interpreter"]["input"] += piece
    emit("thread.run.step.delta", _delta(step, _head(call, {"input": piece})))


def complete(
    step: JSON, logs: str, image_ids: list[str], usage: JSON, now: int, emit: Emit
) -> None:
    """The call's outputs (its logs when there are any, then its images) end the step."""
    outputs: list[JSON] = [{"type": "logs", "logs": logs}] if logs else []
    outputs += [{"type": "image", "image": {"file_id": file_id}} for file_id in image_ids]
    call = _call(step)
    call["code_interpreter"]["outputs"] = outputs
    if outputs:
        numbered = [{"index": i, **copy.deepcopy(o)} for i, o in enumerate(outputs)]
        emit("thread.run.step.delta", _delta(step, _head(call, {"outputs": numbered})))
    step.update(status="completed", completed_at=now, usage=usage)
    emit("thread.run.step.completed", step)


def _call(step: JSON) -> JSON:
    call: JSON = step["step_details"]["tool_calls"][0]
    return call


def _head(call: JSON, fields: JSON) -> JSON:
    return {"id": call["id"], "type": "code_interpreter", "code_interpreter": fields}


def _delta(step: JSON, call: JSON) -> JSON:
    details = {"type": "tool_calls", "tool_calls": [{"index": 0, **copy.deepcopy(call)}]}
    return {"id": step["id"], "object": "thread.run.step.delta", "delta": {"step_details": details}}
