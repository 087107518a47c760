"""Run steps: created by the run lifecycle, read by clients (retrieve and list)."""

from __future__ import annotations

from collections.abc import Mapping

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.resources.common import lookup, new_object, page_of
from asst_engine.tools.file_search import CONTENT, without_content


def add(engine: Engine, run: JSON, details: JSON, status: str) -> JSON:
    created = engine.now()
    step: JSON = {
        **new_object(engine, "step_", "thread.run.step", created),
        "run_id": run["id"],
        "assistant_id": run["assistant_id"],
        "thread_id": run["thread_id"],
        "type": details["type"],
        "status": status,
        "cancelled_at": None,
        "completed_at": created if status == "completed" else None,
        "expired_at": None,
        "failed_at": None,
        "last_error": None,
        "step_details": details,
        "usage": None,
        "metadata": {},
    }
    engine.store.steps.put(step, run["id"])
    return step


def message_creation(message_id: str) -> JSON:
    return {"type": "message_creation", "message_creation": {"message_id": message_id}}


def tool_calls(calls: list[JSON]) -> JSON:
    return {"type": "tool_calls", "tool_calls": calls}


def usage(prompt: int, completion: int) -> JSON:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def retrieve(
    engine: Engine, run: JSON, step_id: str, query: Mapping[str, str] | None = None
) -> JSON:
    step = lookup(engine.store.steps, step_id, "run step", run["id"])
    return step if with_content(query or {}) else without_content(step)


def listing(engine: Engine, run: JSON, query: Mapping[str, str]) -> JSON:
    """``include[]`` may ask for the file_search results' content; without it none is shown."""
    filtered = {key: value for key, value in query.items() if key != "include[]"}
    page = page_of(engine.store.steps, filtered, run["id"])
    if not with_content(query):
        page["data"] = [without_content(step) for step in page["data"]]
    return page


def with_content(query: Mapping[str, str]) -> bool:
    """Whether a request's ``include[]`` asks for the file_search results' content: on step
    reads, and on a streamed run's step events."""
    return query.get("include[]") == CONTENT
