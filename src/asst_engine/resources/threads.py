"""Threads: create (with initial messages), retrieve, update, delete, list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asst_engine import validation as v
from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.resources import messages
from asst_engine.resources.accepts import Accepts
from asst_engine.resources.common import deleted, merge, page_of
from asst_engine.resources.tool_resources import create_helper_stores, tool_resources

MAX_MESSAGES = 32


def _fields(engine: Engine, accepts: Accepts) -> dict[str, v.Check]:
    def initial_messages(param: str, value: Any) -> Any:
        v.array(v.obj, MAX_MESSAGES)(param, value)
        return [messages.check(engine, item, f"{param}[{i}]") for i, item in enumerate(value)]

    return {
        "messages": initial_messages,
        "tool_resources": tool_resources(engine, accepts),
        "metadata": v.metadata,
    }


def check(engine: Engine, body: Any, accepts: Accepts, param: str | None = None) -> JSON:
    """Validate a thread body, top-level or nested (``thread`` of create-and-run)."""
    if param is None:
        return v.check_body(body, _fields(engine, accepts))
    return v.fields_of(_fields(engine, accepts))(param, body)  # type: ignore[no-any-return]


def add(engine: Engine, fields: JSON) -> JSON:
    """Store an already-validated thread and its initial messages."""
    create_helper_stores(engine, fields)
    thread: JSON = {
        "id": engine.new_id("thread_"),
        "object": "thread",
        "created_at": engine.now(),
        "tool_resources": fields.get("tool_resources") or {},
        "metadata": fields.get("metadata") or {},
    }
    engine.store.threads.put(thread)
    for message in fields.get("messages", []):
        messages.add(engine, thread["id"], message)
    return thread


def create(engine: Engine, body: JSON, accepts: Accepts) -> JSON:
    return add(engine, check(engine, body, accepts))


def retrieve(engine: Engine, thread_id: str) -> JSON:
    return messages.thread_of(engine, thread_id)


def update(engine: Engine, thread_id: str, body: JSON, accepts: Accepts) -> JSON:
    thread = retrieve(engine, thread_id)
    checks = {"tool_resources": tool_resources(engine, accepts), "metadata": v.metadata}
    fields = v.check_body(body, checks)
    if "tool_resources" in fields:
        create_helper_stores(engine, fields)
        fields["tool_resources"] = fields["tool_resources"] or {}
    return merge(thread, fields)


def delete(engine: Engine, thread_id: str) -> JSON:
    """Deleting a thread takes its messages, runs and run steps with it."""
    retrieve(engine, thread_id)
    for run in engine.store.runs.list(thread_id):
        engine.run_plans.pop(run["id"], None)
    engine.store.threads.delete(thread_id)
    return deleted(thread_id, "thread.deleted")


def listing(engine: Engine, query: Mapping[str, str]) -> JSON:
    """Only Foundry's spec lists threads; the other dialects get it too (harmless, useful)."""
    return page_of(engine.store.threads, query)
