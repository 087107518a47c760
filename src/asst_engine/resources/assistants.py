"""Assistants: create, retrieve, update, delete, list."""

from __future__ import annotations

from collections.abc import Mapping

from asst_engine import validation as v
from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.resources.accepts import Accepts
from asst_engine.resources.common import deleted, lookup, merge, page_of
from asst_engine.resources.tool_resources import create_helper_stores, tool_resources

MAX_TOOLS = 128


def _fields(engine: Engine, accepts: Accepts) -> dict[str, v.Check]:
    fields = {
        "model": v.string(256),
        "name": v.nullable(v.string(256)),
        "description": v.nullable(v.string(512)),
        "instructions": v.nullable(v.string(256_000)),
        "tools": v.tools(MAX_TOOLS, accepts.extra_tools),
        "tool_resources": tool_resources(engine, accepts),
        "metadata": v.metadata,
        "temperature": v.temperature,
        "top_p": v.top_p,
        "response_format": v.nullable(v.response_format),
    }
    if accepts.reasoning_effort:
        # Shown only once set: the objects of the other dialects' specs have no such field.
        fields["reasoning_effort"] = v.reasoning_effort
    return fields


def create(engine: Engine, body: JSON, accepts: Accepts) -> JSON:
    fields = v.check_body(body, _fields(engine, accepts), required=("model",))
    create_helper_stores(engine, fields)
    assistant: JSON = {
        "id": engine.new_id("asst_"),
        "object": "assistant",
        "created_at": engine.now(),
        "name": None,
        "description": None,
        "model": fields.pop("model"),
        "instructions": None,
        "tools": [],
        "tool_resources": {},
        "metadata": {},
        # The real service reports the sampling defaults it will use rather than null.
        "temperature": 1.0,
        "top_p": 1.0,
        "response_format": "auto",
    }
    _apply(assistant, fields)
    engine.store.assistants.put(assistant)
    return assistant


def _apply(assistant: JSON, fields: JSON) -> None:
    """Nulls reset a setting to its default instead of storing a null where the spec forbids it."""
    defaults = {"temperature": 1.0, "top_p": 1.0, "response_format": "auto", "tool_resources": {}}
    for key, default in defaults.items():
        if key in fields and fields[key] is None:
            fields[key] = default
    merge(assistant, fields)


def retrieve(engine: Engine, assistant_id: str) -> JSON:
    return lookup(engine.store.assistants, assistant_id, "assistant")


def update(engine: Engine, assistant_id: str, body: JSON, accepts: Accepts) -> JSON:
    assistant = retrieve(engine, assistant_id)
    _apply(assistant, v.check_body(body, _fields(engine, accepts)))
    return assistant


def delete(engine: Engine, assistant_id: str) -> JSON:
    retrieve(engine, assistant_id)
    engine.store.assistants.delete(assistant_id)
    return deleted(assistant_id, "assistant.deleted")


def listing(engine: Engine, query: Mapping[str, str]) -> JSON:
    return page_of(engine.store.assistants, query)
