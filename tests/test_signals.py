"""SIGTERM is handled like Ctrl-C (cancel when asked, ids and the resume command) and exits 143.

The server is replaced by stand-ins for api.py's functions: what is tested is what asst does when
the signal arrives, not the wire.
"""

from __future__ import annotations

import signal
from typing import Any

import pytest

from asst_cli import api

from harness import Runner

RESUME = "(resume with 'asst runs wait thread_1 run_1')"


def terminate(*_: Any, **__: Any) -> Any:
    signal.raise_signal(signal.SIGTERM)


@pytest.fixture
def cancelled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    sent: list[str] = []
    monkeypatch.setattr(api, "get_polled", terminate)
    monkeypatch.setattr(api, "cancel", sent.append)
    return sent


def test_sigterm_while_waiting_leaves_the_run_and_says_how_to_resume(
    cli: Runner, cancelled: list[str]
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    result = cli("runs", "wait", "thread_1", "run_1")
    assert (result.exit_code, result.stdout) == (143, "")
    assert result.stderr == f"Error: terminated; the run goes on {RESUME}\n"
    assert cancelled == []
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_cancels_the_run_when_asked(cli: Runner, cancelled: list[str]) -> None:
    result = cli("runs", "wait", "thread_1", "run_1", "--cancel-on-interrupt")
    assert (result.exit_code, result.stderr) == (
        143,
        "Error: terminated; the run is being cancelled "
        "(inspect it with 'asst runs get thread_1 run_1')\n",
    )
    assert cancelled == ["/threads/thread_1/runs/run_1"]


def test_sigterm_outside_a_wait_exits_143(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "page", terminate)
    result = cli("assistants", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (143, "", "Terminated.\n")
