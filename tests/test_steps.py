"""asst steps, end to end against each dialect (replayed), and bad input (no request)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from harness import Recorder, Result, Runner

NOT_FOUND_HINT = "(check the id, or list what exists with the matching 'list' command)"
WEATHER = {
    "name": "get_weather",
    "description": "Weather now",
    "parameters": {"type": "object", "properties": {}},
}
INCLUDE = "include%5B%5D=step_details.tool_calls%5B%2A%5D.file_search.results%5B%2A%5D.content"


def ok(result: Result) -> Any:
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.json()


def human(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_with_a_tool_call(cli: Runner) -> tuple[str, str, str]:
    """A run stopped in requires_action: (thread id, run id, call id)."""
    Path("fn.json").write_text(json.dumps(WEATHER))
    aid = cli(
        "assistants", "create", "--model", "gpt-4o", "--function", "fn.json", "-o", "id"
    ).stdout.strip()
    tid = cli("threads", "create", "--message", "call get_weather", "-o", "id").stdout.strip()
    rid = ok(cli("runs", "create", tid, "-a", aid, "-o", "json"))["id"]
    assert ok(cli("runs", "get", tid, rid, "-q", "status")) == "in_progress"
    waiting = ok(cli("runs", "get", tid, rid, "-o", "json"))
    assert waiting["status"] == "requires_action"
    return tid, rid, waiting["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"]


def test_list_and_get_through_a_tool_call(cli: Runner, cassette: Recorder) -> None:
    tid, rid, call_id = run_with_a_tool_call(cli)
    (waiting,) = ok(cli("steps", "list", tid, rid, "-o", "json"))
    assert (waiting["type"], waiting["status"], waiting["run_id"]) == (
        "tool_calls",
        "in_progress",
        rid,
    )
    assert waiting["step_details"]["tool_calls"][0]["id"] == call_id
    assert (
        ok(
            cli(
                "runs",
                "submit-tool-outputs",
                tid,
                rid,
                "--tool-output",
                f"{call_id}=sunny",
                "-q",
                "status",
            )
        )
        == "in_progress"
    )
    assert ok(cli("runs", "get", tid, rid, "-q", "status")) == "completed"
    steps = ok(cli("steps", "list", tid, rid, "--order", "asc", "-o", "json"))
    assert [(s["id"], s["type"], s["status"]) for s in steps] == [
        (waiting["id"], "tool_calls", "completed"),
        (steps[1]["id"], "message_creation", "completed"),
    ]
    assert steps[0]["step_details"]["tool_calls"][0]["function"]["output"] == "sunny"
    tsv = cli("steps", "list", tid, rid, "-o", "tsv")
    assert tsv.stdout == (
        f"{steps[1]['id']}\tmessage_creation\tcompleted\t{iso(steps[1]['created_at'])}\n"
        f"{steps[0]['id']}\ttool_calls\tcompleted\t{iso(steps[0]['created_at'])}\n"
    )
    reply = ok(cli("messages", "list", tid, "--run", rid, "-q", "[0].id"))
    shown = cli("steps", "get", tid, rid, steps[1]["id"], "-o", "table")
    assert (shown.exit_code, shown.stderr) == (0, "")
    assert shown.stdout == (
        f"ID       {steps[1]['id']}\n"
        "TYPE     message_creation\n"
        "STATUS   completed\n"
        f"CREATED  {human(steps[1]['created_at'])}\n"
        f"RUN      {rid}\n"
        f"DETAILS  message {reply}\n"
        f"USAGE    {json.dumps(steps[1]['usage'])}\n"
    )
    tool_step = cli("steps", "get", tid, rid, steps[0]["id"], "-o", "table")
    assert tool_step.stdout.splitlines()[5] == "DETAILS  get_weather"


def test_pages(cli: Runner, cassette: Recorder) -> None:
    tid, rid, call_id = run_with_a_tool_call(cli)
    cli("runs", "submit-tool-outputs", tid, rid, "--tool-output", f"{call_id}=x")
    cli("runs", "get", tid, rid)
    first = cli("steps", "list", tid, rid, "--limit", "1", "--order", "asc", "-o", "table")
    ids = ok(
        cli(
            "steps",
            "list",
            tid,
            rid,
            "--limit",
            "1",
            "--all",
            "--order",
            "asc",
            "-o",
            "json",
            "-q",
            "[].id",
        )
    )
    assert len(ids) == 2
    assert first.stderr == (
        f"More steps exist: repeat with --after {ids[0]} for the next page, or with --all for every page.\n"
    )


# Azure 2024-05-01-preview does not declare include[] for run steps.
@pytest.mark.parametrize("dialect", ["openai", "foundry"], indirect=True)
def test_include_file_search_content(cli: Runner, cassette: Recorder) -> None:
    tid, rid, _ = run_with_a_tool_call(cli)
    steps = ok(cli("steps", "list", tid, rid, "--include-file-search-content", "-o", "json"))
    assert [s["type"] for s in steps] == ["tool_calls"]
    listed = [r.uri for r in cassette.requests if r.path.endswith("/steps")]
    assert len(listed) == 1
    assert INCLUDE in listed[0]


def test_get_missing_step_exits_3(cli: Runner, cassette: Recorder) -> None:
    tid, rid, _ = run_with_a_tool_call(cli)
    result = cli("steps", "get", tid, rid, "step_missing")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == f"Error: No run step found with id 'step_missing' {NOT_FOUND_HINT}\n"


def test_rejected_credential_exits_4(
    cli: Runner, cassette: Recorder, rejected_credential: None
) -> None:
    result = cli("steps", "list", "thread_abc", "run_abc")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr.endswith("(check the credential with 'asst auth status --check')\n")


def test_bad_list_option_exits_1_with_the_server_message(cli: Runner, cassette: Recorder) -> None:
    tid, rid, _ = run_with_a_tool_call(cli)
    result = cli("steps", "list", tid, rid, "--after", "step_unknown")
    assert (result.exit_code, result.stdout) == (1, "")
    assert (
        result.stderr == "Error: Invalid 'after': no object with id 'step_unknown' in this list\n"
    )


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ("list", "thread_1", ""),
            "Error: the run id is empty (pass the run id of an existing object)\n",
        ),
        (
            ("get", "thread_1", "run_1", " "),
            "Error: the step id is empty (pass the step id of an existing object)\n",
        ),
        (
            ("list", "thread_1", "run_1", "--limit", "0"),
            "Error: Invalid value for '--limit' / '-l': Input should be greater than or equal to 1 (see 'asst steps list --help')\n",
        ),
    ],
)
def test_bad_input_exits_2_before_any_request(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], stderr: str
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unused-0000")
    monkeypatch.setenv("ASST_MAX_RETRIES", "0")
    result = cli("steps", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)
