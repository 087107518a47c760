"""--timeout is one deadline for the whole command; retries and the cancel keep within limits.

Slow answers cannot be replayed, so those cases talk to a live engine on 127.0.0.1 (see
test_faults.py); retried streams replay cassettes recorded from the engine with its faults on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from asst_cli import api
from asst_engine import EngineServer
from asst_engine.options import Options

from harness import Recorder, Runner

MODES = {"polling": (), "streaming": ("--stream",)}
DEFINITION = "kind: assistant\nname: helper\nmodel: gpt-4o\n"


def slow(server: EngineServer, latency_ms: int) -> None:
    server.engine.options = Options(latency_ms=latency_ms)


def ok_id(result: object) -> str:
    assert getattr(result, "exit_code") == 0, getattr(result, "stderr")  # noqa: B009
    return str(getattr(result, "stdout")).strip()  # noqa: B009


@pytest.mark.parametrize("mode", MODES)
def test_the_deadline_starts_before_the_definition_is_reconciled(
    cli: Runner, live_dialect: EngineServer, mode: str
) -> None:
    # The first request (looking the definition's assistant up) is already bound by --timeout:
    # nothing is created, and the command ends at its deadline, not after the set-up requests.
    Path("helper.yaml").write_text(DEFINITION)
    slow(live_dialect, 3000)
    flags = MODES[mode]
    result = cli("run", "--wait", *flags, "--timeout", "0.5", "-f", "helper.yaml", "hi")
    assert (result.exit_code, result.stdout) == (124, "")
    assert result.stderr == "Error: deadline of 0.5 s reached\n"


def test_the_cancel_sent_at_the_deadline_has_its_own_time_limit(
    cli: Runner, live: EngineServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    aid = ok_id(cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-o", "id"))
    run = cli("run", "-a", aid, "please hang", "-o", "json").json()
    slow(live, 3000)
    monkeypatch.setattr(api, "CANCEL_TIME_LIMIT", 0.3)
    result = cli(
        "runs", "wait", run["thread_id"], run["id"], "--timeout", "0.3", "--cancel-on-timeout"
    )
    assert result.exit_code == 124
    assert result.stderr == (
        "Cancelling the run failed: no answer within 0.3 s\n"
        "Error: deadline of 0.3 s reached; the run was unknown and is being cancelled "
        f"(inspect it with 'asst runs get {run['thread_id']} {run['id']}')\n"
    )


@pytest.mark.engine(fail_every_429=2)
def test_a_streamed_run_is_retried_after_a_429(cli: Runner, cassette: Recorder) -> None:
    aid = ok_id(cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-o", "id"))
    result = cli("run", "--stream", "--timeout", "30", "-o", "text", "-a", aid, "hello")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "You said: hello\n", "")
    streamed = [r for r in cassette.requests if r.path.endswith("/threads/runs")]
    assert len(streamed) == 2  # the 429, then the stream


@pytest.mark.engine(fail_every_429=2)
def test_no_retries_are_not_called_retries(cli: Runner, cassette: Recorder) -> None:
    aid = ok_id(cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-o", "id"))
    result = cli("--max-retries", "0", "run", "--stream", "-o", "text", "-a", aid, "hello")
    assert (result.exit_code, result.stdout) == (75, "")
    assert result.stderr.startswith("Error: server answered 429: ")


def test_a_streamed_run_is_retried_after_a_dropped_connection(
    cli: Runner, live_dialect: EngineServer
) -> None:
    """On a thread that exists: the lost attempt is looked for, not found, and sent again (a
    create-and-run is not sent again at all: see test_lossless.py)."""
    aid = ok_id(cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-o", "id"))
    thread = ok_id(cli("threads", "create", "-o", "id"))
    live_dialect.engine.options = Options(drop_every=3)
    # The message is the 2nd request, the stream's opening request the 3rd: dropped; the look
    # for its run the 4th, the stream sent again the 5th.
    live_dialect.engine.requests = 1
    argv = ("--stream", "--timeout", "30", "-o", "text", "--thread", thread)
    result = cli("run", *argv, "-a", aid, "hello")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "You said: hello\n", "")
    assert len(ok_id(cli("runs", "list", thread, "-o", "id")).split()) == 1
