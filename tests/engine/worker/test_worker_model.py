"""Runs answered by the model: what it is sent, function-call rounds, and how its failures and
limits end a run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asst_engine import Engine
from asst_engine.models import providers
from asst_engine.models.responder import ModelResponder
from asst_engine.resources import files
from asst_engine.runs.worker import WorkerDriver
from asst_engine.testing.fake_model import FakeModel
from conftest import WEATHER, Server, build

CLOCK = {
    "type": "function",
    "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}},
}


def run_on(server: Server, text: str, **fields: Any) -> Any:
    """A settled run of a new assistant (``fields``) on a new thread saying ``text``."""
    assistant = server.assistant(**fields)
    thread = server.thread(text)
    body = {"assistant_id": assistant["id"]}
    return server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))


def test_the_model_receives_instructions_thread_tools_and_settings(server: Server) -> None:
    assistant = server.assistant(instructions="Be brief.", tools=[WEATHER], temperature=0.5)
    thread = server.thread("first", "second")
    body = {
        "assistant_id": assistant["id"],
        "additional_instructions": "Answer in English.",
        "max_completion_tokens": 256,
        "tool_choice": "required",
        "parallel_tool_calls": False,
    }
    server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))

    assert server.sent() == [
        {
            "model": "fake-model",
            "messages": [
                {"role": "system", "content": "Be brief.\n\nAnswer in English."},
                {"role": "user", "content": "first"},
                {"role": "user", "content": "second"},
            ],
            "stream": True,
            "stream_options": {"include_usage": True},
            "tools": [WEATHER],
            "tool_choice": "required",
            "temperature": 0.5,
            "top_p": 1.0,
            "parallel_tool_calls": False,
            "max_tokens": 256,
        }
    ]


def test_a_model_that_takes_images_gets_image_files_as_data_urls(
    fake: FakeModel, tmp_path: Path
) -> None:
    model_map = tmp_path / "models.yaml"
    model_map.write_text("fake-model: {images: true}\n")
    fake.clear()
    server = build(fake, model_map)
    try:
        with server.engine.lock:
            image = files.add(server.engine, "dot.png", "vision", b"PNG!")
        assistant = server.assistant()
        content = [
            {"type": "text", "text": "what is this"},
            {"type": "image_file", "image_file": {"file_id": image["id"]}},
        ]
        thread = server.call(
            "POST", "/threads", {"messages": [{"role": "user", "content": content}]}
        )
        server.settled(
            server.call("POST", f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})
        )
    finally:
        server.engine.close()

    assert server.sent()[0]["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is this"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,UE5HIQ=="}},
            ],
        }
    ]


def test_truncation_keeps_the_last_messages(server: Server) -> None:
    assistant = server.assistant()
    thread = server.thread("old", "older", "newest")
    body = {
        "assistant_id": assistant["id"],
        "truncation_strategy": {"type": "last_messages", "last_messages": 1},
    }
    server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))

    assert server.sent()[0]["messages"] == [{"role": "user", "content": "newest"}]


def test_a_prompt_over_max_prompt_tokens_ends_incomplete_unsent(server: Server) -> None:
    assistant = server.assistant()
    thread = server.thread("word " * 300)  # about 375 tokens by the estimate
    body = {"assistant_id": assistant["id"], "max_prompt_tokens": 256}
    run = server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))

    assert (run["status"], run["incomplete_details"]) == (
        "incomplete",
        {"reason": "max_prompt_tokens"},
    )
    assert server.sent() == []


def test_parallel_calls_stream_as_step_deltas_and_the_outputs_go_back(server: Server) -> None:
    assistant = server.assistant(tools=[WEATHER, CLOCK])
    thread = server.thread('call get_weather {"city": "Oslo"} call get_time {"zone": "CET"}')
    path = f"/threads/{thread['id']}/runs"

    stream = server.stream(path, {"assistant_id": assistant["id"]})

    names = [name for name, _ in stream]
    assert names[3:5] == ["thread.run.step.created", "thread.run.step.in_progress"]
    assert names[-2:] == ["thread.run.requires_action", "done"]
    run = stream[-2][1]
    ids = [c["id"] for c in run["required_action"]["submit_tool_outputs"]["tool_calls"]]
    deltas = [data["delta"]["step_details"]["tool_calls"][0] for _, data in stream[5:-2]]
    assert deltas == [
        call_head(0, ids[0], "get_weather"),
        piece(0, ids[0], '{"city":'),
        piece(0, ids[0], '"Oslo"}'),
        call_head(1, ids[1], "get_time"),
        piece(1, ids[1], '{"zone":'),
        piece(1, ids[1], '"CET"}'),
    ]
    outputs = [{"tool_call_id": ids[0], "output": "cold"}, {"tool_call_id": ids[1], "output": "9"}]
    after = server.stream(f"{path}/{run['id']}/submit_tool_outputs", {"tool_outputs": outputs})

    assert after[-2][1]["status"] == "completed"
    said = "".join(
        d["delta"]["content"][0]["text"]["value"] for n, d in after if n.endswith("delta")
    )
    assert said == "Tool outputs: get_weather returned 'cold'; get_time returned '9'"
    calls = [
        {
            "id": ids[0],
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'},
        },
        {
            "id": ids[1],
            "type": "function",
            "function": {"name": "get_time", "arguments": '{"zone":"CET"}'},
        },
    ]
    assert server.sent()[1]["messages"][1:] == [
        {"role": "assistant", "content": None, "tool_calls": calls},
        {"role": "tool", "tool_call_id": ids[0], "content": "cold"},
        {"role": "tool", "tool_call_id": ids[1], "content": "9"},
    ]
    usage = after[-2][1]["usage"]
    assert usage == {"prompt_tokens": 18, "completion_tokens": 12, "total_tokens": 30}
    steps_summed(server, f"{path}/{run['id']}", usage)


def steps_summed(server: Server, run_path: str, total: Any) -> None:
    """A step per round, and the run's usage their sum."""
    steps = server.call("GET", f"{run_path}/steps?order=asc")["data"]
    assert [(s["type"], s["status"]) for s in steps] == [
        ("tool_calls", "completed"),
        ("message_creation", "completed"),
    ]
    usages = [s["usage"] for s in steps]
    assert total["prompt_tokens"] == sum(u["prompt_tokens"] for u in usages)
    assert total["completion_tokens"] == sum(u["completion_tokens"] for u in usages)


def call_head(index: int, call_id: str, name: str) -> Any:
    function = {"name": name, "arguments": "", "output": None}
    return {"index": index, "id": call_id, "type": "function", "function": function}


def piece(index: int, call_id: str, arguments: str) -> Any:
    return {"index": index, "id": call_id, "type": "function", "function": {"arguments": arguments}}


def test_a_rate_limited_model_is_retried_then_fails_the_run(server: Server) -> None:
    run = run_on(server, "please rate limit")

    assert run["status"] == "failed"
    assert run["last_error"] == {
        "code": "rate_limit_exceeded",
        "message": "The model provider is rate limiting requests (429): "
        "Rate limit reached. Please try again in 1s.",
    }
    assert server.waits.seconds == [1.0, 1.0]
    assert len(server.sent()) == 3


def test_a_failing_model_fails_the_run_with_server_error(server: Server) -> None:
    run = run_on(server, "please fail")

    assert run["status"] == "failed"
    assert run["last_error"]["code"] == "server_error"
    assert run["last_error"]["message"].startswith("The model provider failed (500): ")
    assert len(server.sent()) == 3


def test_a_model_stopped_for_length_ends_the_run_incomplete(server: Server) -> None:
    run = run_on(server, "please stop early")

    assert (run["status"], run["incomplete_details"]) == (
        "incomplete",
        {"reason": "max_completion_tokens"},
    )
    (reply, _) = server.call("GET", f"/threads/{run['thread_id']}/messages")["data"]
    assert (reply["status"], reply["incomplete_details"]) == (
        "incomplete",
        {"reason": "max_tokens"},
    )


def test_a_model_no_provider_serves_fails_the_run(server: Server) -> None:
    unconfigured = Engine(
        driver=WorkerDriver(workers=1), responder=ModelResponder(providers.load({}))
    )
    other = Server(server.fake, unconfigured, server.waits)
    try:
        run = run_on(other, "hello")
    finally:
        unconfigured.close()

    assert (run["status"], run["last_error"]) == (
        "failed",
        {
            "code": "server_error",
            "message": "No model provider for model 'fake-model': set ASST_MODEL_BASE_URL "
            "(and ASST_MODEL_API_KEY), or map the model in a model map (ASST_MODEL_MAP).",
        },
    )
