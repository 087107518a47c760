"""--stream keeps every promise polling keeps: the deadline, Ctrl-C and SIGTERM (cancelling
when asked), a lost connection, the ids and the resume command, and -c state as soon as the run
exists. A live engine on 127.0.0.1 (conftest ``live``): a silent stream cannot be replayed.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from asst_cli.runs import sse

from harness import Runner


def ok_id(result: Any) -> str:
    assert result.exit_code == 0, result.stderr
    return str(result.stdout).strip()


def assistant(cli: Runner) -> str:
    return ok_id(cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-o", "id"))


def streamed_ids(stdout: str) -> tuple[str, str]:
    """The thread and run ids from the first run event a ``-o jsonl`` stream printed."""
    for line in stdout.splitlines():
        event = json.loads(line)
        if event["event"] == "thread.run.created":
            return event["data"]["thread_id"], event["data"]["id"]
    raise AssertionError("no thread.run.created event was printed")


def error(result: Any) -> tuple[str, str]:
    """The message and hint of the error a ``-o jsonl`` command printed (as JSON, on stderr)."""
    found = json.loads(result.stderr)["error"]
    return found["message"], found["hint"]


def status(cli: Runner, ids: tuple[str, str]) -> str:
    return str(cli("runs", "get", *ids, "-o", "json").json()["status"])


def stop_when_running(monkeypatch: pytest.MonkeyPatch, stop: Callable[[], None]) -> None:
    """The stream is read as usual until the run is in progress; then ``stop`` happens."""
    original = sse.parse

    def parse(lines: Iterable[str]) -> Iterator[sse.Event]:
        for event in original(lines):
            yield event
            if event.name == "thread.run.in_progress":
                stop()

    monkeypatch.setattr(sse, "parse", parse)


def test_the_deadline_names_the_run_and_how_to_resume(cli: Runner, live_dialect: Any) -> None:
    aid = assistant(cli)
    result = cli("run", "--stream", "--timeout", "0.5", "-o", "jsonl", "-a", aid, "please hang")
    thread, run = streamed_ids(result.stdout)
    assert result.exit_code == 124
    assert error(result) == (
        "deadline of 0.5 s reached; the run is still in_progress",
        f"resume with 'asst runs wait {thread} {run}'",
    )
    assert status(cli, (thread, run)) == "in_progress"


def test_cancel_on_timeout_cancels_the_streamed_run(cli: Runner, live_dialect: Any) -> None:
    aid = assistant(cli)
    result = cli(
        "run", "--stream", "--timeout", "0.5", "--cancel-on-timeout", "-o", "jsonl", "-a", aid,
        "please hang",
    )  # fmt: skip
    thread, run = streamed_ids(result.stdout)
    assert result.exit_code == 124
    assert error(result) == (
        "deadline of 0.5 s reached; the run was in_progress and is being cancelled",
        f"inspect it with 'asst runs get {thread} {run}'",
    )
    assert status(cli, (thread, run)) in ("cancelling", "cancelled")


def interrupt() -> None:
    raise KeyboardInterrupt


def terminate() -> None:
    signal.raise_signal(signal.SIGTERM)


STOPS = {"ctrl-c": (interrupt, 130, "interrupted"), "sigterm": (terminate, 143, "terminated")}


@pytest.mark.parametrize("cancel", [False, True], ids=["leave", "cancel"])
@pytest.mark.parametrize("stop", STOPS)
def test_a_stop_names_the_run_cancels_when_asked_and_remembers_the_thread(
    cli: Runner,
    live_dialect: Any,
    monkeypatch: pytest.MonkeyPatch,
    stop: str,
    cancel: bool,
    isolated_env: Path,
) -> None:
    action, code, word = STOPS[stop]
    aid = assistant(cli)
    stop_when_running(monkeypatch, action)
    flags = ["--cancel-on-interrupt"] if cancel else []
    result = cli("run", "--stream", *flags, "-o", "jsonl", "-a", aid, "please hang")
    thread, run = streamed_ids(result.stdout)
    assert result.exit_code == code
    if cancel:
        expected = (
            f"{word}; the run is being cancelled",
            f"inspect it with 'asst runs get {thread} {run}'",
        )
    else:
        expected = (f"{word}; the run goes on", f"resume with 'asst runs wait {thread} {run}'")
    assert error(result) == expected
    assert status(cli, (thread, run)) in (
        ("cancelling", "cancelled") if cancel else ("in_progress",)
    )
    state = yaml.safe_load((isolated_env / "state.yaml").read_text())
    assert [item["thread"] for item in state["last_run"].values()] == [thread]  # -c continues it


def test_a_lost_connection_names_the_run_and_how_to_resume(
    cli: Runner, live_dialect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx2

    def cut() -> None:
        raise httpx2.RemoteProtocolError("peer closed connection without sending complete body")

    aid = assistant(cli)
    stop_when_running(monkeypatch, cut)
    result = cli("run", "--stream", "-o", "jsonl", "-a", aid, "please hang")
    thread, run = streamed_ids(result.stdout)
    assert result.exit_code == 75
    assert error(result) == (
        "the connection was lost while streaming: peer closed connection without sending "
        "complete body",
        f"resume with 'asst runs wait {thread} {run}'",
    )


def test_the_server_going_away_during_a_wait_ends_75_with_the_resume_command(
    cli: Runner, live_dialect: Any
) -> None:
    aid = assistant(cli)
    run = cli("run", "-a", aid, "please hang", "-o", "json").json()
    live_dialect.stop()
    result = cli("runs", "wait", run["thread_id"], run["id"])
    assert (result.exit_code, result.stdout) == (75, "")
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: could not reach the server: ")
    assert line.endswith(f"(resume with 'asst runs wait {run['thread_id']} {run['id']}')")
