"""POST /v1/asst/import: objects stored with their ids and times, idempotent, collisions 409."""

from __future__ import annotations

import base64
import json
from typing import Any

from stores import BOTH_STORES

THREAD = {"id": "thread_old", "object": "thread", "created_at": 100, "metadata": {"k": "v"},
          "tool_resources": {}}  # fmt: skip
MESSAGE = {
    "id": "msg_old", "object": "thread.message", "created_at": 101, "thread_id": "thread_old",
    "role": "user", "content": [{"type": "text", "text": {"value": "hi", "annotations": []}}],
    "assistant_id": None, "run_id": None, "attachments": [], "metadata": {}, "status": "completed",
    "completed_at": None, "incomplete_at": None, "incomplete_details": None,
}  # fmt: skip
RUN = {"id": "run_old", "object": "thread.run", "created_at": 102, "thread_id": "thread_old",
       "status": "completed", "usage": {"total_tokens": 3}}  # fmt: skip
STEP = {"id": "step_old", "object": "thread.run.step", "created_at": 103, "run_id": "run_old",
        "thread_id": "thread_old", "status": "completed", "type": "message_creation"}  # fmt: skip
FILE = {"id": "file-old", "object": "file", "bytes": 2, "created_at": 99, "filename": "a.txt",
        "purpose": "assistants", "status": "processed"}  # fmt: skip


def body(*lines: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


def everything() -> bytes:
    content = base64.b64encode(b"ab").decode()
    return body(
        {"kind": "file", "object": FILE, "content_base64": content},
        {"kind": "thread", "object": THREAD},
        {"kind": "message", "object": MESSAGE},
        {"kind": "run", "object": RUN},
        {"kind": "step", "object": STEP},
    )


def send(api: Any, raw: bytes) -> Any:
    headers = {**api.default_headers(), "Content-Type": "application/x-ndjson"}
    return api.request("POST", "/asst/import", raw=raw, headers=headers)


@BOTH_STORES
def test_import_keeps_ids_and_times_and_is_idempotent(api: Any) -> None:
    first = send(api, everything())
    assert (first.status, first.body) == (200, {
        "object": "asst.import",
        "created": {"file": 1, "thread": 1, "message": 1, "run": 1, "step": 1},
        "unchanged": {},
    })  # fmt: skip
    assert api.ok("GET", "/threads/thread_old") == THREAD
    assert api.ok("GET", "/threads/thread_old/messages")["data"] == [MESSAGE]
    assert api.ok("GET", "/threads/thread_old/runs/run_old") == RUN
    assert api.ok("GET", "/threads/thread_old/runs/run_old/steps")["data"] == [STEP]
    assert api.get("/files/file-old/content").body == b"ab"
    empty = send(api, b"")  # how a client learns that this server takes imports
    assert empty.body == {"object": "asst.import", "created": {}, "unchanged": {}}
    again = send(api, everything())
    assert again.body["created"] == {}
    assert again.body["unchanged"] == {"file": 1, "thread": 1, "message": 1, "run": 1, "step": 1}


def test_a_different_object_under_a_stored_id_is_refused_whole(api: Any, err: Any) -> None:
    send(api, body({"kind": "thread", "object": THREAD}))
    changed = {**THREAD, "metadata": {"k": "other"}}
    answer = send(api, body({"kind": "message", "object": MESSAGE},
                            {"kind": "thread", "object": changed}))  # fmt: skip
    assert (answer.status, answer.body) == (409, err(
        "Import line 2: thread thread_old exists and differs.", code="invalid_import"
    ))  # fmt: skip
    assert api.ok("GET", "/threads/thread_old/messages")["data"] == []


def test_bad_lines_are_named(api: Any, err: Any) -> None:
    going = {**RUN, "status": "in_progress"}
    cases = {
        b"{nope\n": "Import line 1: not a JSON object.",
        body({"kind": "robot", "object": {"id": "x"}}): "Import line 1: unknown kind 'robot' "
        "(one of file, assistant, vector_store, vector_store_file, thread, message, run, step).",
        body({"kind": "run", "object": going}): "Import line 1: run run_old has not ended "
        "(in_progress); export later.",
        body({"kind": "message", "object": {"id": "m"}}): "Import line 1: the object has no "
        "'thread_id'.",
    }
    for raw, message in cases.items():
        answer = send(api, raw)
        assert (answer.status, answer.body) == (400, err(message, code="invalid_import")), raw


def test_import_is_served_in_the_openai_dialect_only(api: Any) -> None:
    azure = api.using("azure")
    headers = {**azure.default_headers(), "Content-Type": "application/x-ndjson"}
    answer = azure.request("POST", "/asst/import", raw=everything(), headers=headers)
    message = "Import is served in the OpenAI dialect only (/v1/asst/import)."
    shape = {"error": {"message": message, "type": "invalid_request_error"}}  # Azure's envelope
    assert (answer.status, answer.body) == (404, shape)


def test_objects_as_azure_renders_them_are_stored_in_the_canonical_shape(api: Any) -> None:
    azure_step = {**STEP, "object": "assistant.run.step"}
    store = {"id": "vs_old", "object": "vector_store", "usage_bytes": 2, "bytes": 2}
    lines = body({"kind": "thread", "object": THREAD}, {"kind": "run", "object": RUN},
                 {"kind": "step", "object": azure_step},
                 {"kind": "vector_store", "object": store})  # fmt: skip
    assert send(api, lines).status == 200
    assert api.ok("GET", "/threads/thread_old/runs/run_old/steps")["data"] == [STEP]
    assert api.ok("GET", "/vector_stores/vs_old") == {
        "id": "vs_old", "object": "vector_store", "usage_bytes": 2
    }  # fmt: skip
    assert send(api, lines).body["created"] == {}
