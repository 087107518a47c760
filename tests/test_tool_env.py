"""Local tool commands run without the user's credentials, with arguments from the definition."""

from __future__ import annotations

from pathlib import Path

import pytest

from asst_cli.runs.toolenv import CREDENTIALS, tool_environment

from harness import DIALECT_ENV, Recorder, Runner

DEFINITION = """\
name: env-bot
model: gpt-4o
tools:
  - type: function
    command: [tools/env.sh, --units, "metric units"]
    env: [GITHUB_TOKEN]
    function:
      name: get_weather
      description: Weather
      parameters: {type: object, properties: {}}
"""


def test_a_tool_command_gets_no_credential_but_what_its_definition_passes(
    cli: Runner, cassette: Recorder, dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-passed-through")
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-not-passed")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-not-passed")
    monkeypatch.setenv("ASST_TOKEN_COMMAND", "printf not-passed")
    Path("tools").mkdir()
    script = Path("tools/env.sh")
    script.write_text('#!/bin/sh\nenv > env.txt\nprintf "%s|" "$@" > args.txt\necho rain\n')
    script.chmod(0o755)
    Path("bot.yaml").write_text(DEFINITION)
    result = cli(
        "run", "--wait", "--interval", "0.05", "-o", "text", "-f", "bot.yaml", "call get_weather"
    )
    assert result.exit_code == 0, result.stderr
    assert "get_weather returned 'rain\\n'" in result.stdout
    assert Path("args.txt").read_text() == "--units|metric units|"
    env = dict(
        line.split("=", 1) for line in Path("env.txt").read_text().splitlines() if "=" in line
    )
    assert env["GITHUB_TOKEN"] == "ghp-passed-through"
    assert env["ASST_TOOL_NAME"] == "get_weather"
    assert "PATH" in env
    removed = {"GITLAB_TOKEN", "AWS_SECRET_ACCESS_KEY", "ASST_TOKEN_COMMAND"}
    removed |= {name for name in DIALECT_ENV[dialect] if name.endswith(("_KEY", "_TOKEN"))}
    assert removed.isdisjoint(env)
    secrets = [v for k, v in DIALECT_ENV[dialect].items() if k.endswith(("_KEY", "_TOKEN"))]
    assert secrets and not any(secret in Path("env.txt").read_text() for secret in secrets)


@pytest.mark.parametrize(
    "name",
    [*sorted(CREDENTIALS), "GH_TOKEN", "STRIPE_APIKEY", "DB_PASSWORD", "AWS_SECRET_ACCESS_KEY"],
)
def test_every_kind_of_credential_is_removed(name: str) -> None:
    env = tool_environment({name: "secret", "HOME": "/home/u"}, {"name": "f"})
    assert env == {"HOME": "/home/u", "ASST_TOOL_NAME": "f"}


@pytest.mark.parametrize(
    "name", ["PATH", "LANG", "TOKENIZERS_PARALLELISM", "KEYBOARD", "ASST_PROFILE"]
)
def test_ordinary_variables_are_kept(name: str) -> None:
    assert tool_environment({name: "v"}, {}) == {name: "v"}


def test_a_command_list_must_name_a_program(cli: Runner) -> None:
    Path("bot.yaml").write_text(DEFINITION.replace('[tools/env.sh, --units, "metric units"]', "[]"))
    result = cli("assistants", "create", "-f", "bot.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: bot.yaml:5: tools.0.command: the command is empty (name a program, e.g. ./tool.sh)\n"
    )
