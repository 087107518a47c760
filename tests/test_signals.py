"""SIGTERM is handled like Ctrl-C (cancel when asked, ids and the resume command) and exits 143.

The server is mostly replaced by stand-ins for api.py's functions: what is tested is what asst
does when the signal arrives, not the wire. A download is stopped in a real process by a real
signal, since what must be shown is the file system it leaves.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
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


def test_sigterm_during_a_download_leaves_no_partial_file(tmp_path: Path) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_BASE_URL"}
    env.update(OPENAI_API_KEY="sk-live-test-0000", ASST_MAX_RETRIES="0")
    env["OPENAI_BASE_URL"] = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    command = [sys.executable, "-m", "asst_cli", "files", "download", "file-1", "-O", "a.bin"]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        listener.settimeout(30)
        connection, _ = listener.accept()
        connection.settimeout(30)
        assert connection.recv(65536).startswith(b"GET /v1/files/file-1/content ")
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        connection.sendall(head + b"Content-Length: 1000000\r\n\r\n" + b"x" * 1000)
        _wait_for(lambda: any(p.suffix == ".part" for p in tmp_path.iterdir()), process)
        process.send_signal(signal.SIGTERM)  # the body stalls: asst is inside the download
        _, stderr = process.communicate(timeout=30)
        assert (process.returncode, stderr) == (143, b"Error: terminated; a.bin was not written\n")
        assert list(tmp_path.iterdir()) == []
        connection.close()
    finally:
        process.kill()
        process.communicate()
        listener.close()


def _wait_for(condition: Any, process: subprocess.Popen[bytes]) -> None:
    """Until ``condition()`` holds; the process ending first fails the test with its output."""
    while not condition():
        if process.poll() is not None:
            raise AssertionError(process.communicate())
        time.sleep(0.01)
