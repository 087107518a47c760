"""asst assistants, end to end against each dialect (replayed from cassettes)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness import FakeServer, Recorder, Runner

ID = re.compile(r"^asst_[A-Za-z0-9]{24}$")
T0 = 1767225600  # the engine's deterministic clock starts at 2026-01-01T00:00:00Z


def sent(recorder: Recorder, index: int) -> Any:
    body = recorder.requests[index].body
    return json.loads(body) if body else None


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.json()


def make(cli: Runner, name: str, *flags: str) -> dict[str, Any]:
    created: dict[str, Any] = ok(
        cli("assistants", "create", "--name", name, "--model", "gpt-4o", *flags, "-o", "json")
    )
    assert ID.match(created["id"])
    return created


def test_create_from_flags(cli: Runner, cassette: Recorder) -> None:
    Path("prompt.md").write_text("Answer briefly.\n")
    created = make(
        cli,
        "helper",
        "--instructions-file",
        "prompt.md",
        "--description",
        "Helps",
        "--tool",
        "code_interpreter",
        "--temperature",
        "0.5",
        "--metadata",
        "team=docs",
        "--metadata",
        "tier=1",
    )
    body = {
        "name": "helper",
        "model": "gpt-4o",
        "description": "Helps",
        "instructions": "Answer briefly.\n",
        "tools": [{"type": "code_interpreter"}],
        "temperature": 0.5,
        "metadata": {"team": "docs", "tier": "1"},
    }
    assert sent(cassette, 0) == body
    assert {k: created[k] for k in body} == body
    assert (created["object"], created["created_at"]) == ("assistant", T0)


def test_create_from_yaml_flags_win_and_commands_stay_local(
    cli: Runner, cassette: Recorder
) -> None:
    defs = Path("defs")
    defs.mkdir()
    (defs / "prompt.md").write_text("Use the weather tool.")
    (defs / "bot.yaml").write_text(
        "kind: assistant\n"
        "name: from-file\n"
        "model: gpt-4o-mini\n"
        "instructions_file: prompt.md\n"
        "tools:\n"
        "  - file_search\n"
        "  - type: function\n"
        "    command: ./weather.sh\n"
        "    function:\n"
        "      name: get_weather\n"
        "      description: Weather for a city\n"
        "      parameters: {type: object, properties: {city: {type: string}}, required: [city]}\n"
        "metadata: {team: ops}\n"
    )
    created = ok(
        cli(
            "assistants",
            "create",
            "-f",
            "defs/bot.yaml",
            "--name",
            "from-flag",
            "-m",
            "env=ci",
            "-o",
            "json",
        )
    )
    assert [r.method for r in cassette.requests] == ["GET", "POST"]  # is the identity free?
    assert sent(cassette, 1) == {
        "name": "from-flag",
        "model": "gpt-4o-mini",
        "instructions": "Use the weather tool.",
        "tools": [
            {"type": "file_search"},
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "parameters": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}},
                        "required": ["city"],
                    },
                },
            },
        ],
        "metadata": {"team": "ops", "env": "ci", "asst-name": "from-flag"},
    }
    assert created["name"] == "from-flag"
    assert [t["type"] for t in created["tools"]] == ["file_search", "function"]


def test_create_from_a_file_is_the_assistant_run_f_and_apply_find(
    cli: Runner, cassette: Recorder
) -> None:
    Path("bot.yaml").write_text("name: data-viz\nmodel: gpt-4o\n")
    created = ok(cli("assistants", "create", "-f", "bot.yaml", "-o", "json"))
    assert created["metadata"] == {"asst-name": "data-viz"}
    again = cli("assistants", "create", "-f", "bot.yaml")
    assert (again.exit_code, again.stdout) == (2, "")
    assert again.stderr == (
        f"Error: assistant/data-viz exists already ({created['id']}) (bring it in line with "
        "'asst apply -f FILE', or pass --name to create another)\n"
    )
    ran = cli("run", "-f", "bot.yaml", "hello", "-o", "json")
    assert (ran.exit_code, ran.json()["assistant_id"]) == (0, created["id"])
    Path("set.yaml").write_text("kind: assistant\nname: data-viz\nmodel: gpt-4o\n")
    applied = cli("apply", "-f", "set.yaml", "-o", "text")
    assert (applied.exit_code, applied.stdout) == (
        0,
        f"assistant/data-viz unchanged ({created['id']})\n",
    )
    listed = cli("assistants", "list", "-o", "id")
    assert listed.stdout == f"{created['id']}\n"


def test_flags_merge_into_the_file_by_key(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    Path("bot.yaml").write_text(
        "name: bot\nmodel: m\ntools: [file_search, {type: function, function: {name: f}}]\n"
        "metadata: {team: ops, tier: '1'}\n"
    )
    Path("f.json").write_text('{"name": "f", "description": "new"}')
    fake = FakeServer(monkeypatch)
    bodies: list[Any] = []
    fake.posted["assistants"] = lambda body: bodies.append(body) or {"id": "asst_1", **body}
    flags = ("--tool", "code_interpreter", "--function", "f.json", "-m", "tier=2")
    result = cli("assistants", "create", "-f", "bot.yaml", *flags, "-o", "id")
    assert (result.exit_code, result.stdout) == (0, "asst_1\n")
    [body] = bodies
    # Each flag takes the place of the file's entry with its key (tool type, function name,
    # metadata key); the file's other entries stay.
    assert body["tools"] == [
        {"type": "file_search"},
        {"type": "function", "function": {"name": "f", "description": "new"}},
        {"type": "code_interpreter"},
    ]
    assert body["metadata"] == {"team": "ops", "tier": "2", "asst-name": "bot"}


def test_list_in_every_format(cli: Runner, cassette: Recorder) -> None:
    a = make(cli, "alpha", "--tool", "code_interpreter")["id"]
    b = make(cli, "beta")["id"]
    listed = ok(cli("assistants", "list", "-o", "json"))
    assert [x["id"] for x in listed] == [b, a]
    assert cli("assistants", "list", "-o", "id").stdout == f"{b}\n{a}\n"
    lines = cli("assistants", "list", "-o", "jsonl").stdout.splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["beta", "alpha"]
    assert cli("assistants", "list", "-o", "tsv").stdout == (
        f"{b}\tbeta\tgpt-4o\t\t2026-01-01T00:00:01Z\n{a}\talpha\tgpt-4o\tcode_interpreter\t2026-01-01T00:00:00Z\n"
    )
    assert cli("assistants", "list", "-o", "table").stdout == (
        f"ID{' ' * 29}NAME   MODEL   TOOLS             CREATED\n"
        f"{b}  beta   gpt-4o                    2026-01-01 00:00:01\n"
        f"{a}  alpha  gpt-4o  code_interpreter  2026-01-01 00:00:00\n"
    )
    assert cli("assistants", "list", "-o", "yaml", "-q", "[].name").stdout == "- beta\n- alpha\n"
    assert cli("assistants", "list", "-q", "[?name=='alpha'].id | [0]").stdout == f'"{a}"\n'
    assert cli("assistants", "list", "-o", "none").stdout == ""


def test_pages_and_all(cli: Runner, cassette: Recorder) -> None:
    ids = [make(cli, f"a{i}")["id"] for i in range(3)]
    first = cli("assistants", "list", "--limit", "2", "--order", "asc", "-o", "table")
    assert first.exit_code == 0
    assert first.stderr == (
        f"More assistants exist: repeat with --after {ids[1]} for the next page, "
        "or with --all for every page.\n"
    )
    every = cli("assistants", "list", "--all", "--limit", "2", "--order", "asc", "-o", "id")
    assert every.stdout == "".join(f"{i}\n" for i in ids)
    pages = [r.uri for r in cassette.requests if r.method == "GET"]
    assert len(pages) == 3
    assert f"after={ids[1]}" in pages[2]


def test_get_and_update(cli: Runner, cassette: Recorder) -> None:
    created = make(cli, "old", "--metadata", "keep=no")
    updated = ok(
        cli("assistants", "update", created["id"], "--name", "new", "--top-p", "0.9", "-o", "json")
    )
    assert sent(cassette, 1) == {"name": "new", "top_p": 0.9}
    assert (updated["name"], updated["top_p"], updated["metadata"]) == ("new", 0.9, {"keep": "no"})
    shown = cli("assistants", "get", created["id"], "-o", "table")
    assert shown.stdout == (
        f"ID            {created['id']}\n"
        "NAME          new\n"
        "MODEL         gpt-4o\n"
        "TOOLS\n"
        "CREATED       2026-01-01 00:00:00\n"
        "DESCRIPTION\n"
        "INSTRUCTIONS\n"
        'METADATA      {"keep": "no"}\n'
    )


def test_get_missing_exits_3_with_the_server_message(cli: Runner, cassette: Recorder) -> None:
    result = cli("assistants", "get", "asst_missing")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == (
        "Error: No assistant found with id 'asst_missing' "
        "(check the id, or list what exists with the matching 'list' command)\n"
    )


def test_error_as_json_when_json_is_asked(cli: Runner, cassette: Recorder) -> None:
    result = cli("assistants", "get", "asst_missing", "-o", "json")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert json.loads(result.stderr) == {
        "error": {
            "message": "No assistant found with id 'asst_missing'.",
            "exit_code": 3,
            "hint": "check the id, or list what exists with the matching 'list' command",
            "status": 404,
        }
    }


def test_delete_many_reports_each_failure(cli: Runner, cassette: Recorder) -> None:
    a = make(cli, "one")["id"]
    b = make(cli, "two")["id"]
    result = cli("assistants", "delete", a, "asst_gone", b, "-o", "tsv")
    assert result.exit_code == 3
    assert result.stdout == f"{a}\ttrue\n{b}\ttrue\n"
    assert result.stderr == (
        "Error: No assistant found with id 'asst_gone' "
        "(check the id, or list what exists with the matching 'list' command)\n"
        "Error: 1 of 3 deletions failed (the errors above name each one)\n"
    )
    assert ok(cli("assistants", "list", "-o", "json")) == []


def test_rejected_credential_exits_4(
    cli: Runner, cassette: Recorder, rejected_credential: None
) -> None:
    result = cli("assistants", "list")
    assert result.exit_code == 4
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert result.stderr.endswith("(check the credential with 'asst auth status --check')\n")


def test_server_validation_error_exits_1(cli: Runner, cassette: Recorder) -> None:
    result = cli("assistants", "create", "--model", "gpt-4o", "--vector-store", "vs_missing")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "vs_missing" in result.stderr


def test_auth_status_check_makes_one_request(cli: Runner, cassette: Recorder, dialect: str) -> None:
    found = ok(cli("auth", "status", "--check", "-o", "json"))
    assert (found["backend"], found["check"]) == (dialect, "ok")
    assert [r.method for r in cassette.requests] == ["GET"]
    assert "limit=1" in cassette.requests[0].uri
