"""Runs: create, create-and-run, retrieve (which advances the run), update, list, cancel,
submit tool outputs, and the run's steps. The lifecycle itself lives in ``lifecycle.py``.

Operations a client may stream take an ``Emit`` that hears the events they cause
(``thread.created``, ``thread.run.created``...); ``streams.py`` turns those into the response.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from asst_engine import validation as v
from asst_engine.engine import Engine
from asst_engine.errors import bad_request
from asst_engine.json_types import JSON
from asst_engine.resources import messages, threads
from asst_engine.resources.accepts import Accepts
from asst_engine.resources.common import lookup, merge, page_of
from asst_engine.resources.tool_resources import create_helper_stores, tool_resources
from asst_engine.runs import calls, lifecycle, plans, steps
from asst_engine.runs.lifecycle import Emit, silent

MAX_TOOLS = 20
# Runs expire ten minutes after creation on the real service.
RUN_LIFETIME = 600
_tokens = v.nullable(v.number(256, integer=True))


def _run_fields(engine: Engine, accepts: Accepts) -> dict[str, v.Check]:
    run_level: dict[str, v.Check] = {}
    if accepts.run_tool_resources:
        run_level["tool_resources"] = tool_resources(engine, accepts)
    return {
        **run_level,
        "assistant_id": v.text,
        "model": v.optional_text,
        "instructions": v.optional_text,
        "tools": v.nullable(v.tools(MAX_TOOLS, accepts.extra_tools)),
        "metadata": v.metadata,
        "temperature": v.temperature,
        "top_p": v.top_p,
        "stream": v.nullable(v.boolean),
        "max_prompt_tokens": _tokens,
        "max_completion_tokens": _tokens,
        "truncation_strategy": v.nullable(v.truncation_strategy),
        "tool_choice": v.nullable(v.tool_choice(accepts.extra_tools)),
        "parallel_tool_calls": v.boolean,
        "response_format": v.nullable(v.response_format),
    }


def _create_fields(engine: Engine, accepts: Accepts) -> dict[str, v.Check]:
    def additional(param: str, value: Any) -> Any:
        v.array(v.obj)(param, value)
        return [messages.check(engine, item, f"{param}[{i}]") for i, item in enumerate(value)]

    effort = {"reasoning_effort": v.reasoning_effort} if accepts.reasoning_effort else {}
    return {
        **_run_fields(engine, accepts),
        **effort,
        "additional_instructions": v.optional_text,
        "additional_messages": v.nullable(additional),
    }


def _and_run_fields(engine: Engine, accepts: Accepts) -> dict[str, v.Check]:
    def thread(param: str, value: Any) -> Any:
        return threads.check(engine, value, accepts, param)

    resources = tool_resources(engine, accepts)
    return {**_run_fields(engine, accepts), "thread": thread, "tool_resources": resources}


def create(
    engine: Engine, thread_id: str, body: JSON, emit: Emit = silent, *, accepts: Accepts
) -> JSON:
    messages.thread_of(engine, thread_id)
    fields = v.check_body(body, _create_fields(engine, accepts), ("assistant_id",))
    assistant = lookup(engine.store.assistants, fields["assistant_id"], "assistant")
    messages.ensure_idle(engine, thread_id, starting_run=True)
    for message in fields.pop("additional_messages", None) or []:
        messages.add(engine, thread_id, message)
    return _start(engine, thread_id, assistant, fields, emit)


def create_and_run(engine: Engine, body: JSON, emit: Emit = silent, *, accepts: Accepts) -> JSON:
    """The thread takes ``tool_resources`` unless the dialect makes them the run's (Foundry)."""
    fields = v.check_body(body, _and_run_fields(engine, accepts), ("assistant_id",))
    assistant = lookup(engine.store.assistants, fields["assistant_id"], "assistant")
    thread_fields = fields.pop("thread", None) or {}
    resources = None if accepts.run_tool_resources else fields.pop("tool_resources", None)
    if resources and not thread_fields.get("tool_resources"):
        thread_fields["tool_resources"] = resources
    thread = threads.add(engine, thread_fields)
    emit("thread.created", thread)
    return _start(engine, thread["id"], assistant, fields, emit)


def _start(engine: Engine, thread_id: str, assistant: JSON, fields: JSON, emit: Emit) -> JSON:
    """A queued run whose settings default to the assistant's, and the responder's plan for it.

    Run-level ``tool_resources`` (Foundry) are the run's own: they stand in for the assistant's.
    """
    fields.pop("stream", None)
    create_helper_stores(engine, fields)
    instructions = fields.pop("instructions", None) or assistant["instructions"] or ""
    extra = fields.pop("additional_instructions", None)
    created = engine.now()
    run: JSON = {
        "id": engine.new_id("run_"),
        "object": "thread.run",
        "created_at": created,
        "assistant_id": assistant["id"],
        "thread_id": thread_id,
        "status": "queued",
        "started_at": None,
        # Always set: Azure's spec types it as a non-nullable integer.
        "expires_at": created + RUN_LIFETIME,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "required_action": None,
        "last_error": None,
        "model": fields.pop("model", None) or assistant["model"],
        "instructions": f"{instructions}\n\n{extra}" if extra else instructions,
        "tools": _tools(fields.pop("tools", None), assistant),
        "metadata": {},
        "usage": None,
        "temperature": assistant["temperature"],
        "top_p": assistant["top_p"],
        "max_prompt_tokens": None,
        "max_completion_tokens": None,
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "incomplete_details": None,
        "response_format": assistant["response_format"],
        "tool_choice": "auto",
        "parallel_tool_calls": True,
    }
    if assistant.get("reasoning_effort") is not None:
        run["reasoning_effort"] = assistant["reasoning_effort"]
    merge(run, {key: value for key, value in fields.items() if value is not None})
    engine.store.runs.put(run, thread_id)
    lifecycle.start(engine, run)
    emit("thread.run.created", run)
    emit("thread.run.queued", run)
    engine.driver.wake(engine, run)
    return run


def _tools(override: list[JSON] | None, assistant: JSON) -> list[JSON]:
    """A run's own ``tools`` (even ``[]``) win; otherwise it copies the assistant's."""
    return copy.deepcopy(assistant["tools"] if override is None else override)


def _lookup(engine: Engine, thread_id: str, run_id: str) -> JSON:
    messages.thread_of(engine, thread_id)
    return lookup(engine.store.runs, run_id, "run", thread_id)


def retrieve(engine: Engine, thread_id: str, run_id: str) -> JSON:
    """Retrieving is how a poll-driven run makes progress (see ``driver``)."""
    run = _lookup(engine, thread_id, run_id)
    engine.driver.observe(engine, run)
    return run


def update(engine: Engine, thread_id: str, run_id: str, body: JSON) -> JSON:
    run = _lookup(engine, thread_id, run_id)
    return merge(run, v.check_body(body, {"metadata": v.metadata}))


def listing(engine: Engine, thread_id: str, query: Mapping[str, str]) -> JSON:
    messages.thread_of(engine, thread_id)
    return page_of(engine.store.runs, query, thread_id)


def cancel(engine: Engine, thread_id: str, run_id: str) -> JSON:
    run = _lookup(engine, thread_id, run_id)
    if run["status"] not in ("queued", "in_progress", "requires_action"):
        message = f"Cannot cancel run with status '{run['status']}'."
        raise bad_request(message, None, "invalid_state")
    run["status"] = "cancelling"
    run["required_action"] = None
    plans.plan_of(engine, run).cancel.set()
    engine.driver.wake(engine, run)
    return run


_tool_output = v.fields_of({"tool_call_id": v.text, "output": v.text}, ("tool_call_id", "output"))


def submit_tool_outputs(
    engine: Engine, thread_id: str, run_id: str, body: JSON, emit: Emit = silent
) -> JSON:
    run = _lookup(engine, thread_id, run_id)
    checks = {"tool_outputs": v.array(_tool_output), "stream": v.nullable(v.boolean)}
    fields = v.check_body(body, checks, ("tool_outputs",))
    if run["status"] != "requires_action":
        message = f'Runs in status "{run["status"]}" do not accept tool outputs.'
        raise bad_request(message, None, "invalid_state")
    outputs = {item["tool_call_id"]: item["output"] for item in fields["tool_outputs"]}
    expected = calls.expected_calls(engine, run)
    if sorted(outputs) != sorted(expected):
        message = f"Expected tool outputs for call_ids {expected}, got {sorted(outputs)}."
        raise bad_request(message, "tool_outputs", "invalid_value")
    calls.take_tool_outputs(engine, run, outputs, emit)
    engine.driver.wake(engine, run)
    return run


def retrieve_step(
    engine: Engine, thread_id: str, run_id: str, step_id: str, query: Mapping[str, str]
) -> JSON:
    return steps.retrieve(engine, _lookup(engine, thread_id, run_id), step_id, query)


def list_steps(engine: Engine, thread_id: str, run_id: str, query: Mapping[str, str]) -> JSON:
    return steps.listing(engine, _lookup(engine, thread_id, run_id), query)
