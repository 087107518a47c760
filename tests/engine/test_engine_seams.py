"""The engine's seams with other implementations plugged in: a responder that streams like a
model (deltas, a function-call round, a failure) and a driver that decides when runs move."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

from asst_engine import Engine, dispatch
from asst_engine.json_types import JSON
from asst_engine.models.turn import (
    Failed,
    FunctionCall,
    FunctionCalls,
    MessageEnd,
    Prompt,
    Text,
    Turn,
    TurnEvent,
)
from asst_engine.runs.driver import PollDriver

HEADERS = {"Authorization": "Bearer k", "OpenAI-Beta": "assistants=v2"}


class ModelLike:
    """Streams text in pieces; asks for ``lookup`` first when the run has that function."""

    def __init__(self) -> None:
        self.turns: list[Turn] = []
        self.cancels: list[threading.Event] = []

    def hold(self, turn: Turn) -> int:
        return 0

    def respond(self, turn: Turn, cancel: threading.Event) -> Iterator[TurnEvent]:
        self.turns.append(turn)
        self.cancels.append(cancel)
        return self._events(turn)

    def _events(self, turn: Turn) -> Iterator[TurnEvent]:
        yield Prompt(7)
        names = [tool["function"]["name"] for tool in turn.run["tools"]]
        if "broken" in names:
            yield Failed("rate_limit_exceeded", "The model is busy.")
        elif "lookup" in names and not turn.answered:
            yield FunctionCalls((FunctionCall("lookup", '{"q":"x"}'),), 3)
        else:
            said = turn.answered[-1][0].output if turn.answered else "nothing"
            yield Text("Hel")
            yield Text(f"lo, {said}")
            yield MessageEnd(2)


def call(engine: Engine, method: str, path: str, body: Any = None) -> Any:
    raw = b"" if body is None else json.dumps(body).encode()
    response = dispatch(engine, method, "/v1" + path, HEADERS, raw)
    if response.headers.get("Content-Type", "").startswith("text/event-stream"):
        return [line[7:] for line in response.body.decode().splitlines() if line[:7] == "event: "]
    return json.loads(response.body)


def start(engine: Engine, tools: list[JSON], stream: bool = False) -> Any:
    assistant = call(engine, "POST", "/assistants", {"model": "m", "tools": tools})
    body = {
        "assistant_id": assistant["id"],
        "thread": {"messages": [{"role": "user", "content": "Hi"}]},
    }
    return call(engine, "POST", "/threads/runs", {**body, "stream": stream})


def test_a_streaming_responder_writes_deltas_as_they_arrive() -> None:
    engine = Engine.deterministic(responder=ModelLike())
    events = start(engine, [], stream=True)
    assert events == [
        "thread.created", "thread.run.created", "thread.run.queued", "thread.run.in_progress",
        "thread.run.step.created", "thread.run.step.in_progress", "thread.message.created",
        "thread.message.in_progress", "thread.message.delta", "thread.message.delta",
        "thread.message.completed", "thread.run.step.completed", "thread.run.completed", "done",
    ]  # fmt: skip
    thread = call(engine, "GET", "/threads")["data"][0]
    reply = call(engine, "GET", f"/threads/{thread['id']}/messages")["data"][0]
    assert reply["content"][0]["text"] == {"value": "Hello, nothing", "annotations": []}
    run = call(engine, "GET", f"/threads/{thread['id']}/runs")["data"][0]
    assert run["usage"] == {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9}


def test_a_function_call_round_resumes_the_responder_with_the_outputs() -> None:
    model = ModelLike()
    engine = Engine.deterministic(responder=model)
    lookup = {"type": "function", "function": {"name": "lookup"}}
    run = start(engine, [lookup])
    path = f"/threads/{run['thread_id']}/runs/{run['id']}"
    assert [call(engine, "GET", path)["status"] for _ in range(2)] == [
        "in_progress",
        "requires_action",
    ]
    asked = call(engine, "GET", path)["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert [(c["function"]["name"], c["function"]["arguments"]) for c in asked] == [
        ("lookup", '{"q":"x"}')
    ]
    outputs = {"tool_outputs": [{"tool_call_id": asked[0]["id"], "output": "42"}]}
    call(engine, "POST", f"{path}/submit_tool_outputs", outputs)
    done = call(engine, "GET", path)
    assert (done["status"], done["usage"]["completion_tokens"]) == ("completed", 5)
    answered = model.turns[-1].answered
    assert [(a.call_id, a.name, a.arguments, a.output) for a in answered[0]] == [
        (asked[0]["id"], "lookup", '{"q":"x"}', "42")
    ]
    reply = call(engine, "GET", f"/threads/{run['thread_id']}/messages")["data"][0]
    assert reply["content"][0]["text"]["value"] == "Hello, 42"


def test_a_failure_becomes_last_error_and_cancel_reaches_the_responder() -> None:
    model = ModelLike()
    engine = Engine.deterministic(responder=model)
    run = start(engine, [{"type": "function", "function": {"name": "broken"}}])
    path = f"/threads/{run['thread_id']}/runs/{run['id']}"
    call(engine, "GET", path)
    failed = call(engine, "GET", path)
    assert (failed["status"], failed["last_error"]) == (
        "failed",
        {"code": "rate_limit_exceeded", "message": "The model is busy."},
    )
    other = start(engine, [])
    call(engine, "POST", f"/threads/{other['thread_id']}/runs/{other['id']}/cancel")
    assert [cancel.is_set() for cancel in model.cancels] == [False, True]


class Recording(PollDriver):
    """Polls like the default, and notes what it was told."""

    def __init__(self, moves: bool) -> None:
        self.moves = moves
        self.seen: list[tuple[str, str]] = []

    def wake(self, engine: Engine, run: JSON) -> None:
        self.seen.append(("wake", run["status"]))

    def observe(self, engine: Engine, run: JSON) -> None:
        self.seen.append(("observe", run["status"]))
        if self.moves:
            super().observe(engine, run)


def test_the_driver_decides_when_runs_move() -> None:
    still = Recording(moves=False)
    engine = Engine.deterministic(driver=still)
    run = start(engine, [])
    path = f"/threads/{run['thread_id']}/runs/{run['id']}"
    assert [call(engine, "GET", path)["status"] for _ in range(3)] == ["queued"] * 3
    call(engine, "POST", f"{path}/cancel")
    assert still.seen == [("wake", "queued"), *[("observe", "queued")] * 3, ("wake", "cancelling")]
    moving = Recording(moves=True)
    engine = Engine.deterministic(driver=moving)
    run = start(engine, [])
    path = f"/threads/{run['thread_id']}/runs/{run['id']}"
    assert [call(engine, "GET", path)["status"] for _ in range(2)] == ["in_progress", "completed"]
