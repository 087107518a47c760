"""asst run: the one-shot, its exit codes, and function tools answered by local commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import Recorder, Runner

FAST = ("--interval", "0.05")
WEATHER = {
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def assistant(cli: Runner, *flags: str) -> str:
    result = cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", *flags, "-o", "id")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def weather_assistant(cli: Runner) -> str:
    Path("fn.json").write_text(json.dumps(WEATHER))
    return assistant(cli, "--function", "fn.json")


def script(name: str, body: str) -> str:
    path = Path(name)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path.resolve())


UNFOLLOWED = "applies only to a run asst follows (add --wait (or --stream), or drop it)\n"


def sent_bodies(recorder: Recorder, suffix: str) -> list[Any]:
    return [
        json.loads(r.body)
        for r in recorder.requests
        if r.method == "POST" and r.path.endswith(suffix)
    ]


def test_without_wait_prints_the_run(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli)
    result = cli("run", "-a", aid, "hello", "-o", "json")
    assert result.exit_code == 0, result.stderr
    run = result.json()
    assert (run["object"], run["status"], run["assistant_id"]) == ("thread.run", "queued", aid)
    assert sent_bodies(cassette, "/threads/runs") == [
        {"assistant_id": aid, "thread": {"messages": [{"role": "user", "content": "hello"}]}}
    ]


@pytest.mark.parametrize("mode", ["--wait", "--stream"])
def test_additional_instructions_on_a_new_thread(
    cli: Runner, cassette: Recorder, mode: str
) -> None:
    aid = assistant(cli, "--instructions", "Be kind.")
    flags = ("--additional-instructions", "Be brief.", "-o", "json")
    result = cli("run", mode, *FAST, "-a", aid, *flags, "hello")
    assert (result.exit_code, result.stderr) == (0, "")
    found = result.json()
    thread = found["thread_id"]
    assert found["run"]["instructions"] == "Be kind.\n\nBe brief."
    assert sent_bodies(cassette, "/threads") == [
        {"messages": [{"role": "user", "content": "hello"}]}
    ]
    runs = sent_bodies(cassette, f"/threads/{thread}/runs")
    extra = {"stream": True} if mode == "--stream" else {}
    assert runs == [{"assistant_id": aid, "additional_instructions": "Be brief.", **extra}]
    assert sent_bodies(cassette, "/threads/runs") == []


def test_wait_prints_the_reply_as_text(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli)
    result = cli("run", "--wait", *FAST, "-o", "text", "-a", aid, "Summarise the incidents")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "You said: Summarise the incidents\n",
        "",
    )


def test_wait_json_has_thread_run_and_messages(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli)
    result = cli("run", "--wait", *FAST, "-o", "json", "-a", aid, "hi")
    assert result.exit_code == 0, result.stderr
    found = result.json()
    assert found["run"]["status"] == "completed"
    assert found["thread_id"] == found["run"]["thread_id"]
    assert [(m["role"], m["content"][0]["text"]["value"]) for m in found["messages"]] == [
        ("assistant", "You said: hi")
    ]


def test_message_from_stdin_and_continue(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli)
    first = cli("run", "--wait", *FAST, "-o", "json", "-a", aid, "-", stdin="first question\n")
    assert first.exit_code == 0, first.stderr
    thread = first.json()["thread_id"]
    second = cli("run", "--wait", *FAST, "-o", "text", "-a", aid, "-c", "second")
    assert (second.exit_code, second.stdout) == (0, "You said: second\n")
    assert sent_bodies(cassette, f"/threads/{thread}/messages") == [
        {"role": "user", "content": "second"}
    ]


@pytest.mark.parametrize(
    ("prompt", "code", "message"),
    [
        ("please fail", 5, "the run failed: server_error: Sorry, something went wrong."),
        ("please expire", 6, "the run ended expired"),
        ("please stop early", 6, "the run ended incomplete (max_completion_tokens)"),
    ],
    ids=["failed", "expired", "incomplete"],
)
def test_run_outcomes_map_to_exit_codes(
    cli: Runner, cassette: Recorder, prompt: str, code: int, message: str
) -> None:
    aid = assistant(cli)
    result = cli("run", "--wait", *FAST, "-o", "json", "-a", aid, prompt)
    assert result.exit_code == code
    run = result.json()["run"]
    error = json.loads(result.stderr)["error"]
    assert (error["message"], error["exit_code"]) == (message, code)
    assert error["hint"] == f"inspect it with 'asst runs get {run['thread_id']} {run['id']}'"


def test_unanswered_tool_call_exits_8_and_prints_the_calls(cli: Runner, cassette: Recorder) -> None:
    aid = weather_assistant(cli)
    result = cli("run", "--wait", *FAST, "-a", aid, 'call get_weather {"city": "Oslo"}')
    assert result.exit_code == 8
    calls = result.json()
    assert [(c["name"], c["arguments"]) for c in calls] == [("get_weather", '{"city":"Oslo"}')]
    assert calls[0]["call_id"].startswith("call_")
    assert "asst runs submit-tool-outputs" in result.stderr


def test_tool_round_through_a_local_command(cli: Runner, cassette: Recorder) -> None:
    aid = weather_assistant(cli)
    tool = script("weather.sh", 'cat > call.json\necho "sunny in $ASST_TOOL_NAME land"\n')
    result = cli(
        "run",
        "--wait",
        *FAST,
        "-o",
        "text",
        "-a",
        aid,
        "--tool",
        f"get_weather={tool}",
        'call get_weather {"city": "Oslo"}',
    )
    assert result.exit_code == 0, result.stderr
    assert "get_weather returned 'sunny in get_weather land\\n'" in result.stdout
    call = json.loads(Path("call.json").read_text())
    assert (call["name"], call["arguments"]) == ("get_weather", '{"city":"Oslo"}')
    assert set(call) == {"name", "arguments", "call_id", "thread_id", "run_id"}


def test_definition_file_commands_answer_tools(cli: Runner, cassette: Recorder) -> None:
    Path("tools").mkdir()
    script("tools/weather.sh", 'echo "rain"\n')
    Path("bot.yaml").write_text(
        "name: weather-bot\nmodel: gpt-4o\ntools:\n  - type: function\n    command: tools/weather.sh\n"
        "    function:\n      name: get_weather\n      description: Weather\n"
        "      parameters: {type: object, properties: {}}\n"
    )
    first = cli("run", "--wait", *FAST, "-o", "text", "-f", "bot.yaml", "call get_weather")
    assert first.exit_code == 0, first.stderr
    assert "get_weather returned 'rain\\n'" in first.stdout
    second = cli("run", "--wait", *FAST, "-o", "text", "-f", "bot.yaml", "again")
    assert (second.exit_code, second.stdout) == (0, "You said: again\n")
    created = sent_bodies(cassette, "/assistants")
    assert len(created) == 1, "the second run must reuse the assistant found by its identity"
    assert created[0]["metadata"] == {"asst-name": "weather-bot"}
    assert "command" not in json.dumps(created[0])


def test_hostile_arguments_never_reach_a_shell(cli: Runner, cassette: Recorder) -> None:
    aid = weather_assistant(cli)
    tool = script("echo.sh", "cat > call.json\necho ok\n")
    hostile = {"city": "; rm -rf / $(touch pwned) `touch pwned2` 'q' \"dq\" && echo"}
    result = cli(
        "run",
        "--wait",
        *FAST,
        "-o",
        "text",
        "-a",
        aid,
        "--tool-handler",
        tool,
        f"call get_weather {json.dumps(hostile)}",
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(json.loads(Path("call.json").read_text())["arguments"]) == hostile
    assert not Path("pwned").exists() and not Path("pwned2").exists()


def test_failing_tool_is_reported_and_the_run_goes_on(cli: Runner, cassette: Recorder) -> None:
    aid = weather_assistant(cli)
    tool = script("broken.sh", 'echo "no network" >&2\nexit 3\n')
    result = cli(
        "run",
        "--wait",
        *FAST,
        "-o",
        "text",
        "-a",
        aid,
        "--tool",
        f"get_weather={tool}",
        "call get_weather",
    )
    assert result.exit_code == 0
    outputs = sent_bodies(cassette, "/submit_tool_outputs")[0]["tool_outputs"]
    assert outputs[0]["output"] == "Error: the tool failed: exit status 3: no network"
    assert result.stderr.startswith("Tool get_weather (call_")
    assert result.stderr.endswith(") failed: exit status 3: no network\n")


def test_slow_tool_times_out(cli: Runner, cassette: Recorder) -> None:
    aid = weather_assistant(cli)
    tool = script("slow.sh", "sleep 5\necho late\n")
    result = cli(
        "run",
        "--wait",
        *FAST,
        "-o",
        "text",
        "-a",
        aid,
        "--tool",
        f"get_weather={tool}",
        "--tool-timeout",
        "0.3",
        "call get_weather",
    )
    assert result.exit_code == 0
    outputs = sent_bodies(cassette, "/submit_tool_outputs")[0]["tool_outputs"]
    assert outputs[0]["output"] == "Error: the tool failed: no answer within 0.3 s"


def test_tool_errors_abort_cancels_the_run(cli: Runner, cassette: Recorder) -> None:
    aid = weather_assistant(cli)
    tool = script("broken.sh", "exit 1\n")
    result = cli(
        "run",
        "--wait",
        *FAST,
        "-a",
        aid,
        "--tool",
        f"get_weather={tool}",
        "--tool-errors",
        "abort",
        "call get_weather",
    )
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "Error: 1 tool call(s) failed and --tool-errors is abort (the run was cancelled)\n"
    )
    assert [r.path.rsplit("/", 1)[-1] for r in cassette.requests if r.method == "POST"][
        -1
    ] == "cancel"
    assert sent_bodies(cassette, "/submit_tool_outputs") == []


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ("hello",),
            'Error: name the assistant with --assistant ID or -f FILE (one of them) (e.g. asst run --assistant asst_abc123 "Hello")\n',
        ),
        (
            ("-a", "asst_1"),
            "Error: no message text given (pass TEXT, --content-file PATH, or - to read stdin)\n",
        ),
        (
            ("-a", "asst_1", "--thread", "t", "-c", "x"),
            "Error: --thread and --continue both given (use one of them)\n",
        ),
        (
            ("-a", "asst_1", "-c", "x"),
            "Error: no earlier thread to continue at http://127.0.0.1:9/v1 (openai) (drop --continue, or pass --thread ID)\n",
        ),
        (
            ("-a", "asst_1", "--attach", "missing.csv", "x"),
            "Error: --attach missing.csv: no such file (check the path)\n",
        ),
        (
            ("-a", "asst_1", "--tool", "f=./f.sh", "x"),
            f"Error: --tool or --tool-handler {UNFOLLOWED}",
        ),
        (("-a", "asst_1", "--interval", "5", "x"), f"Error: --interval {UNFOLLOWED}"),
        (("-a", "asst_1", "--download-dir", "out", "x"), f"Error: --download-dir {UNFOLLOWED}"),
        (
            ("-a", "asst_1", "--cancel-on-interrupt", "x"),
            f"Error: --cancel-on-interrupt {UNFOLLOWED}",
        ),
        (
            ("-a", "asst_1", "--wait", "--tool", "noequals", "x"),
            "Error: --tool expects NAME=COMMAND, got 'noequals' (e.g. --tool get_weather=./weather.sh)\n",
        ),
        (
            ("-a", "asst_1", "--tool-choice", "magic", "x"),
            "Error: --tool-choice: unknown choice 'magic' (use one of: auto, none, required, code_interpreter, file_search or function:NAME)\n",
        ),
    ],
)
def test_bad_input_exits_2_before_any_request(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], stderr: str
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unused-0000")
    monkeypatch.setenv("ASST_MAX_RETRIES", "0")
    result = cli("run", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)


def test_twins_asst_left_are_settled_by_run_f(cli: Runner, cassette: Recorder) -> None:
    made = [
        cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-m", "asst-name=bot")
        for _ in range(2)
    ]
    first, second = (m.json()["id"] for m in made)
    Path("bot.yaml").write_text("name: bot\nmodel: gpt-4o\n")
    result = cli("run", "-f", "bot.yaml", "hello", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["assistant_id"] == first
    assert result.stderr == (
        f"Deleted {second}: a newer twin of {first} (asst-name=bot, same definition), left by a "
        "lost answer or two applies at once\n"
    )
