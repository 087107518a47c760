"""Faults: the exit-code contract and the deadline hold when the server misbehaves.

Most cases replay cassettes recorded from the engine with its fault switches on (every Nth
request 429 or 500). Two kinds of fault cannot be replayed, so those tests talk to a live engine
on 127.0.0.1 (a free port, started and stopped by the test): a dropped connection (vcrpy records
answers, not the absence of one) and a slow answer (a replayed answer arrives at once).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from asst_engine import EngineServer
from asst_engine.options import Options

from harness import Recorder, Runner

FAST = ("--interval", "0.05")


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def assistant(cli: Runner) -> str:
    made = ok(cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-o", "id"))
    return str(made.stdout.strip())


def started(cli: Runner, aid: str, text: str) -> tuple[str, str]:
    run = ok(cli("run", "-a", aid, text, "-o", "json")).json()
    return run["thread_id"], run["id"]


def errors(stderr: str) -> list[dict[str, Any]]:
    """The errors asst printed as JSON lines (-o json), one per line."""
    return [json.loads(line)["error"] for line in stderr.splitlines()]


def statuses(cassette: Recorder) -> list[int]:
    """Every recorded answer's status (identical requests included, in order)."""
    return [int(response["status"]["code"]) for _, response in cassette.cassette.data]


# -- replayed: 429s and 500s sprinkled through a wait --------------------------------------------


@pytest.mark.engine(fail_every_429=4, fail_every_500=7)
def test_run_wait_completes_through_429s_and_500s(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli)
    result = cli("run", "--wait", *FAST, "-o", "text", "-a", aid, "please queue for 6 polls")
    assert (result.exit_code, result.stdout) == (0, "You said: please queue for 6 polls\n")
    assert result.stderr == ""
    assert {429, 500} <= set(statuses(cassette))


@pytest.mark.engine(fail_every_429=3, fail_every_500=5)
def test_runs_wait_reports_a_failed_run_as_5_not_75(cli: Runner, cassette: Recorder) -> None:
    thread, run = started(cli, assistant(cli), "please queue for 4 polls, then please fail")
    result = cli("--max-retries", "0", "runs", "wait", thread, run, *FAST, "-o", "id")
    assert (result.exit_code, result.stdout) == (5, f"{run}\n")
    assert result.stderr.startswith("Error: the run failed: server_error: ")
    assert {429, 500} <= set(statuses(cassette))


@pytest.mark.engine(fail_every_500=4)
def test_runs_wait_reports_an_expired_run_as_6(cli: Runner, cassette: Recorder) -> None:
    thread, run = started(cli, assistant(cli), "please queue for 3 polls, then please expire")
    result = cli("--max-retries", "0", "runs", "wait", thread, run, *FAST, "-o", "id")
    assert (result.exit_code, result.stdout) == (6, f"{run}\n")
    assert 500 in statuses(cassette)


@pytest.mark.repeats
@pytest.mark.engine(fail_every_429=1)
def test_a_server_that_keeps_rate_limiting_exits_75_within_the_deadline(
    cli: Runner, cassette: Recorder
) -> None:
    began = time.monotonic()
    result = cli("runs", "wait", "thread_x", "run_x", "--timeout", "1", *FAST)
    assert result.exit_code == 75
    assert time.monotonic() - began < 1.75  # the deadline, and a margin for a busy machine
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr


# -- live: dropped connections and slow answers ------------------------------------------------


def faults(server: EngineServer, **options: int) -> None:
    """Switch the live engine's faults on (after the set-up requests, which must not fail)."""
    server.engine.options = Options(**options)
    server.engine.requests = 0


def test_dropped_connections_do_not_end_a_wait(cli: Runner, live: EngineServer) -> None:
    thread, run = started(cli, assistant(cli), "please queue for 5 polls")
    faults(live, drop_every=2)
    result = cli("--max-retries", "0", "runs", "wait", thread, run, *FAST, "-o", "id")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{run}\n", "")


def test_dropped_connections_are_retried_by_run_wait(cli: Runner, live: EngineServer) -> None:
    aid = assistant(cli)
    faults(live, drop_every=3)
    result = cli("run", "--wait", *FAST, "-o", "text", "-a", aid, "please queue for 3 polls")
    assert (result.exit_code, result.stdout) == (0, "You said: please queue for 3 polls\n")


def test_a_server_that_drops_everything_exits_75_within_the_deadline(
    cli: Runner, live: EngineServer
) -> None:
    faults(live, drop_every=1)
    began = time.monotonic()
    result = cli("runs", "wait", "thread_x", "run_x", "--timeout", "1", *FAST)
    assert time.monotonic() - began < 1.75  # the deadline, and a margin for a busy machine
    assert result.exit_code == 75
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1


def test_nothing_listening_exits_75(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-live-test-0000")
    began = time.monotonic()
    result = cli("runs", "wait", "thread_x", "run_x", "--timeout", "1", *FAST)
    assert time.monotonic() - began < 1.75  # the deadline, and a margin for a busy machine
    assert result.exit_code == 75
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("mode", ["polling", "streaming"])
def test_timeout_holds_under_slow_answers(cli: Runner, live: EngineServer, mode: str) -> None:
    aid = assistant(cli)
    thread, run = started(cli, aid, "please hang")
    faults(live, latency_ms=3000)
    began = time.monotonic()
    if mode == "polling":
        result = cli("runs", "wait", thread, run, "--timeout", "0.5", *FAST)
    else:
        result = cli("run", "--wait", "--stream", "--timeout", "0.5", "-a", aid, "please hang")
    elapsed = time.monotonic() - began
    assert result.exit_code == 124, result.stderr
    assert elapsed < 1.25, f"took {elapsed:.2f} s with --timeout 0.5 (the server takes 3 s)"
    assert len(result.stderr.splitlines()) == 1


# -- uploads: exactly which files failed, and a re-run adds only those --------------------------


def _files(*names: str) -> list[str]:
    for name in names:
        Path(name).write_text(f"content of {name}\n")
    return list(names)


@pytest.mark.engine(fail_every_500=3)
def test_files_upload_names_the_failed_file_and_a_rerun_uploads_only_it(
    cli: Runner, cassette: Recorder
) -> None:
    names = _files("a.txt", "b.txt", "c.txt")
    first = cli("--max-retries", "0", "files", "upload", *names, "-j", "1", "-o", "json")
    assert first.exit_code == 75
    assert [f["filename"] for f in first.json()] == ["a.txt", "b.txt"]
    kept = ", ".join(f"{f['id']} ({f['filename']})" for f in first.json())
    assert errors(first.stderr) == [
        {
            "message": "c.txt: upload failed: server answered 500: The server had "
            "an error while processing your request. Sorry about that!",
            "exit_code": 75,
            "hint": "try again later, or raise --max-retries",
        },
        {
            "message": "1 of 3 uploads failed",
            "exit_code": 75,
            "hint": f"uploaded anyway: {kept}; reuse their ids, or re-run with --skip-existing "
            "to upload only the failed ones",
            "status": 500,
        },
    ]
    again = cli("--max-retries", "0", "files", "upload", *names, "--skip-existing", "-o", "json")
    assert again.exit_code == 0, again.stderr
    assert [f["filename"] for f in again.json()] == names
    assert again.json()[:2] == first.json()
    assert again.stderr == (
        "Skipped 2 file(s) already uploaded (same name, size and purpose): a.txt, b.txt\n"
    )
    listed = ok(cli("files", "list", "-o", "json")).json()
    assert sorted(f["filename"] for f in listed) == names  # nothing twice, nothing lost
    assert [r.method for r in cassette.requests].count("POST") == 4


@pytest.mark.engine(fail_every_500=4)
def test_vector_store_files_add_rerun_adds_exactly_what_failed(
    cli: Runner, cassette: Recorder
) -> None:
    store = ok(cli("vector-stores", "create", "--name", "docs", "-o", "id")).stdout.strip()
    names = _files("a.txt", "b.txt", "c.txt", "d.txt")
    add = ("vector-stores", "files", "add", store, *names, "-j", "1", "-o", "json")
    # b's upload fails; c uploads but is not attached, so it is deleted again.
    first = cli("--max-retries", "0", *add)
    assert first.exit_code == 75
    assert len(first.json()) == 2
    assert [e["message"].split(": server answered")[0] for e in errors(first.stderr)] == [
        "b.txt: upload failed",
        "c.txt",
        "2 of 4 files failed",
    ]
    # The same command again (the SDK now retries the 500s itself): b and c only.
    again = cli(*add)
    assert again.exit_code == 0, again.stderr
    assert len(again.json()) == 2
    assert (
        again.stderr == f"Skipped 2 file(s) already in {store} (same name and size): a.txt, d.txt\n"
    )
    in_store = ok(cli("vector-stores", "files", "list", store, "-o", "id")).stdout.split()
    files = ok(cli("files", "list", "-o", "json")).json()
    assert sorted(f["filename"] for f in files) == names  # nothing twice, nothing lost
    assert sorted(in_store) == sorted(f["id"] for f in files)
