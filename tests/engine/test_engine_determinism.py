"""Deterministic mode, reset, the id factory and clock, and the command-line entry point."""

from __future__ import annotations

import json
import re
from typing import Any

from asst_engine import Engine, SeededIds, SteppingClock, dispatch
from asst_engine.__main__ import parse_args
from asst_engine.ids import RandomIds

HEADERS = {"Authorization": "Bearer k", "OpenAI-Beta": "assistants=v2"}
ID = re.compile(r"^[a-z_]+[_-][A-Za-z0-9]{24}$")


def script(engine: Engine) -> list[Any]:
    """A small session driven through ``dispatch`` (no sockets): every response body."""
    bodies = []

    def call(method: str, path: str, body: Any = None) -> Any:
        raw = json.dumps(body).encode() if body is not None else b""
        answer = json.loads(dispatch(engine, method, "/v1" + path, HEADERS, raw).body)
        bodies.append(answer)
        return answer

    assistant = call("POST", "/assistants", {"model": "m"})
    run = call(
        "POST",
        "/threads/runs",
        {
            "assistant_id": assistant["id"],
            "thread": {"messages": [{"role": "user", "content": "x"}]},
        },
    )
    for _ in range(2):
        call("GET", f"/threads/{run['thread_id']}/runs/{run['id']}")
    call("GET", f"/threads/{run['thread_id']}/messages")
    return bodies


def test_same_seed_same_session() -> None:
    first = script(Engine.deterministic("seed-a"))
    assert first == script(Engine.deterministic("seed-a"))
    assert first != script(Engine.deterministic("seed-b"))
    assert first[0]["created_at"] == 1767225600


def test_reset_restarts_ids_and_clock() -> None:
    engine = Engine.deterministic("seed-a")
    first = script(engine)
    engine.reset()
    assert script(engine) == first


def test_id_shapes() -> None:
    seeded, random = SeededIds("s"), RandomIds()
    for prefix in ("asst_", "thread_", "msg_", "run_", "step_", "file-", "vs_", "vsfb_", "call_"):
        for source in (seeded, random):
            made = source.new(prefix)
            assert made.startswith(prefix) and ID.match(made), made
    assert SeededIds("s").new("asst_") == SeededIds("s").new("asst_")
    assert random.new("asst_") != random.new("asst_")


def test_stepping_clock() -> None:
    clock = SteppingClock(100)
    assert [clock.now(), clock.now(), clock.peek()] == [100, 101, 102]
    clock.reset()
    assert clock.now() == 100


def test_normal_mode_uses_wall_clock() -> None:
    import time

    before = int(time.time())
    body = script(Engine())[0]
    assert before <= body["created_at"] <= int(time.time())


def test_command_line_options() -> None:
    args = parse_args(["--host", "0.0.0.0", "--port", "9000", "--seed", "rec"])
    assert (args.host, args.port, args.seed) == ("0.0.0.0", 9000, "rec")
    defaults = parse_args([])
    assert (defaults.host, defaults.port, defaults.seed) == ("127.0.0.1", 8787, None)
