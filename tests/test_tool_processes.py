"""Tool commands end with everything they started: on their timeout, on Ctrl-C and on SIGTERM
(asst does not wait for a tool it was asked to stop)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from asst_cli.app import _sigterm_as_interrupt
from asst_cli.runs import handlers

from harness import interruptible

# A tool that starts a long child and waits for it, as a shell script calling `sleep` does.
TOOL = ["sh", "-c", "sleep 30 & echo $! > child.pid; echo $$ > tool.pid; wait"]
RUN = {
    "id": "run_1",
    "thread_id": "thread_1",
    "required_action": {
        "submit_tool_outputs": {
            "tool_calls": [{"id": "call_1", "function": {"name": "slow", "arguments": "{}"}}]
        }
    },
}


def gone(pid_file: str) -> bool:
    """Whether the process whose pid the tool wrote has ended (a zombie counts as ended)."""
    pid = int(Path(pid_file).read_text())
    for _ in range(200):  # SIGKILL is delivered asynchronously: allow it a moment
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):  # gone before the open, or during it
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.01)
    return False


def started(pid_file: str) -> None:
    while not Path(pid_file).exists() or not Path(pid_file).read_text().strip():
        time.sleep(0.01)


def test_a_timed_out_tool_is_ended_with_its_children() -> None:
    config = handlers.ToolConfig(fallback=TOOL, timeout=0.5)
    [output] = handlers.answer(config, RUN, None) or []
    assert output == {
        "tool_call_id": "call_1",
        "output": "Error: the tool failed: no answer within 0.5 s",
    }
    assert gone("tool.pid") and gone("child.pid")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stop_ends_running_tools_at_once(stop: signal.Signals) -> None:
    config = handlers.ToolConfig(fallback=TOOL, timeout=60)

    def send_stop() -> None:
        started("child.pid")
        started("tool.pid")
        os.kill(os.getpid(), stop)

    threading.Thread(target=send_stop, daemon=True).start()
    began = time.monotonic()
    with interruptible(), _sigterm_as_interrupt(), pytest.raises(KeyboardInterrupt):
        handlers.answer(config, RUN, None)
    # Not waiting for the tool (60 s limit, a 30 s child): what ends it is the stop.
    assert time.monotonic() - began < 10
    assert gone("tool.pid") and gone("child.pid")


def test_a_tool_whose_start_returns_after_the_stop_is_ended_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # On a loaded machine the command can run before Popen returns to the reader thread; the
    # stop is handled in between, when asst does not yet hold the process.
    config = handlers.ToolConfig(fallback=TOOL, timeout=60)
    stopped = threading.Event()
    popen = subprocess.Popen

    def late_popen(*args: Any, **kwargs: Any) -> subprocess.Popen[str]:
        process = popen(*args, **kwargs)
        stopped.wait(10)
        time.sleep(0.5)  # the main thread handles the stop in 0.1 s steps
        return process

    def send_stop() -> None:
        started("child.pid")
        started("tool.pid")
        os.kill(os.getpid(), signal.SIGINT)
        stopped.set()

    monkeypatch.setattr(handlers.subprocess, "Popen", late_popen)
    threading.Thread(target=send_stop, daemon=True).start()
    with interruptible(), pytest.raises(KeyboardInterrupt):
        handlers.answer(config, RUN, None)
    assert gone("tool.pid") and gone("child.pid")


def test_a_ctrl_c_another_thread_received_still_ends_the_tools_at_once() -> None:
    # The kernel gives a signal sent to the process to any thread that does not block it;
    # Python runs the handler in the main thread only, which waits on the tools.
    config = handlers.ToolConfig(fallback=TOOL, timeout=60)

    def interrupt_this_thread() -> None:
        started("child.pid")
        started("tool.pid")
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)

    threading.Thread(target=interrupt_this_thread, daemon=True).start()
    began = time.monotonic()
    with interruptible(), pytest.raises(KeyboardInterrupt):
        handlers.answer(config, RUN, None)
    assert time.monotonic() - began < 10
    assert gone("tool.pid") and gone("child.pid")
