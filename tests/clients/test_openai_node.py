"""openai-node v4, unpatched, runs its own Assistants flows against the server.

The scripts in ``node/`` are plain ES modules (no build step) that print one JSON summary each;
the exact openai version is pinned by ``node/package-lock.json`` and installed by
``npm ci --prefix tests/clients/node`` (``.ci/run`` does it). Without ``node`` on PATH these
tests skip; without the installed packages they fail and say how to install them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SCRIPTS = Path(__file__).parent / "node"
NODE = shutil.which("node")
TIMEOUT = 60  # seconds for one flow; each takes well under one

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (Node.js >= 18)")


@pytest.fixture(scope="module")
def run_flow(server_url: str, child_env: dict[str, str]) -> Callable[[str], Any]:
    return lambda name: flow(name, server_url, child_env)


def flow(name: str, server_url: str, env: dict[str, str]) -> Any:
    """Run ``node/<name>.mjs`` against the server; its JSON summary."""
    if not (SCRIPTS / "node_modules" / "openai").is_dir():
        pytest.fail("openai-node is not installed: run npm ci --prefix tests/clients/node")
    assert NODE is not None
    done = subprocess.run(
        [NODE, f"{name}.mjs", server_url],
        cwd=SCRIPTS,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_runs_create_and_poll(run_flow: Callable[[str], Any]) -> None:
    assert run_flow("create_and_poll") == {
        "ids": ["asst_<id>", "thread_<id>", "run_<id>"],
        "status": "completed",
        "same_thread": True,
        "messages": [["user", "hello from node"], ["assistant", "You said: hello from node"]],
    }


@pytest.fixture(scope="module")
def streamed(run_flow: Callable[[str], Any]) -> Any:
    """One run of the streaming flow; its parts are checked by separate tests."""
    return run_flow("stream_tools")


def test_runs_stream_requires_action(streamed: Any) -> None:
    assert (streamed["requires_action"], streamed["calls"]) == (
        "requires_action",
        [["call_<id>", "get_weather", '{"city":"Paris"}']],
    )


def test_runs_stream_tool_call_events(streamed: Any) -> None:
    assert streamed["tool_events"] == [
        "toolCallCreated function",
        'toolCallDelta {"city":',
        'toolCallDelta "Paris"}',
        "toolCallDone get_weather",
    ]


def test_submit_tool_outputs_stream(streamed: Any) -> None:
    assert streamed["after_events"] == [
        "thread.run.step.completed",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.message.created",
        "thread.message.in_progress",
        "thread.message.delta",
        "textDelta Tool -> Tool",
        "thread.message.delta",
        "textDelta  outputs: -> Tool outputs:",
        "thread.message.delta",
        "textDelta  get_weather -> Tool outputs: get_weather",
        "thread.message.delta",
        "textDelta  returned -> Tool outputs: get_weather returned",
        "thread.message.delta",
        "textDelta  'sunny' -> Tool outputs: get_weather returned 'sunny'",
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
    ]
    assert (streamed["final_status"], streamed["final_text"]) == (
        "completed",
        ["Tool outputs: get_weather returned 'sunny'"],
    )


def test_auto_paging(run_flow: Callable[[str], Any]) -> None:
    # Pages hold indexes into the five assistants in creation order: newest first, two a page.
    assert run_flow("auto_paging") == {"newest_first": True, "pages": [[4, 3], [2, 1], [0]]}
