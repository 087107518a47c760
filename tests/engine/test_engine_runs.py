"""Runs over HTTP: each lifecycle the responder offers, tool outputs, cancel, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from stores import BOTH_STORES

WEATHER = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object"}},
}


@pytest.fixture
def setup(api: Any) -> Any:
    assistant = api.ok(
        "POST", "/assistants", {"model": "gpt-4o", "instructions": "Be brief.", "tools": [WEATHER]}
    )
    thread = api.ok("POST", "/threads")
    return assistant, thread


def say(api: Any, thread: Any, content: str) -> Any:
    return api.ok("POST", f"/threads/{thread['id']}/messages", {"role": "user", "content": content})


def start(api: Any, assistant: Any, thread: Any, **fields: Any) -> Any:
    body = {"assistant_id": assistant["id"], **fields}
    return api.ok("POST", f"/threads/{thread['id']}/runs", body)


def poll(api: Any, run: Any) -> Any:
    return api.ok("GET", f"/threads/{run['thread_id']}/runs/{run['id']}")


def statuses(api: Any, run: Any, count: int) -> list[str]:
    return [poll(api, run)["status"] for _ in range(count)]


@BOTH_STORES
def test_plain_message_completes_with_a_reply(api: Any, setup: Any) -> None:
    assistant, thread = setup
    say(api, thread, "hello there")
    run = start(api, assistant, thread)
    assert run["status"] == "queued" and run["started_at"] is None and run["usage"] is None
    assert run["instructions"] == "Be brief." and run["model"] == "gpt-4o"
    assert run["tools"] == [WEATHER] and run["expires_at"] == run["created_at"] + 600
    assert statuses(api, run, 3) == ["in_progress", "completed", "completed"]
    done = poll(api, run)
    assert done["completed_at"] is not None and done["started_at"] is not None
    assert done["usage"] == {"prompt_tokens": 4, "completion_tokens": 4, "total_tokens": 8}
    reply = api.ok("GET", f"/threads/{thread['id']}/messages")["data"][0]
    assert reply["role"] == "assistant" and reply["run_id"] == run["id"]
    assert reply["assistant_id"] == assistant["id"]
    assert reply["content"][0]["text"]["value"] == "You said: hello there"
    by_run = api.ok("GET", f"/threads/{thread['id']}/messages", query=f"run_id={run['id']}")
    assert [m["id"] for m in by_run["data"]] == [reply["id"]]
    steps = api.ok("GET", f"/threads/{thread['id']}/runs/{run['id']}/steps")["data"]
    assert [s["type"] for s in steps] == ["message_creation"]
    assert steps[0]["step_details"] == {
        "type": "message_creation",
        "message_creation": {"message_id": reply["id"]},
    }
    step = api.ok("GET", f"/threads/{thread['id']}/runs/{run['id']}/steps/{steps[0]['id']}")
    assert step == steps[0] and step["object"] == "thread.run.step"


@BOTH_STORES
def test_function_call_round_trip(api: Any, setup: Any) -> None:
    assistant, thread = setup
    say(api, thread, 'please call get_weather {"city": "Oslo"} for me')
    run = start(api, assistant, thread)
    assert statuses(api, run, 3) == ["in_progress", "requires_action", "requires_action"]
    waiting = poll(api, run)
    (call,) = waiting["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert waiting["required_action"]["type"] == "submit_tool_outputs"
    assert call["id"].startswith("call_") and call["type"] == "function"
    assert call["function"] == {"name": "get_weather", "arguments": '{"city":"Oslo"}'}
    outputs = {"tool_outputs": [{"tool_call_id": call["id"], "output": "12C"}]}
    base = f"/threads/{thread['id']}/runs/{run['id']}"
    resumed = api.ok("POST", f"{base}/submit_tool_outputs", outputs)
    assert resumed["status"] == "in_progress" and resumed["required_action"] is None
    assert statuses(api, run, 1) == ["completed"]
    reply = api.ok("GET", f"/threads/{thread['id']}/messages")["data"][0]
    assert reply["content"][0]["text"]["value"] == "Tool outputs: get_weather returned '12C'"
    steps = api.ok("GET", f"{base}/steps", query="order=asc")["data"]
    assert [s["type"] for s in steps] == ["tool_calls", "message_creation"]
    assert steps[0]["status"] == "completed"
    assert steps[0]["step_details"]["tool_calls"] == [
        {**call, "function": {**call["function"], "output": "12C"}}
    ]


def test_unknown_function_names_are_just_text(api: Any, setup: Any) -> None:
    assistant, thread = setup
    say(api, thread, "call mom")
    run = start(api, assistant, thread)
    assert statuses(api, run, 2) == ["in_progress", "completed"]


def test_tool_output_errors(api: Any, setup: Any, err: Any) -> None:
    assistant, thread = setup
    say(api, thread, "call get_weather")
    run = start(api, assistant, thread)
    base = f"/threads/{thread['id']}/runs/{run['id']}/submit_tool_outputs"
    early = api.post(base, {"tool_outputs": []})
    assert (early.status, early.body) == (
        400,
        err('Runs in status "queued" do not accept tool outputs.', None, "invalid_state"),
    )
    statuses(api, run, 2)
    call_id = poll(api, run)["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"]
    wrong = api.post(base, {"tool_outputs": [{"tool_call_id": "call_x", "output": "1"}]})
    assert wrong.status == 400
    assert wrong.body == err(
        f"Expected tool outputs for call_ids ['{call_id}'], got ['call_x'].",
        "tool_outputs",
        "invalid_value",
    )


@pytest.mark.parametrize(
    ("prompt", "final"),
    [
        ("please fail now", "failed"),
        ("please expire", "expired"),
        ("please stop early", "incomplete"),
    ],
)
def test_failure_lifecycles(api: Any, setup: Any, prompt: str, final: str) -> None:
    assistant, thread = setup
    say(api, thread, prompt)
    run = start(api, assistant, thread)
    assert statuses(api, run, 2) == ["in_progress", final]
    ended = poll(api, run)
    if final == "failed":
        assert ended["last_error"] == {
            "code": "server_error",
            "message": "Sorry, something went wrong.",
        }
        assert ended["failed_at"] is not None
    if final == "incomplete":
        assert ended["incomplete_details"] == {"reason": "max_completion_tokens"}
        message = api.ok("GET", f"/threads/{thread['id']}/messages")["data"][0]
        assert message["status"] == "incomplete"
        assert message["incomplete_details"] == {"reason": "max_tokens"}


def test_incomplete_is_reported_as_completed_where_the_spec_has_no_such_status(
    api: Any, setup: Any
) -> None:
    assistant, thread = setup
    say(api, thread, "please stop early")
    run = start(api, assistant, thread)
    statuses(api, run, 2)
    for dialect in ("azure", "foundry"):
        seen = api.using(dialect).ok("GET", f"/threads/{thread['id']}/runs/{run['id']}")
        assert seen["status"] == "completed"
        assert seen["incomplete_details"] == {"reason": "max_completion_tokens"}


@BOTH_STORES
def test_cancel(api: Any, setup: Any, err: Any) -> None:
    assistant, thread = setup
    say(api, thread, "hi")
    run = start(api, assistant, thread)
    base = f"/threads/{thread['id']}/runs/{run['id']}"
    assert api.ok("POST", f"{base}/cancel")["status"] == "cancelling"
    assert statuses(api, run, 2) == ["cancelled", "cancelled"]
    assert poll(api, run)["cancelled_at"] is not None
    again = api.post(f"{base}/cancel")
    assert (again.status, again.body) == (
        400,
        err("Cannot cancel run with status 'cancelled'.", None, "invalid_state"),
    )


def test_active_run_blocks_the_thread(api: Any, setup: Any, err: Any) -> None:
    assistant, thread = setup
    run = start(api, assistant, thread)
    blocked = api.post(f"/threads/{thread['id']}/messages", {"role": "user", "content": "x"})
    assert blocked.status == 400
    assert blocked.body == err(
        f"Can't add messages to {thread['id']} while a run {run['id']} is active."
    )
    second = api.post(f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})
    assert (second.status, second.body) == (
        400,
        err(f"Thread {thread['id']} already has an active run {run['id']}."),
    )


def test_run_overrides_and_additional_messages(api: Any, setup: Any) -> None:
    assistant, thread = setup
    run = start(
        api,
        assistant,
        thread,
        model="gpt-4o-mini",
        additional_instructions="Use French.",
        additional_messages=[{"role": "user", "content": "bonjour"}],
        tools=[],
        temperature=0.2,
        metadata={"case": "override"},
    )
    assert run["model"] == "gpt-4o-mini" and run["tools"] == [] and run["temperature"] == 0.2
    assert run["instructions"] == "Be brief.\n\nUse French."
    assert run["metadata"] == {"case": "override"}
    statuses(api, run, 2)
    reply = api.ok("GET", f"/threads/{thread['id']}/messages")["data"][0]
    assert reply["content"][0]["text"]["value"] == "You said: bonjour"
    updated = api.ok("POST", f"/threads/{thread['id']}/runs/{run['id']}", {"metadata": {"k": "v"}})
    assert updated["metadata"] == {"k": "v"}
    assert [r["id"] for r in api.ok("GET", f"/threads/{thread['id']}/runs")["data"]] == [run["id"]]


def test_create_and_run(api: Any, setup: Any) -> None:
    assistant, _ = setup
    body = {
        "assistant_id": assistant["id"],
        "thread": {"messages": [{"role": "user", "content": "yo"}]},
    }
    run = api.ok("POST", "/threads/runs", body)
    assert run["object"] == "thread.run" and run["status"] == "queued"
    assert statuses(api, run, 2) == ["in_progress", "completed"]
    texts = [
        m["content"][0]["text"]["value"]
        for m in api.ok("GET", f"/threads/{run['thread_id']}/messages")["data"]
    ]
    assert texts == ["You said: yo", "yo"]


def test_run_errors(api: Any, setup: Any, err: Any) -> None:
    assistant, thread = setup
    base = f"/threads/{thread['id']}/runs"
    missing = api.post(base, {"assistant_id": "asst_nope"})
    assert (missing.status, missing.body) == (404, err("No assistant found with id 'asst_nope'."))
    streaming = api.post(base, {"assistant_id": assistant["id"], "stream": "yes"})
    assert streaming.status == 400 and streaming.body["error"]["param"] == "stream"
    tokens = api.post(base, {"assistant_id": assistant["id"], "max_prompt_tokens": 10})
    assert tokens.status == 400 and tokens.body["error"]["param"] == "max_prompt_tokens"
    no_run = api.get(f"{base}/run_nope")
    assert (no_run.status, no_run.body) == (404, err("No run found with id 'run_nope'."))
    no_thread = api.post("/threads/thread_nope/runs", {"assistant_id": assistant["id"]})
    assert no_thread.body == err("No thread found with id 'thread_nope'.")


def test_parallel_calls(api: Any) -> None:
    other = {"type": "function", "function": {"name": "get_time"}}
    assistant = api.ok("POST", "/assistants", {"model": "m", "tools": [WEATHER, other]})
    content = 'call get_time and call get_weather {"city": "Rome"}'
    thread = api.ok("POST", "/threads", {"messages": [{"role": "user", "content": content}]})
    run = start(api, assistant, thread)
    statuses(api, run, 2)
    calls = poll(api, run)["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] == [
        ("get_time", {}),
        ("get_weather", {"city": "Rome"}),
    ]
