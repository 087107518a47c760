"""What one dialect's spec lets a body carry and the others' do not, through ``dispatch``:
OpenAI's ``reasoning_effort``. Accepted where its spec has it, refused as unknown elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from engine_sessions import Session, error, unknown


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
