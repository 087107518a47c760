"""asst runs, end to end against each dialect (replayed), and bad input (no request).

The engine advances a run one status per GET: queued → in_progress → completed, or
requires_action when the assistant has a function tool and the last user message says
``call <name>``.
"""

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
SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "answer",
        "schema": {"type": "object", "properties": {"a": {"type": "string"}}},
    },
}


def ok(result: Result) -> Any:
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.json()


NOT_FOLLOWED = (
    "applies only to a run asst follows (add --stream, or start the run and follow it with "
    "'asst runs wait' and the same flag)\n"
)


def posted(recorder: Recorder, suffix: str) -> list[Any]:
    """JSON bodies POSTed to paths ending in ``suffix`` (replaying: all the cassette holds)."""
    bodies = [r.body for r in recorder.requests if r.method == "POST" and r.path.endswith(suffix)]
    return [json.loads(body) if body else None for body in bodies]


def human(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def assistant(cli: Runner, *flags: str) -> str:
    result = cli("assistants", "create", "--model", "gpt-4o", *flags, "-o", "id")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def weather_assistant(cli: Runner) -> str:
    Path("fn.json").write_text(json.dumps(WEATHER))
    return assistant(cli, "--function", "fn.json")


def thread(cli: Runner, text: str) -> str:
    result = cli("threads", "create", "--message", text, "-o", "id")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def status(cli: Runner, tid: str, rid: str) -> str:
    found: str = ok(cli("runs", "get", tid, rid, "-q", "status"))
    return found


def test_create_with_options(cli: Runner, cassette: Recorder) -> None:
    aid = weather_assistant(cli)
    tid = thread(cli, "hello")
    flags = (
        "--additional-instructions", "Answer in French.", "--model", "gpt-4o-mini",
        "--tool-choice", "function:get_weather", "--temperature", "0", "--top-p", "1",
        "--max-prompt-tokens", "2000", "--max-completion-tokens", "256", "--truncation", "auto",
        "--response-format", "text", "-m", "job=7",
    )  # fmt: skip
    run = ok(cli("runs", "create", tid, "--assistant", aid, *flags, "-o", "json"))
    assert (run["object"], run["status"], run["thread_id"], run["assistant_id"]) == (
        "thread.run",
        "queued",
        tid,
        aid,
    )
    assert (run["model"], run["instructions"], run["metadata"]) == (
        "gpt-4o-mini",
        "\n\nAnswer in French.",
        {"job": "7"},
    )
    assert posted(cassette, "/runs") == [
        {
            "assistant_id": aid,
            "additional_instructions": "Answer in French.",
            "model": "gpt-4o-mini",
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "temperature": 0.0,
            "top_p": 1.0,
            "max_prompt_tokens": 2000,
            "max_completion_tokens": 256,
            "truncation_strategy": {"type": "auto"},
            "response_format": {"type": "text"},
            "metadata": {"job": "7"},
        }
    ]


# Azure 2024-05-01-preview has neither parallel_tool_calls nor json_schema response formats.
@pytest.mark.parametrize("dialect", ["openai", "foundry"], indirect=True)
def test_create_with_newer_options(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli)
    tid = thread(cli, "hello")
    Path("schema.json").write_text(json.dumps(SCHEMA))
    flags = (
        "--instructions",
        "Only JSON.",
        "--no-parallel-tool-calls",
        "--response-format",
        "schema.json",
    )
    run = ok(cli("runs", "create", tid, "-a", aid, *flags, "-o", "json"))
    assert (run["instructions"], run["parallel_tool_calls"], run["response_format"]) == (
        "Only JSON.",
        False,
        SCHEMA,
    )
    assert posted(cassette, "/runs") == [
        {
            "assistant_id": aid,
            "instructions": "Only JSON.",
            "parallel_tool_calls": False,
            "response_format": SCHEMA,
        }
    ]


# Only OpenAI's spec has tool_choice "required".
@pytest.mark.parametrize("dialect", ["openai"], indirect=True)
def test_tool_choice_required(cli: Runner, cassette: Recorder) -> None:
    aid = weather_assistant(cli)
    tid = thread(cli, "hello")
    run = ok(
        cli(
            "runs",
            "create",
            tid,
            "-a",
            aid,
            "--tool-choice",
            "required",
            "--parallel-tool-calls",
            "-o",
            "json",
        )
    )
    assert (run["tool_choice"], run["parallel_tool_calls"]) == ("required", True)
    assert posted(cassette, "/runs") == [
        {"assistant_id": aid, "tool_choice": "required", "parallel_tool_calls": True}
    ]


def test_lifecycle_list_and_update(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli)
    tid = thread(cli, "hello")
    run = ok(cli("runs", "create", tid, "-a", aid, "-o", "json"))
    assert [status(cli, tid, run["id"]) for _ in range(3)] == [
        "in_progress",
        "completed",
        "completed",
    ]
    updated = ok(cli("runs", "update", tid, run["id"], "--metadata", "reviewed=yes", "-o", "json"))
    assert (updated["status"], updated["metadata"]) == ("completed", {"reviewed": "yes"})
    listed = cli("runs", "list", tid, "-o", "table")
    width = len(run["id"])
    assert (listed.exit_code, listed.stderr) == (0, "")
    assert listed.stdout == (
        f"{'ID':{width}}  STATUS     {'ASSISTANT':{len(aid)}}  MODEL   CREATED\n"
        f"{run['id']}  completed  {aid}  gpt-4o  {human(run['created_at'])}\n"
    )
    shown = cli("runs", "get", tid, run["id"], "-o", "table")
    assert shown.stdout == (
        f"ID          {run['id']}\n"
        "STATUS      completed\n"
        f"ASSISTANT   {aid}\n"
        "MODEL       gpt-4o\n"
        f"CREATED     {human(run['created_at'])}\n"
        f"THREAD      {tid}\n"
        "TOOL CALLS\n"
        "LAST ERROR\n"
        'USAGE       {"prompt_tokens": 1, "completion_tokens": 3, "total_tokens": 4}\n'
        'METADATA    {"reviewed": "yes"}\n'
    )
    assert posted(cassette, f"/{run['id']}") == [{"metadata": {"reviewed": "yes"}}]


def test_cancel(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli)
    tid = thread(cli, "hello")
    rid = ok(cli("runs", "create", tid, "-a", aid, "-o", "json"))["id"]
    cancelling = ok(cli("runs", "cancel", tid, rid, "-o", "json"))
    assert (cancelling["id"], cancelling["status"]) == (rid, "cancelling")
    assert status(cli, tid, rid) == "cancelled"
    again = cli("runs", "cancel", tid, rid)
    assert (again.exit_code, again.stdout) == (1, "")
    assert again.stderr == "Error: Cannot cancel run with status 'cancelled'\n"


def test_submit_tool_outputs_from_flags(cli: Runner, cassette: Recorder) -> None:
    aid = weather_assistant(cli)
    tid = thread(cli, "please call get_weather")
    rid = ok(cli("runs", "create", tid, "-a", aid, "-o", "json"))["id"]
    assert [status(cli, tid, rid) for _ in range(2)] == ["in_progress", "requires_action"]
    waiting = ok(cli("runs", "get", tid, rid, "-o", "json"))
    call = waiting["required_action"]["submit_tool_outputs"]["tool_calls"][0]
    assert (call["type"], call["function"]) == (
        "function",
        {"name": "get_weather", "arguments": "{}"},
    )
    shown = cli(
        "runs",
        "get",
        tid,
        rid,
        "-o",
        "id",
        "-q",
        "required_action.submit_tool_outputs.tool_calls[].id",
    )
    assert shown.stdout == f"{call['id']}\n"
    resumed = ok(
        cli(
            "runs",
            "submit-tool-outputs",
            tid,
            rid,
            "--tool-output",
            f"{call['id']}=sunny, 21 C",
            "-o",
            "json",
        )
    )
    assert (resumed["status"], resumed["required_action"]) == ("in_progress", None)
    assert status(cli, tid, rid) == "completed"
    reply = ok(cli("messages", "list", tid, "--run", rid, "-q", "[0].content[0].text.value"))
    assert reply == "Tool outputs: get_weather returned 'sunny, 21 C'"
    assert posted(cassette, "/submit_tool_outputs") == [
        {"tool_outputs": [{"tool_call_id": call["id"], "output": "sunny, 21 C"}]}
    ]


def test_run_table_shows_the_tool_calls(cli: Runner, cassette: Recorder) -> None:
    aid = weather_assistant(cli)
    tid = thread(cli, 'call get_weather {"city": "Oslo"} and call get_weather {"city": "Rome"}')
    run = ok(cli("runs", "create", tid, "-a", aid, "-o", "json"))
    assert status(cli, tid, run["id"]) == "in_progress"
    shown = cli("runs", "get", tid, run["id"], "-o", "table")
    waiting = ok(cli("runs", "get", tid, run["id"], "-o", "json"))
    first, second = (
        c["id"] for c in waiting["required_action"]["submit_tool_outputs"]["tool_calls"]
    )
    assert shown.stdout.splitlines()[1:2] + shown.stdout.splitlines()[6:8] == [
        "STATUS      requires_action",
        f'TOOL CALLS  {first} get_weather({{"city":"Oslo"}})',
        f'            {second} get_weather({{"city":"Rome"}})',
    ]
    Path("outputs.json").write_text(json.dumps({first: "cold", second: "warm"}))
    resumed = ok(
        cli(
            "runs",
            "submit-tool-outputs",
            tid,
            run["id"],
            "--outputs-file",
            "outputs.json",
            "-o",
            "json",
        )
    )
    assert resumed["status"] == "in_progress"
    assert posted(cassette, "/submit_tool_outputs") == [
        {
            "tool_outputs": [
                {"tool_call_id": first, "output": "cold"},
                {"tool_call_id": second, "output": "warm"},
            ]
        }
    ]


def test_submit_tool_outputs_runs_the_tool_handler(cli: Runner, cassette: Recorder) -> None:
    aid = weather_assistant(cli)
    tid = thread(cli, 'call get_weather {"city": "Oslo"} and call get_weather {"city": "Rome"}')
    rid = ok(cli("runs", "create", tid, "-a", aid, "-o", "json"))["id"]
    assert status(cli, tid, rid) == "in_progress"
    calls = ok(cli("runs", "get", tid, rid, "-q", "required_action.submit_tool_outputs.tool_calls"))
    Path("answer.sh").write_text(
        '#!/bin/sh\nprintf \'%s in %s\' "$ASST_TOOL_NAME" "$ASST_TOOL_ARGUMENTS"\n'
    )
    Path("answer.sh").chmod(0o755)
    resumed = cli(
        "runs", "submit-tool-outputs", tid, rid, "--tool-handler", "./answer.sh", "-q", "status"
    )
    assert (resumed.exit_code, resumed.stdout, resumed.stderr) == (0, '"in_progress"\n', "")
    assert posted(cassette, "/submit_tool_outputs") == [
        {
            "tool_outputs": [
                {"tool_call_id": c["id"], "output": f"get_weather in {c['function']['arguments']}"}
                for c in calls
            ]
        }
    ]
    again = cli("runs", "submit-tool-outputs", tid, rid, "--tool-handler", "./answer.sh")
    assert (again.exit_code, again.stdout) == (1, "")
    assert again.stderr == (
        f"Error: run {rid} waits for no tool calls (it is completed) "
        "(see 'asst runs get' for its state)\n"
    )


def test_submit_tool_outputs_from_stdin(cli: Runner, cassette: Recorder) -> None:
    aid = weather_assistant(cli)
    tid = thread(cli, "call get_weather")
    rid = ok(cli("runs", "create", tid, "-a", aid, "-o", "json"))["id"]
    assert [status(cli, tid, rid) for _ in range(2)] == ["in_progress", "requires_action"]
    call_id = ok(
        cli("runs", "get", tid, rid, "-q", "required_action.submit_tool_outputs.tool_calls[0].id")
    )
    outputs = json.dumps([{"tool_call_id": call_id, "output": '{"temp": 3}'}])
    resumed = cli(
        "runs", "submit-tool-outputs", tid, rid, "--outputs-file", "-", "-o", "tsv", stdin=outputs
    )
    assert (resumed.exit_code, resumed.stderr) == (0, "")
    assert resumed.stdout.startswith(f"{rid}\tin_progress\t{aid}\tgpt-4o\t")
    late = cli("runs", "submit-tool-outputs", tid, rid, "--tool-output", f"{call_id}=again")
    assert (late.exit_code, late.stderr) == (
        1,
        'Error: Runs in status "in_progress" do not accept tool outputs\n',
    )


def test_get_missing_exits_3(cli: Runner, cassette: Recorder) -> None:
    tid = thread(cli, "hello")
    result = cli("runs", "get", tid, "run_missing")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == f"Error: No run found with id 'run_missing' {NOT_FOUND_HINT}\n"


def test_rejected_credential_exits_4(
    cli: Runner, cassette: Recorder, rejected_credential: None
) -> None:
    result = cli("runs", "create", "thread_abc", "-a", "asst_abc")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr.endswith("(check the credential with 'asst auth status --check')\n")


def test_unknown_assistant_exits_3(cli: Runner, cassette: Recorder) -> None:
    tid = thread(cli, "hello")
    result = cli("runs", "create", tid, "-a", "asst_missing")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == f"Error: No assistant found with id 'asst_missing' {NOT_FOUND_HINT}\n"


# -- bad local input: exit 2 before any request ------------------------------------------------


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    # Any request would fail with exit 75; exit 2 proves validation happened first.
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unused-0000")
    monkeypatch.setenv("ASST_MAX_RETRIES", "0")


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize(
    ("flags", "stderr"),
    [
        (
            ("--instructions", "a", "--additional-instructions", "b"),
            "Error: --instructions and --additional-instructions both given (use --instructions to replace the assistant's, or --additional-instructions to append to them)\n",
        ),
        (
            ("--tool-choice", "function:bad name"),
            "Error: --tool-choice: 'bad name' is not a function name (use 1-64 letters, digits, '_' or '-')\n",
        ),
        (
            ("--tool-choice", "browser"),
            "Error: --tool-choice: unknown choice 'browser' (use one of: auto, none, required, code_interpreter, file_search or function:NAME)\n",
        ),
        (
            ("--truncation", "last_messages"),
            "Error: --truncation: expected auto or last_messages:N, got 'last_messages' (N is a whole number of messages, at least 1)\n",
        ),
        (
            ("--truncation", "last_messages:x"),
            "Error: --truncation: expected auto or last_messages:N, got 'last_messages:x' (N is a whole number of messages, at least 1)\n",
        ),
        (
            ("--response-format", "xml"),
            "Error: --response-format xml: no such file (check the path)\n",
        ),
        (
            ("--response-format", "bad.json"),
            "Error: --response-format: type must be text, json_object or json_schema\n",
        ),
        (
            ("--temperature", "3"),
            "Error: Invalid value for '--temperature': Input should be less than or equal to 2 (see 'asst runs create --help')\n",
        ),
        (
            ("--max-prompt-tokens", "255"),
            "Error: Invalid value for '--max-prompt-tokens': Input should be greater than or equal to 256 (see 'asst runs create --help')\n",
        ),
        (
            ("-m", "x" * 65 + "=v"),
            f"Error: --metadata: key '{'x' * 20}...' is longer than 64 characters\n",
        ),
        (("-a", " "), "Error: --assistant is empty (pass the id of an existing assistant)\n"),
        (("--tool", "f=./f.sh"), f"Error: --tool {NOT_FOLLOWED}"),
        (("--tool-handler", "./f.sh"), f"Error: --tool-handler {NOT_FOLLOWED}"),
        (("--tool-errors", "abort"), f"Error: --tool-errors {NOT_FOLLOWED}"),
        (("--timeout", "5"), f"Error: --timeout {NOT_FOLLOWED}"),
    ],
)
def test_bad_run_options(cli: Runner, flags: tuple[str, ...], stderr: str) -> None:
    Path("bad.json").write_text('{"type": "xml"}')
    args = (
        ("runs", "create", "thread_1", *flags)
        if "-a" in flags
        else ("runs", "create", "thread_1", "-a", "asst_1", *flags)
    )
    result = cli(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize(
    ("flags", "stdin", "stderr"),
    [
        (
            (),
            "",
            "Error: no tool outputs given (pass --tool-output CALL_ID=TEXT (repeatable), "
            "--outputs-file FILE, or --tool-handler COMMAND to answer them by running it)\n",
        ),
        (
            ("--tool-output", "call_1"),
            "",
            "Error: --tool-output expects CALL_ID=TEXT, got 'call_1' "
            "(e.g. --tool-output call_abc123=42)\n",
        ),
        (
            ("--tool-output", "=x"),
            "",
            "Error: --tool-output expects CALL_ID=TEXT, got '=x' (e.g. --tool-output call_abc123=42)\n",
        ),
        (
            ("--tool-output", "call_1=a", "--tool-output", "call_1=b"),
            "",
            "Error: tool call 'call_1' is answered twice (give each output once)\n",
        ),
        (
            ("--tool-output", "call_1=a", "--outputs-file", "out.json"),
            "",
            "Error: --tool-output and --outputs-file both given (give the tool outputs one way)\n",
        ),
        (
            ("--outputs-file", "missing.json"),
            "",
            "Error: --outputs-file missing.json: no such file (check the path)\n",
        ),
        (
            ("--outputs-file", "-"),
            "not json",
            "Error: --outputs-file -: stdin is not JSON (Expecting value: line 1 column 1 (char 0))\n",
        ),
        (
            ("--outputs-file", "-"),
            "42",
            "Error: --outputs-file -: expected a list or a mapping, got a whole number\n",
        ),
        (("--outputs-file", "-"), "[]", "Error: --outputs-file -: no tool outputs in the file\n"),
        (
            ("--outputs-file", "-"),
            '{"call_1": {"temp": 3}}',
            "Error: --outputs-file -: the output for 'call_1' must be a string, got a mapping\n",
        ),
        (
            ("--outputs-file", "-"),
            '[{"tool_call_id": "call_1"}]',
            "Error: --outputs-file -: item 0: expected a mapping with exactly tool_call_id and output\n",
        ),
        (
            ("--outputs-file", "-"),
            '[{"tool_call_id": "", "output": "x"}]',
            "Error: --outputs-file -: item 0: tool_call_id must be a non-empty string\n",
        ),
        (
            ("--outputs-file", "-"),
            '[{"tool_call_id": "c", "output": "x"}, {"tool_call_id": "c", "output": "y"}]',
            "Error: tool call 'c' is answered twice (give each output once)\n",
        ),
        (
            ("--tool-output", "call_1=a", "--tool-handler", "./answer.sh"),
            "",
            "Error: --tool and --tool-handler answer the pending calls only when no "
            "--tool-output or --outputs-file is given (drop one of them, or add --stream to "
            "answer later calls with the handler)\n",
        ),
        (
            ("-f", "out.json"),
            "",
            "Error: No such option: -f (see 'asst runs submit-tool-outputs --help')\n",
        ),
    ],
)
def test_bad_tool_outputs(cli: Runner, flags: tuple[str, ...], stdin: str, stderr: str) -> None:
    Path("out.json").write_text('{"call_1": "x"}')
    result = cli("runs", "submit-tool-outputs", "thread_1", "run_1", *flags, stdin=stdin)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)


@pytest.mark.usefixtures("offline")
def test_update_needs_metadata(cli: Runner) -> None:
    result = cli("runs", "update", "thread_1", "run_1")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: nothing to update (pass --metadata KEY=VALUE)\n",
    )
