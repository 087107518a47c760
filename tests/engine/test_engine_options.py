"""Engine options: the poll hint header, and their command-line flags."""

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
    engine = Engine.deterministic("x", poll_after_ms=0)
    engine.reset()
    assert engine.options.poll_after_ms == 0


def test_command_line_flags() -> None:
    assert options(parse_args(["--poll-after-ms", "100"])) == {"poll_after_ms": 100}
    assert options(parse_args([])) == {"poll_after_ms": None}
    with pytest.raises(SystemExit):
        parse_args(["--poll-after-ms", "-5"])
