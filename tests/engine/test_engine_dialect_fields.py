"""What one dialect's spec lets a body carry and the others' do not, through ``dispatch``:
OpenAI's ``reasoning_effort``; Foundry's own tool types, run-level ``tool_resources`` and
upload ``filename``. Each is accepted where its spec has it and refused as unknown elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from engine_sessions import Session, error, events, unknown

BING = {
    "type": "bing_grounding",
    "bing_grounding": {"search_configurations": [{"connection_id": "conn-1", "count": 5}]},
}
FOUNDRY_TOOLS = [
    {
        "type": "openapi",
        "openapi": {"name": "weather", "spec": {"openapi": "3.0.0"}, "auth": {"type": "anonymous"}},
    },
    {"type": "azure_ai_search"},
    BING,
    {
        "type": "connected_agent",
        "connected_agent": {"id": "asst_child", "name": "helper", "description": "Helps."},
    },
    {
        "type": "azure_function",
        "azure_function": {
            "function": {"name": "f", "description": "d", "parameters": {}},
            "input_binding": {
                "type": "storage_queue",
                "storage_queue": {"queue_service_endpoint": "https://q", "queue_name": "in"},
            },
            "output_binding": {
                "type": "storage_queue",
                "storage_queue": {"queue_service_endpoint": "https://q", "queue_name": "out"},
            },
        },
    },
]


def poll(s: Session, run: Any, times: int = 2) -> Any:
    for _ in range(times):
        run = s.call("GET", f"/threads/{run['thread_id']}/runs/{run['id']}")
    return run


def test_reasoning_effort_on_assistants_and_runs() -> None:
    s = Session("openai")
    assistant = s.call("POST", "/assistants", {"model": "o3", "reasoning_effort": "high"})
    assert assistant["reasoning_effort"] == "high"
    path = f"/assistants/{assistant['id']}"
    assert s.call("POST", path, {"reasoning_effort": "low"})["reasoning_effort"] == "low"
    assert s.call("GET", path)["reasoning_effort"] == "low"
    thread = s.call("POST", "/threads", {})
    runs = f"/threads/{thread['id']}/runs"
    inherited = s.call("POST", runs, {"assistant_id": assistant["id"]})
    assert inherited["reasoning_effort"] == "low"
    poll(s, inherited)
    own = s.call("POST", runs, {"assistant_id": assistant["id"], "reasoning_effort": "minimal"})
    assert own["reasoning_effort"] == "minimal"
    poll(s, own)
    plain = s.call("POST", "/assistants", {"model": "gpt-4o"})
    assert "reasoning_effort" not in plain
    assert "reasoning_effort" not in poll(s, s.call("POST", runs, {"assistant_id": plain["id"]}))
    bad = s.call("POST", "/assistants", {"model": "o3", "reasoning_effort": "extreme"}, status=400)
    assert bad == error(
        "Invalid value: 'extreme'. Supported values are: 'none', 'minimal', 'low', 'medium', "
        "'high', 'xhigh', and 'max'.",
        "reasoning_effort",
        "invalid_value",
    )
    # The spec has it on create run but not on create thread and run.
    body = {"assistant_id": plain["id"], "reasoning_effort": "low"}
    assert s.call("POST", "/threads/runs", body, status=400) == unknown("reasoning_effort")
    assert s.problems == []


@pytest.mark.parametrize("dialect", ["azure", "foundry"])
def test_reasoning_effort_is_openais(dialect: str) -> None:
    s = Session(dialect)
    body = {"model": "o3", "reasoning_effort": "high"}
    assert s.call("POST", "/assistants", body, status=400) == unknown("reasoning_effort")


def test_foundry_tools_are_stored_as_given() -> None:
    s = Session("foundry")
    agent = s.call("POST", "/assistants", {"model": "gpt-4o", "tools": FOUNDRY_TOOLS})
    assert agent["tools"] == FOUNDRY_TOOLS
    assert s.call("GET", f"/assistants/{agent['id']}")["tools"] == FOUNDRY_TOOLS
    lacking = {"model": "gpt-4o", "tools": [{"type": "openapi"}]}
    assert s.call("POST", "/assistants", lacking, status=400) == error(
        "Missing required parameter: 'tools[0].openapi'.",
        "tools[0].openapi",
        "missing_required_parameter",
    )
    assert s.problems == []


@pytest.mark.parametrize("dialect", ["openai", "azure"])
def test_foundry_tools_are_foundrys(dialect: str) -> None:
    s = Session(dialect)
    answer = s.call("POST", "/assistants", {"model": "gpt-4o", "tools": [BING]}, status=400)
    assert answer == error(
        "Invalid value: 'bing_grounding'. Supported values are: 'code_interpreter', "
        "'file_search', and 'function'.",
        "tools[0].type",
        "invalid_value",
    )


REFUSAL = (
    "The run's tools include 'azure_ai_search', 'bing_grounding', which this server stores but "
    "does not run; remove them from the agent or the run (tools=[...]) to run it here."
)


def test_a_run_needing_a_foundry_tool_fails_as_it_starts() -> None:
    s = Session("foundry")
    tools = [BING, {"type": "azure_ai_search"}, {"type": "file_search"}]
    agent = s.call("POST", "/assistants", {"model": "gpt-4o", "tools": tools})
    thread = s.call("POST", "/threads", {"messages": [{"role": "user", "content": "hello"}]})
    runs = f"/threads/{thread['id']}/runs"
    run = poll(s, s.call("POST", runs, {"assistant_id": agent["id"]}))
    assert (run["status"], run["last_error"]) == (
        "failed",
        {"code": "invalid_request_error", "message": REFUSAL},
    )
    assert run["failed_at"] is not None
    assert s.call("GET", f"/threads/{thread['id']}/messages")["data"][0]["role"] == "user"
    # The run's own tools decide: without them it runs.
    run = poll(s, s.call("POST", runs, {"assistant_id": agent["id"], "tools": []}))
    assert run["status"] == "completed"
    streamed = {
        "assistant_id": agent["id"],
        "stream": True,
        "tool_choice": {"type": "bing_grounding"},
    }
    names = [name for name, _ in events(s.call("POST", runs, streamed))]
    assert names == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.failed",
        "done",
    ]
    assert s.problems == []


def test_foundry_run_tool_resources_are_the_runs() -> None:
    s = Session("foundry")
    mine, theirs = s.upload("mine.txt", b"mine"), s.upload("theirs.txt", b"theirs")
    store_mine = s.call("POST", "/vector_stores", {"file_ids": [mine["id"]]})
    store_theirs = s.call("POST", "/vector_stores", {"file_ids": [theirs["id"]]})
    resources = {"file_search": {"vector_store_ids": [store_theirs["id"]]}}
    agent = s.call("POST", "/assistants", {"model": "m", "tool_resources": resources})
    thread = s.call("POST", "/threads", {"messages": [{"role": "user", "content": "please cite"}]})
    own = {
        "file_search": {"vector_store_ids": [store_mine["id"]]},
        "azure_ai_search": {"indexes": [{"index_connection_id": "c", "index_name": "i"}]},
    }
    body = {"assistant_id": agent["id"], "tool_resources": own}
    run = s.call("POST", f"/threads/{thread['id']}/runs", body)
    assert run["tool_resources"] == own
    assert poll(s, run)["status"] == "completed"
    reply = s.call("GET", f"/threads/{thread['id']}/messages")["data"][0]
    cited = reply["content"][0]["text"]["annotations"][0]["file_citation"]["file_id"]
    assert cited == mine["id"]
    message = {"role": "user", "content": "please cite"}
    both = {"assistant_id": agent["id"], "thread": {"messages": [message]}, "tool_resources": own}
    run = s.call("POST", "/threads/runs", both)
    assert run["tool_resources"] == own
    assert s.call("GET", f"/threads/{run['thread_id']}")["tool_resources"] == {}
    assert s.problems == []


@pytest.mark.parametrize("dialect", ["openai", "azure"])
def test_run_tool_resources_are_foundrys(dialect: str) -> None:
    s = Session(dialect)
    agent = s.call("POST", "/assistants", {"model": "m"})
    thread = s.call("POST", "/threads", {})
    body = {"assistant_id": agent["id"], "tool_resources": {}}
    answer = s.call("POST", f"/threads/{thread['id']}/runs", body, status=400)
    assert answer == unknown("tool_resources")
    resources = {"azure_ai_search": {"indexes": []}}
    answer = s.call("POST", "/assistants", {"model": "m", "tool_resources": resources}, status=400)
    assert answer == unknown("tool_resources.azure_ai_search")


def upload(s: Session, parts: list[tuple[str, str | None, bytes]]) -> Any:
    """A multipart upload of (field, part file name or None, bytes) parts."""
    boundary = "dialect-fields"
    raw = b""
    for name, filename, data in parts:
        named = f'; filename="{filename}"' if filename is not None else ""
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"{named}\r\n\r\n'
        raw += head.encode() + data + b"\r\n"
    raw += f"--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return s.call, raw, headers


def test_foundry_upload_filename_names_the_file() -> None:
    s = Session("foundry")
    call, raw, headers = upload(
        s,
        [
            ("purpose", None, b"assistants"),
            ("filename", None, b"named.txt"),
            ("file", None, b"hi\n"),
        ],
    )
    file = call("POST", "/files", raw=raw, headers=headers)
    assert (file["filename"], file["bytes"]) == ("named.txt", 3)
    assert s.call("GET", f"/files/{file['id']}/content") == b"hi\n"
    call, raw, headers = upload(s, [("purpose", None, b"assistants"), ("file", "a.txt", b"x")])
    assert call("POST", "/files", raw=raw, headers=headers)["filename"] == "a.txt"
    assert s.problems == []


def test_upload_filename_is_foundrys() -> None:
    s = Session("openai")
    parts = [("purpose", None, b"assistants"), ("filename", None, b"n.txt"), ("file", "a", b"x")]
    call, raw, headers = upload(s, parts)
    assert call("POST", "/files", raw=raw, headers=headers, status=400) == unknown("filename")
