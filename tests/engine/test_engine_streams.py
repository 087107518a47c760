"""Streamed runs (``"stream": true``): the events, their order and data, in every dialect.

Each stream is checked event by event against its dialect's spec (spec_check), and what it
reports must be what GETs return afterwards.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any

import pytest
from engine_sessions import Session, events

from asst_engine import Engine, serve

DIALECTS = ["openai", "azure", "foundry"]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {}},
    },
}
RUN_START = ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
REPLY = [
    "thread.run.step.created",
    "thread.run.step.in_progress",
    "thread.message.created",
    "thread.message.in_progress",
]
REPLY_END = ["thread.message.completed", "thread.run.step.completed"]


def names(stream: list[tuple[str, Any]]) -> list[str]:
    """Event names, with the run of deltas collapsed into one ``thread.message.delta``."""
    out: list[str] = []
    for name, _ in stream:
        if not (name == "thread.message.delta" and out and out[-1] == name):
            out.append(name)
    return out


def data(stream: list[tuple[str, Any]], name: str) -> list[Any]:
    return [payload for event, payload in stream if event == name]


def setup(s: Session, prompt: str, tools: list[Any] | None = None) -> tuple[Any, Any]:
    assistant = s.call("POST", "/assistants", {"model": "gpt-4o", "tools": tools or [WEATHER]})
    thread = s.call("POST", "/threads", {"messages": [{"role": "user", "content": prompt}]})
    return assistant, thread


def stream_run(s: Session, prompt: str) -> tuple[list[tuple[str, Any]], Any]:
    assistant, thread = setup(s, prompt)
    body = {"assistant_id": assistant["id"], "stream": True}
    raw = s.call("POST", f"/threads/{thread['id']}/runs", body)
    assert s.last is not None
    assert s.last.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    return events(raw), thread


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_reply_streams_every_event_in_order(dialect: str) -> None:
    s = Session(dialect)
    stream, thread = stream_run(s, "hello there, how are you today?")
    expected = [*RUN_START, *REPLY, "thread.message.delta", *REPLY_END, "thread.run.completed"]
    assert names(stream) == [*expected, "done"]
    assert stream[-1] == ("done", "[DONE]")
    created, queued = data(stream, "thread.run.created")[0], data(stream, "thread.run.queued")[0]
    assert created == queued and created["status"] == "queued" and created["started_at"] is None
    assert data(stream, "thread.run.in_progress")[0]["status"] == "in_progress"
    message = data(stream, "thread.message.created")[0]
    assert (message["status"], message["content"], message["completed_at"]) == (
        "in_progress",
        [],
        None,
    )
    deltas = data(stream, "thread.message.delta")
    assert len(deltas) == 3
    text = ""
    for delta in deltas:
        assert delta["id"] == message["id"] and delta["object"] == "thread.message.delta"
        ((part,),) = [delta["delta"]["content"]]
        assert (part["index"], part["type"], part["text"]["annotations"]) == (0, "text", [])
        assert delta["delta"].get("role") == ("assistant" if dialect == "foundry" else None)
        text += part["text"]["value"]
    assert text == "You said: hello there, how are you today?"
    run = data(stream, "thread.run.completed")[0]
    base = f"/threads/{thread['id']}"
    assert s.call("GET", f"{base}/runs/{run['id']}") == run
    assert run["status"] == "completed" and run["usage"] is not None
    completed = data(stream, "thread.message.completed")[0]
    assert s.call("GET", f"{base}/messages/{message['id']}") == completed
    assert completed["content"][0]["text"]["value"] == text
    step = data(stream, "thread.run.step.completed")[0]
    assert data(stream, "thread.run.step.created")[0]["status"] == "in_progress"
    assert s.call("GET", f"{base}/runs/{run['id']}/steps/{step['id']}") == step
    assert s.problems == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_create_and_run_streams_the_thread_first(dialect: str) -> None:
    s = Session(dialect)
    assistant = s.call("POST", "/assistants", {"model": "gpt-4o"})
    body = {
        "assistant_id": assistant["id"],
        "thread": {"messages": [{"role": "user", "content": "hi"}]},
        "stream": True,
    }
    stream = events(s.call("POST", "/threads/runs", body))
    assert names(stream)[:2] == ["thread.created", "thread.run.created"]
    thread = data(stream, "thread.created")[0]
    assert s.call("GET", f"/threads/{thread['id']}") == thread
    assert data(stream, "thread.run.created")[0]["thread_id"] == thread["id"]
    assert names(stream)[-2:] == ["thread.run.completed", "done"]
    assert s.problems == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_tool_calls_end_the_stream_and_outputs_continue_in_a_new_one(dialect: str) -> None:
    s = Session(dialect)
    stream, thread = stream_run(s, 'call get_weather {"city": "Oslo"}')
    tool_step = ["thread.run.step.created", "thread.run.step.in_progress"]
    call_deltas = ["thread.run.step.delta", "thread.run.step.delta"]
    assert names(stream) == [
        *RUN_START,
        *tool_step,
        *call_deltas,
        "thread.run.requires_action",
        "done",
    ]
    run = data(stream, "thread.run.requires_action")[0]
    step = data(stream, "thread.run.step.created")[0]
    assert step["step_details"] == {"type": "tool_calls", "tool_calls": []}
    head, arguments = (d["delta"]["step_details"] for d in data(stream, "thread.run.step.delta"))
    asked = run["required_action"]["submit_tool_outputs"]["tool_calls"][0]
    function = {"name": "get_weather", "arguments": "", "output": None}
    assert head["tool_calls"] == [
        {"index": 0, "id": asked["id"], "type": "function", "function": function}
    ]
    piece = {"arguments": '{"city":"Oslo"}'}
    fragment = {"index": 0, "id": asked["id"], "type": "function", "function": piece}
    assert arguments["tool_calls"] == [fragment]
    path = f"/threads/{thread['id']}/runs/{run['id']}"
    assert s.call("GET", path) == run
    (call,) = run["required_action"]["submit_tool_outputs"]["tool_calls"]
    outputs = {"tool_outputs": [{"tool_call_id": call["id"], "output": "12C"}], "stream": True}
    resumed = events(s.call("POST", f"{path}/submit_tool_outputs", outputs))
    assert names(resumed) == [
        "thread.run.step.completed",
        "thread.run.queued",
        "thread.run.in_progress",
        *REPLY,
        "thread.message.delta",
        *REPLY_END,
        "thread.run.completed",
        "done",
    ]
    tool_done = data(resumed, "thread.run.step.completed")[0]
    assert tool_done["step_details"]["tool_calls"][0]["function"]["output"] == "12C"
    assert data(resumed, "thread.run.queued")[0]["status"] == "queued"
    reply = "".join(
        d["delta"]["content"][0]["text"]["value"] for d in data(resumed, "thread.message.delta")
    )
    assert reply == "Tool outputs: get_weather returned '12C'"
    assert s.call("GET", path) == data(resumed, "thread.run.completed")[0]
    assert s.problems == []


ENDINGS = {
    "please fail": [*RUN_START, "thread.run.failed", "done"],
    "please expire": [*RUN_START, "thread.run.expired", "done"],
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("prompt", sorted(ENDINGS))
def test_runs_that_end_without_a_reply(dialect: str, prompt: str) -> None:
    s = Session(dialect)
    stream, thread = stream_run(s, prompt)
    assert names(stream) == ENDINGS[prompt]
    run = stream[-2][1]
    assert s.call("GET", f"/threads/{thread['id']}/runs/{run['id']}") == run
    assert s.problems == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_cut_reply_ends_incomplete(dialect: str) -> None:
    s = Session(dialect)
    stream, thread = stream_run(s, "please stop early")
    # Azure's spec has no thread.run.incomplete event (nor status): its run reads "completed".
    ended = "thread.run.completed" if dialect == "azure" else "thread.run.incomplete"
    message_end = ["thread.message.incomplete", "thread.run.step.completed"]
    assert names(stream) == [
        *RUN_START,
        *REPLY,
        "thread.message.delta",
        *message_end,
        ended,
        "done",
    ]
    run = data(stream, ended)[0]
    assert run["incomplete_details"] == {"reason": "max_completion_tokens"}
    assert s.call("GET", f"/threads/{thread['id']}/runs/{run['id']}") == run
    message = data(stream, "thread.message.incomplete")[0]
    assert message["incomplete_details"] == {"reason": "max_tokens"}
    assert s.problems == []


def test_stream_false_answers_the_run_object() -> None:
    s = Session("openai")
    assistant, thread = setup(s, "hi")
    run = s.call(
        "POST", f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"], "stream": False}
    )
    assert run["object"] == "thread.run" and run["status"] == "queued"


def test_an_error_is_plain_json_even_when_streaming_was_asked() -> None:
    s = Session("openai")
    answer = s.call("POST", "/threads/thread_nope/runs", {"assistant_id": "a", "stream": True}, 404)
    assert answer["error"]["message"] == "No thread found with id 'thread_nope'."


def test_over_http_a_stream_is_chunked_and_complete(api: Any) -> None:
    assistant = api.ok("POST", "/assistants", {"model": "gpt-4o"})
    thread = api.ok("POST", "/threads", {"messages": [{"role": "user", "content": "hey"}]})
    body = json.dumps({"assistant_id": assistant["id"], "stream": True}).encode()
    headers = {**api.default_headers(), "Content-Type": "application/json"}
    url = api.url(f"/threads/{thread['id']}/runs")
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["Transfer-Encoding"] == "chunked"
        assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
        stream = events(response.read())
    assert names(stream)[-2:] == ["thread.run.completed", "done"]


def test_stopping_the_test_server_ends_a_hung_stream() -> None:
    # Left open, such a stream polls the engine from its thread for the rest of the process.
    server = serve(engine=Engine.deterministic("hung"))
    headers = {"Authorization": "Bearer k", "OpenAI-Beta": "assistants=v2"}
    headers["Content-Type"] = "application/json"

    def post(path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"{server.url}/v1{path}", json.dumps(body).encode(), headers, method="POST"
        )
        return urllib.request.urlopen(request, timeout=10)

    made = json.load(post("/assistants", {"model": "m"}))
    thread = {"messages": [{"role": "user", "content": "please hang"}]}
    stream = post("/threads/runs", {"assistant_id": made["id"], "stream": True, "thread": thread})
    first = stream.readline()
    rest: list[bytes] = []
    reader = threading.Thread(target=lambda: rest.append(stream.read()), daemon=True)
    reader.start()
    server.stop()
    reader.join(5)
    assert not reader.is_alive(), "the stream of the hung run was still open after stop()"
    sent = (first + rest[0]).decode().splitlines()
    assert [line for line in sent if line.startswith("event: ")] == [
        "event: thread.created",
        *(f"event: {name}" for name in RUN_START),
    ]
