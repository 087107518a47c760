"""Engine options: the poll hint header, checks on the options, and their command-line flags."""

from __future__ import annotations

import pytest
from engine_sessions import Session

from asst_engine import Engine
from asst_engine.__main__ import options, parse_args

HINT = "openai-poll-after-ms"


def run_in(s: Session) -> str:
    """Start a run; its path."""
    assistant = s.call("POST", "/assistants", {"model": "gpt-4o"})
    thread = s.call("POST", "/threads", {"messages": [{"role": "user", "content": "hi"}]})
    run = s.call("POST", f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})
    assert s.last is not None and HINT not in s.last.headers
    return f"/threads/{thread['id']}/runs/{run['id']}"


@pytest.mark.parametrize("dialect", ["openai", "azure", "foundry"])
def test_run_retrievals_carry_the_poll_hint(dialect: str) -> None:
    s = Session(dialect, poll_after_ms=250)
    path = run_in(s)
    for _ in range(3):  # queued → in_progress → completed: every retrieval has it
        s.call("GET", path)
        assert s.last is not None and s.last.headers[HINT] == "250"
    for other in (path.rsplit("/runs/", 1)[0], f"{path}/steps", path.rsplit("/", 1)[0]):
        s.call("GET", other)
        assert HINT not in s.last.headers, other
    assert s.problems == []


def test_no_hint_by_default() -> None:
    s = Session("openai")
    path = run_in(s)
    s.call("GET", path)
    assert s.last is not None and HINT not in s.last.headers


def test_options_are_checked_and_survive_reset() -> None:
    with pytest.raises(ValueError, match="poll_after_ms"):
        Engine(poll_after_ms=-1)
    with pytest.raises(TypeError, match="drop_every"):
        Engine(drop_every="2")  # type: ignore[typeddict-item]
    engine = Engine.deterministic("x", poll_after_ms=0)
    engine.reset()
    assert engine.options.poll_after_ms == 0


def test_command_line_flags() -> None:
    argv = ["--poll-after-ms", "100", "--latency-ms", "5", "--fail-every-429", "3"]
    argv += ["--fail-every-500", "4", "--drop-every", "7"]
    assert options(parse_args(argv)) == {
        "poll_after_ms": 100,
        "latency_ms": 5,
        "fail_every_429": 3,
        "fail_every_500": 4,
        "drop_every": 7,
    }
    assert set(options(parse_args([])).values()) == {None}
    Engine(**options(parse_args(argv)))  # every flag is an engine option
    for bad in (["--poll-after-ms", "-5"], ["--drop-every", "x"]):
        with pytest.raises(SystemExit):
            parse_args(bad)
