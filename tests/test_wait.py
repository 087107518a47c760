"""runs wait and the reply side of runs: deadlines, transient failures, Ctrl-C, citations,
produced files and the thread transcript."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import Recorder, Runner

FAST = ("--interval", "0.05")


def assistant(cli: Runner, *flags: str) -> str:
    result = cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", *flags, "-o", "id")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def started(cli: Runner, aid: str, text: str, *flags: str) -> dict[str, Any]:
    result = cli("run", "-a", aid, text, "-o", "json", *flags)
    assert result.exit_code == 0, result.stderr
    run: dict[str, Any] = result.json()
    return run


def test_wait_prints_the_final_run(cli: Runner, cassette: Recorder) -> None:
    run = started(cli, assistant(cli), "hello")
    result = cli("runs", "wait", run["thread_id"], run["id"], *FAST, "-o", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    final = result.json()
    assert (final["id"], final["status"]) == (run["id"], "completed")


@pytest.mark.engine(poll_after_ms=20)
def test_wait_through_a_long_queue_with_the_server_hint(cli: Runner, cassette: Recorder) -> None:
    run = started(cli, assistant(cli), "please queue for 4 polls")
    result = cli("runs", "wait", run["thread_id"], run["id"], "-o", "json")
    assert result.exit_code == 0
    polls = [r for r in cassette.requests if r.method == "GET" and r.path.endswith(run["id"])]
    assert len(polls) == 6  # 4 queued, in_progress, completed
    assert cassette.cassette.responses_of(polls[0])[0]["headers"]["openai-poll-after-ms"] == ["20"]


@pytest.mark.repeats
def test_deadline_while_polling_exits_124(cli: Runner, cassette: Recorder) -> None:
    run = started(cli, assistant(cli), "please hang")
    result = cli("runs", "wait", run["thread_id"], run["id"], "--timeout", "0.5", *FAST)
    assert result.exit_code == 124
    assert result.stdout == ""
    assert result.stderr == (
        "Error: deadline of 0.5 s reached; the run is still in_progress "
        f"(resume with 'asst runs wait {run['thread_id']} {run['id']}')\n"
    )


@pytest.mark.repeats
def test_deadline_cancels_when_asked(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli)
    result = cli(
        "run", "--wait", "--timeout", "0.5", *FAST, "--cancel-on-timeout", "-a", aid, "please hang"
    )
    assert result.exit_code == 124
    run = cassette.answer("/threads/runs")
    assert (
        result.stderr
        == "Error: deadline of 0.5 s reached; the run was in_progress and is being cancelled "
        f"(inspect it with 'asst runs get {run['thread_id']} {run['id']}')\n"
    )
    assert [r.path.rsplit("/", 1)[-1] for r in cassette.requests if r.method == "POST"][
        -1
    ] == "cancel"


@pytest.mark.repeats
def test_deadline_during_a_tool_round(cli: Runner, cassette: Recorder) -> None:
    Path("fn.json").write_text(
        json.dumps({"name": "slow", "description": "d", "parameters": {"type": "object"}})
    )
    aid = assistant(cli, "--function", "fn.json")
    tool = Path("slow.sh")
    tool.write_text("#!/bin/sh\nsleep 3\necho late\n")
    tool.chmod(0o755)
    result = cli(
        "run",
        "--wait",
        "--timeout",
        "0.6",
        *FAST,
        "-a",
        aid,
        "--tool",
        f"slow={tool.resolve()}",
        "call slow",
    )
    assert result.exit_code == 124
    run = cassette.answer("/threads/runs")
    assert result.stderr.splitlines()[-1] == (
        "Error: deadline of 0.6 s reached; the run is still requires_action "
        f"(resume with 'asst runs wait {run['thread_id']} {run['id']}')"
    )


@pytest.mark.engine(fail_every_500=3)
def test_transient_500s_do_not_end_the_wait(cli: Runner, cassette: Recorder) -> None:
    run = started(cli, assistant(cli), "please queue for 3 polls")
    result = cli(
        "--max-retries", "0", "runs", "wait", run["thread_id"], run["id"], *FAST, "-o", "json"
    )
    assert (result.exit_code, result.json()["status"]) == (0, "completed")
    statuses = [
        int(cassette.cassette.responses_of(r)[0]["status"]["code"]) for r in cassette.requests
    ]
    assert 500 in statuses


@pytest.mark.engine(fail_every_429=2)
def test_rate_limits_are_retried_by_the_sdk(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli)
    result = cli("run", "--wait", *FAST, "-o", "text", "-a", aid, "hello")
    assert (result.exit_code, result.stdout) == (0, "You said: hello\n")


@pytest.mark.repeats
@pytest.mark.engine(fail_every_500=1)
def test_a_server_that_stays_down_exits_75(cli: Runner, cassette: Recorder) -> None:
    result = cli("--max-retries", "0", "runs", "wait", "thread_x", "run_x", *FAST)
    assert result.exit_code == 75
    assert result.stderr.startswith("Error: server answered 500: ")  # none retried


def test_ctrl_c_leaves_the_run_and_says_how_to_resume(
    cli: Runner, cassette: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = started(cli, assistant(cli), "hello")

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("asst_cli.api.get_response", interrupted)
    result = cli("runs", "wait", run["thread_id"], run["id"])
    assert (result.exit_code, result.stdout) == (130, "")
    assert result.stderr == (
        f"Error: interrupted; the run goes on (resume with 'asst runs wait {run['thread_id']} {run['id']}')\n"
    )


def test_ctrl_c_cancels_when_asked(
    cli: Runner, cassette: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = started(cli, assistant(cli), "please hang")

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("asst_cli.api.get_response", interrupted)
    result = cli("runs", "wait", run["thread_id"], run["id"], "--cancel-on-interrupt")
    assert (result.exit_code, result.stderr) == (
        130,
        "Error: interrupted; the run is being cancelled "
        f"(inspect it with 'asst runs get {run['thread_id']} {run['id']}')\n",
    )
    assert cassette.requests[-1].method == "POST" and cassette.requests[-1].path.endswith("/cancel")


def test_unanswered_tool_call_prints_the_calls_for_submit(cli: Runner, cassette: Recorder) -> None:
    Path("fn.json").write_text(
        json.dumps({"name": "lookup", "description": "d", "parameters": {"type": "object"}})
    )
    run = started(cli, assistant(cli, "--function", "fn.json"), "call lookup")
    waited = cli("runs", "wait", run["thread_id"], run["id"], *FAST)
    assert waited.exit_code == 8
    [call] = waited.json()
    answered = cli(
        "runs",
        "submit-tool-outputs",
        run["thread_id"],
        run["id"],
        "--tool-output",
        f"{call['call_id']}=42",
        "-o",
        "id",
    )
    assert answered.exit_code == 0
    done = cli("runs", "wait", run["thread_id"], run["id"], *FAST, "-o", "json")
    assert (done.exit_code, done.json()["status"]) == (0, "completed")


def test_citations_become_footnotes(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli, "--tool", "file_search")
    Path("notes.txt").write_text("Revenue grew 12% in Q3.\nMore lines.\n")
    result = cli(
        "run", "--wait", *FAST, "-o", "text", "-a", aid, "--attach", "notes.txt", "please cite"
    )
    assert result.exit_code == 0, result.stderr
    body, notes = result.stdout.split("\n\n")
    assert body == 'According to notes.txt: "Revenue grew 12% in Q3."[1]'
    file_id = cassette.answer("/files")["id"]
    quote = "" if cassette.path.name.endswith("[openai].yaml") else ': "Revenue grew 12% in Q3."'
    assert notes == f"[1] notes.txt ({file_id}){quote}\n"


def test_produced_files_are_saved_and_named(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli, "--tool", "code_interpreter")
    Path("out").mkdir()
    Path("out/data.csv").write_text("mine\n")
    result = cli(
        "run",
        "--wait",
        *FAST,
        "-o",
        "text",
        "-a",
        aid,
        "--download-dir",
        "out",
        "please make a file",
    )
    assert result.exit_code == 1, result.stderr  # the reply is printed, one file was not saved
    lines = result.stdout.splitlines()
    assert lines[:3] == ["[image 1]", "", "Here is the data: Download data.csv[2]"]
    image_id, csv_id = (line.split("(")[1].split(")")[0] for line in lines[4:6])
    assert lines[4] == f"[1] image chart.png ({image_id}), saved to out/chart.png"
    assert lines[5] == f"[2] data.csv ({csv_id}), download with 'asst files download {csv_id}'"
    assert result.stderr == (
        "Warning: out/data.csv: already exists; not saved (pass --force to replace it)\n"
        "Error: 1 produced file(s) not saved: a file of the same name is in out "
        "(pass --force to replace them)\n"
    )
    assert Path("out/data.csv").read_text() == "mine\n"
    assert Path("out/chart.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("where", ["a.txt", "a.txt/sub"])
def test_download_dir_is_checked_as_files_download_dir_is(
    cli: Runner, unreachable: None, where: str
) -> None:
    Path("a.txt").write_text("keep")
    result = cli("run", "-a", "asst_1", "--wait", "--download-dir", where, "hi")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: --download-dir {where}: a.txt is not a directory (create it first)\n"
    )


def test_thread_show_is_a_transcript(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli)
    first = cli("run", "--wait", *FAST, "-o", "json", "-a", aid, "**bold** question")
    thread = first.json()["thread_id"]
    run_id = first.json()["run"]["id"]
    shown = cli("threads", "show", thread, "-o", "text")
    assert shown.exit_code == 0
    header_user, text_user, _, header_reply, text_reply, _ = shown.stdout.split("\n")[:6]
    assert header_user.startswith("── user · 2026-01-01 ") and header_user.endswith(" ──")
    assert text_user == "**bold** question"
    assert header_reply.endswith(f" · {run_id} ──") and header_reply.startswith("── assistant · ")
    assert text_reply == "You said: **bold** question"
    listed = cli("threads", "show", thread, "-o", "json")
    assert [m["role"] for m in listed.json()] == ["user", "assistant"]


def test_messages_get_saves_produced_files(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli, "--tool", "code_interpreter")
    done = cli("run", "--wait", *FAST, "-o", "json", "-a", aid, "please make a file")
    message = done.json()["messages"][0]
    got = cli(
        "messages",
        "get",
        done.json()["thread_id"],
        message["id"],
        "--download-dir",
        "saved",
        "-o",
        "id",
    )
    assert (got.exit_code, got.stdout) == (0, f"{message['id']}\n")
    assert sorted(p.name for p in Path("saved").iterdir()) == ["chart.png", "data.csv"]
