"""Messages of a thread: create, retrieve, update (metadata), delete, list.

Content may be sent as a string or as content parts; it is stored the way the API returns it:
``[{"type": "text", "text": {"value": ..., "annotations": []}}]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asst_engine import validation as v
from asst_engine.engine import Engine
from asst_engine.errors import bad_request
from asst_engine.json_types import JSON
from asst_engine.resources.common import deleted, lookup, merge, new_object
from asst_engine.resources.tool_resources import existing
from asst_engine.store import pagination

ACTIVE_RUN_STATUSES = ("queued", "in_progress", "requires_action", "cancelling")
_image_file = v.fields_of(
    {"file_id": v.text, "detail": v.choice("auto", "low", "high")}, ("file_id",)
)
_image_url = v.fields_of({"url": v.text, "detail": v.choice("auto", "low", "high")}, ("url",))
_PARTS: dict[str, dict[str, v.Check]] = {
    "text": {"type": v.text, "text": v.text},
    "image_file": {"type": v.text, "image_file": _image_file},
    "image_url": {"type": v.text, "image_url": _image_url},
}


def _part(param: str, value: Any) -> Any:
    v.obj(param, value)
    kind = v.choice(*_PARTS)(f"{param}.type", value.get("type"))
    checked = v.fields_of(_PARTS[kind], required=(kind,))(param, value)
    if kind == "text":
        return text_part(checked["text"])
    return checked


def text_part(value: str) -> JSON:
    return {"type": "text", "text": {"value": value, "annotations": []}}


def content(param: str, value: Any) -> Any:
    """A non-empty string or a non-empty array of content parts, stored as parts."""
    if isinstance(value, str):
        if not value:
            raise bad_request(f"Invalid '{param}': empty string.", param, "empty_string")
        return [text_part(value)]
    parts = v.array(_part)(param, value)
    if not parts:
        raise bad_request(f"Invalid '{param}': empty array.", param, "empty_array")
    return parts


def _fields(engine: Engine) -> dict[str, v.Check]:
    tool = v.fields_of({"type": v.choice("code_interpreter", "file_search")}, ("type",))
    attachment = v.fields_of(
        {"file_id": existing(engine.store.files, "file"), "tools": v.array(tool)}, ("file_id",)
    )
    return {
        "role": v.choice("user", "assistant"),
        "content": content,
        "attachments": v.nullable(v.array(attachment)),
        "metadata": v.metadata,
    }


def check(engine: Engine, body: Any, param: str | None = None) -> JSON:
    """Validate a message body; ``param`` prefixes field names when it sits inside another body."""
    if param is None:
        return v.check_body(body, _fields(engine), ("role", "content"))
    return v.fields_of(_fields(engine), ("role", "content"))(param, body)  # type: ignore[no-any-return]


def thread_of(engine: Engine, thread_id: str) -> JSON:
    return lookup(engine.store.threads, thread_id, "thread")


def ensure_idle(engine: Engine, thread_id: str, starting_run: bool = False) -> None:
    """The API refuses new messages and runs while a run of the thread is still active."""
    for run in engine.store.runs.list(thread_id):
        if run["status"] in ACTIVE_RUN_STATUSES:
            if starting_run:
                message = f"Thread {thread_id} already has an active run {run['id']}."
            else:
                message = f"Can't add messages to {thread_id} while a run {run['id']} is active."
            raise bad_request(message)


def add(
    engine: Engine,
    thread_id: str,
    fields: JSON,
    run_id: str | None = None,
    assistant_id: str | None = None,
) -> JSON:
    """Store an already-validated message; runs pass their ids for the replies they write."""
    created = engine.now()
    message: JSON = {
        **new_object(engine, "msg_", "thread.message", created),
        "assistant_id": assistant_id,
        "thread_id": thread_id,
        "run_id": run_id,
        "role": fields["role"],
        "content": fields["content"],
        "attachments": fields.get("attachments") or [],
        "metadata": fields.get("metadata") or {},
        "status": "completed",
        "incomplete_details": None,
        # Only messages a run wrote have a completion time; user messages arrive complete.
        "completed_at": created if run_id else None,
        "incomplete_at": None,
    }
    engine.store.messages.put(message, thread_id)
    return message


def create(engine: Engine, thread_id: str, body: JSON) -> JSON:
    thread_of(engine, thread_id)
    fields = check(engine, body)
    ensure_idle(engine, thread_id)
    return add(engine, thread_id, fields)


def retrieve(engine: Engine, thread_id: str, message_id: str) -> JSON:
    thread_of(engine, thread_id)
    return lookup(engine.store.messages, message_id, "message", thread_id)


def update(engine: Engine, thread_id: str, message_id: str, body: JSON) -> JSON:
    message = retrieve(engine, thread_id, message_id)
    return merge(message, v.check_body(body, {"metadata": v.metadata}))


def delete(engine: Engine, thread_id: str, message_id: str) -> JSON:
    retrieve(engine, thread_id, message_id)
    engine.store.messages.delete(message_id, thread_id)
    return deleted(message_id, "thread.message.deleted")


def listing(engine: Engine, thread_id: str, query: Mapping[str, str]) -> JSON:
    thread_of(engine, thread_id)
    where = {"run_id": query["run_id"]} if query.get("run_id") else None
    found = engine.store.messages.page(pagination.parse(query).matching(where), thread_id)
    return pagination.envelope(found)
