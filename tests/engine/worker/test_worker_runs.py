"""Runs under the background worker: they move on unpolled, stream as the model writes, cancel,
expire, survive a restart, and keep to one active run per thread."""

from __future__ import annotations

from typing import Any

from asst_engine import Engine
from asst_engine.runs.recovery import RESTARTED
from asst_engine.runs.worker import WorkerDriver
from asst_engine.testing.fake_model import FakeModel
from conftest import Server, build

RUN_START = ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]


def texts(stream: list[tuple[str, Any]]) -> list[str]:
    return [
        data["delta"]["content"][0]["text"]["value"]
        for name, data in stream
        if name == "thread.message.delta"
    ]


def test_a_run_completes_without_anyone_polling(server: Server) -> None:
    assistant = server.assistant()
    thread = server.thread("hello there")
    run = server.call("POST", f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})
    assert run["status"] == "queued"

    done = server.settled(run)

    assert done["status"] == "completed"
    assert done["usage"] == {"prompt_tokens": 2, "completion_tokens": 4, "total_tokens": 6}
    listed = server.call("GET", f"/threads/{thread['id']}/messages?order=asc")["data"]
    assert [m["content"][0]["text"]["value"] for m in listed] == [
        "hello there",
        "You said: hello there",
    ]


def test_a_stream_sends_a_delta_per_model_chunk(server: Server) -> None:
    assistant = server.assistant()
    thread = server.thread("one two three")

    stream = server.stream(f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})

    assert [name for name, _ in stream] == [
        *RUN_START,
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.message.created",
        "thread.message.in_progress",
        *["thread.message.delta"] * 5,
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
        "done",
    ]
    assert texts(stream) == ["You", " said:", " one", " two", " three"]
    completed = stream[-2][1]
    assert server.call("GET", f"/threads/{thread['id']}/runs/{completed['id']}") == completed


def test_a_hung_model_call_holds_up_no_other_run(server: Server) -> None:
    assistant = server.assistant()
    hung = server.thread("please hang")
    body = {"assistant_id": assistant["id"]}
    stuck = server.call("POST", f"/threads/{hung['id']}/runs", body)
    others = [server.thread(f"number {n}") for n in range(6)]

    runs = [server.call("POST", f"/threads/{t['id']}/runs", body) for t in others]

    assert [server.settled(run)["status"] for run in runs] == ["completed"] * 6
    assert server.call("GET", f"/threads/{hung['id']}/runs/{stuck['id']}")["status"] == (
        "in_progress"
    )
    server.call("POST", f"/threads/{hung['id']}/runs/{stuck['id']}/cancel")
    assert server.settled(stuck)["status"] == "cancelled"


def test_cancel_ends_the_model_call_and_the_stream(server: Server) -> None:
    assistant = server.assistant()
    thread = server.thread("please hang")
    stream = server.open_stream(f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})
    seen = [next(stream) for _ in range(3)]
    assert [name for name, _ in seen] == RUN_START
    run = seen[0][1]

    cancelling = server.call("POST", f"/threads/{thread['id']}/runs/{run['id']}/cancel")

    assert cancelling["status"] == "cancelling"
    rest = list(stream)
    assert [name for name, _ in rest] == ["thread.run.cancelled", "done"]
    assert rest[0][1]["status"] == "cancelled"
    assert rest[0][1]["cancelled_at"] == server.clock.now()


def test_a_reply_cancelled_mid_stream_is_cut() -> None:
    with FakeModel(token_delay_ms=60_000) as slow:  # the second piece never comes in time
        server = build(slow)
        try:
            assistant = server.assistant()
            thread = server.thread("two words")
            body = {"assistant_id": assistant["id"]}
            stream = server.open_stream(f"/threads/{thread['id']}/runs", body)
            seen = [next(stream) for _ in range(8)]
            assert seen[-1][0] == "thread.message.delta"
            run = seen[0][1]
            server.call("POST", f"/threads/{thread['id']}/runs/{run['id']}/cancel")
            rest = list(stream)
        finally:
            server.engine.close()

    assert [name for name, _ in rest] == [
        "thread.message.incomplete",
        "thread.run.step.cancelled",
        "thread.run.cancelled",
        "done",
    ]
    message = rest[0][1]
    assert message["content"][0]["text"]["value"] == "You"
    assert message["incomplete_details"] == {"reason": "run_cancelled"}


def test_one_active_run_per_thread(server: Server) -> None:
    assistant = server.assistant()
    thread = server.thread("please hang")
    path = f"/threads/{thread['id']}"
    run = server.call("POST", f"{path}/runs", {"assistant_id": assistant["id"]})

    second = server.call("POST", f"{path}/runs", {"assistant_id": assistant["id"]}, status=400)
    message = {"role": "user", "content": "more"}
    added = server.call("POST", f"{path}/messages", message, status=400)

    active = f"Thread {thread['id']} already has an active run {run['id']}."
    assert second["error"]["message"] == active
    busy = f"Can't add messages to {thread['id']} while a run {run['id']} is active."
    assert added["error"]["message"] == busy
    server.call("POST", f"{path}/runs/{run['id']}/cancel")
    assert server.settled(run)["status"] == "cancelled"
    assert server.call("POST", f"{path}/messages", message)["role"] == "user"


def test_an_unanswered_run_expires_and_frees_its_thread(server: Server) -> None:
    assistant = server.assistant(tools=[WEATHER_TOOL])
    thread = server.thread('call get_weather {"city": "Oslo"}')
    path = f"/threads/{thread['id']}"
    run = server.call("POST", f"{path}/runs", {"assistant_id": assistant["id"]})
    waiting = server.settled(run)
    assert waiting["status"] == "requires_action"

    server.clock.value = waiting["expires_at"] - 1  # type: ignore[attr-defined]
    server.driver.sweep()
    assert server.call("GET", f"{path}/runs/{run['id']}")["status"] == "requires_action"
    server.clock.value = waiting["expires_at"]  # type: ignore[attr-defined]
    server.driver.sweep()

    expired = server.call("GET", f"{path}/runs/{run['id']}")
    assert (expired["status"], expired["required_action"]) == ("expired", None)
    (step,) = server.call("GET", f"{path}/runs/{run['id']}/steps")["data"]
    assert (step["status"], step["expired_at"]) == ("expired", waiting["expires_at"])
    again = server.call("POST", f"{path}/runs", {"assistant_id": assistant["id"]})
    assert again["status"] == "queued"


WEATHER_TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}},
}


def test_a_restart_resumes_or_ends_every_active_run(server: Server) -> None:
    assistant = server.assistant(tools=[WEATHER_TOOL])
    texts = {
        "queued": "after the restart",
        "in_progress": "cut short",
        "cancelling": "stop it",
        "requires_action": 'call get_weather {"city": "Rome"}',
    }
    runs = {}
    for status, text in texts.items():
        thread = server.thread(text)
        body = {"assistant_id": assistant["id"]}
        runs[status] = server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))
    server.engine.close()
    # What a process that died would have left: the runs as they were stored then.
    for status, run in runs.items():
        stored = server.engine.store.runs.get(run["id"], run["thread_id"])
        assert stored is not None
        stored.update(status=status, completed_at=None, usage=None)

    engine = Engine(
        store=server.engine.store,
        clock=server.engine.clock,
        driver=WorkerDriver(workers=2),
        responder=server.engine.responder,
    )
    restarted = Server(server.fake, engine, server.waits)
    try:
        after = {status: restarted.settled(run) for status, run in runs.items()}
        waiting = after["requires_action"]
        (call,) = waiting["required_action"]["submit_tool_outputs"]["tool_calls"]
        path = f"/threads/{waiting['thread_id']}/runs/{waiting['id']}/submit_tool_outputs"
        outputs = {"tool_outputs": [{"tool_call_id": call["id"], "output": "warm"}]}
        answered = restarted.settled(restarted.call("POST", path, outputs))
    finally:
        engine.close()

    assert after["queued"]["status"] == "completed"
    failed = after["in_progress"]
    assert (failed["status"], failed["last_error"]) == (
        "failed",
        {"code": "server_error", "message": RESTARTED},
    )
    assert after["cancelling"]["status"] == "cancelled"
    assert (waiting["status"], answered["status"]) == ("requires_action", "completed")
    replies = restarted.call("GET", f"/threads/{waiting['thread_id']}/messages")["data"]
    assert replies[0]["content"][0]["text"]["value"] == "Tool outputs: get_weather returned 'warm'"
