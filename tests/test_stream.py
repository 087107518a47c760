"""--stream: the reply as it is written, events as JSON lines, tool rounds inside a stream."""

from __future__ import annotations

import json
from pathlib import Path

from harness import Recorder, Runner


def assistant(cli: Runner, *flags: str) -> str:
    result = cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", *flags, "-o", "id")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def function_assistant(cli: Runner) -> str:
    Path("fn.json").write_text(
        json.dumps({"name": "lookup", "description": "d", "parameters": {"type": "object"}})
    )
    return assistant(cli, "--function", "fn.json")


def test_text_appears_as_it_is_written(cli: Runner, cassette: Recorder) -> None:
    result = cli("run", "--stream", "-o", "text", "-a", assistant(cli), "hello there")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "You said: hello there\n", "")
    streamed = [r for r in cassette.requests if r.path.endswith("/threads/runs")]
    assert json.loads(streamed[0].body)["stream"] is True


def test_events_as_json_lines(cli: Runner, cassette: Recorder) -> None:
    result = cli("run", "--stream", "-o", "jsonl", "-a", assistant(cli), "hi")
    assert result.exit_code == 0
    names = [json.loads(line)["event"] for line in result.stdout.splitlines()]
    assert names[:3] == ["thread.created", "thread.run.created", "thread.run.queued"]
    assert names.count("thread.message.delta") >= 2
    assert names[-2:] == ["thread.run.completed", "done"]


def test_tool_round_inside_a_stream(cli: Runner, cassette: Recorder) -> None:
    tool = Path("lookup.sh")
    tool.write_text("#!/bin/sh\necho 42\n")
    tool.chmod(0o755)
    aid = function_assistant(cli)
    result = cli(
        "run",
        "--stream",
        "-o",
        "text",
        "-a",
        aid,
        "--tool",
        f"lookup={tool.resolve()}",
        "call lookup",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Tool outputs: lookup returned '42\\n'\n"
    submitted = [
        json.loads(r.body) for r in cassette.requests if r.path.endswith("/submit_tool_outputs")
    ]
    assert [body["stream"] for body in submitted] == [True]
    assert submitted[0]["tool_outputs"][0]["output"] == "42\n"


def test_unanswered_call_in_a_stream_exits_8(cli: Runner, cassette: Recorder) -> None:
    result = cli("run", "--stream", "-o", "json", "-a", function_assistant(cli), "call lookup")
    assert result.exit_code == 8
    assert [call["name"] for call in result.json()] == ["lookup"]


def test_failed_stream_exits_5(cli: Runner, cassette: Recorder) -> None:
    result = cli("run", "--stream", "-o", "text", "-a", assistant(cli), "please fail")
    assert result.exit_code == 5
    assert result.stdout == ""
    assert result.stderr.startswith(
        "Error: the run failed: server_error: Sorry, something went wrong "
    )


def test_citations_in_a_stream_are_numbered(cli: Runner, cassette: Recorder) -> None:
    Path("notes.txt").write_text("Revenue grew 12% in Q3.\n")
    aid = assistant(cli, "--tool", "file_search")
    result = cli("run", "--stream", "-o", "text", "-a", aid, "--attach", "notes.txt", "please cite")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == 'According to notes.txt: "Revenue grew 12% in Q3."[1]'
    assert lines[1] == ""
    assert lines[2].startswith("[1] notes.txt (file-")


def test_runs_create_and_submit_stream(cli: Runner, cassette: Recorder) -> None:
    aid = function_assistant(cli)
    thread = cli("threads", "create", "--message", "call lookup", "-o", "id").stdout.strip()
    first = cli("runs", "create", thread, "--assistant", aid, "--stream", "-o", "json")
    assert first.exit_code == 8
    [call] = first.json()
    assert call["thread_id"] == thread
    second = cli(
        "runs",
        "submit-tool-outputs",
        thread,
        call["run_id"],
        "--tool-output",
        f"{call['call_id']}=7",
        "--stream",
        "-o",
        "text",
    )
    assert (second.exit_code, second.stdout) == (0, "Tool outputs: lookup returned '7'\n")
