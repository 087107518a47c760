"""One real scenario per documented exit code, and the README's table kept equal to the enum."""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from asst_cli.errors import ExitCode

from harness import ROOT, Recorder, Runner

FAST = ("--interval", "0.05")


def _assistant(cli: Runner, *flags: str) -> str:
    return cli("assistants", "create", "--model", "gpt-4o", *flags, "-o", "id").stdout.strip()


def _run(prompt: str, *flags: str) -> Callable[[Runner], int]:
    def scenario(cli: Runner) -> int:
        return cli("run", "--wait", *FAST, "-a", _assistant(cli), prompt, *flags).exit_code

    return scenario


def _tool_call(cli: Runner) -> int:
    Path("fn.json").write_text(
        json.dumps({"name": "f", "description": "d", "parameters": {"type": "object"}})
    )
    return cli(
        "run", "--wait", *FAST, "-a", _assistant(cli, "--function", "fn.json"), "call f"
    ).exit_code


def _interrupted(cli: Runner) -> int:
    def interrupt(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("asst_cli.api.get_response", interrupt)
        return _run("hello")(cli)


def _terminated(cli: Runner) -> int:
    def terminate(*_: object, **__: object) -> None:
        signal.raise_signal(signal.SIGTERM)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("asst_cli.api.get_response", terminate)
        return _run("hello")(cli)


SCENARIOS: dict[ExitCode, Callable[[Runner], int]] = {
    ExitCode.OK: lambda cli: cli("assistants", "list").exit_code,
    ExitCode.ERROR: lambda cli: (
        cli("assistants", "create", "--model", "m", "--vector-store", "vs_missing").exit_code
    ),
    ExitCode.USAGE: lambda cli: cli("assistants", "list", "--limit", "0").exit_code,
    ExitCode.NOT_FOUND: lambda cli: cli("assistants", "get", "asst_missing").exit_code,
    ExitCode.AUTH: lambda cli: cli("--profile", "bad", "assistants", "list").exit_code,
    ExitCode.RUN_FAILED: _run("please fail"),
    ExitCode.RUN_INCOMPLETE: _run("please expire"),
    ExitCode.REQUIRES_ACTION: _tool_call,
    ExitCode.TEMPORARY: lambda cli: (
        cli("--max-retries", "0", "runs", "wait", "thread_x", "run_x", *FAST).exit_code
    ),
    ExitCode.DEADLINE: _run("please hang", "--timeout", "0.4"),
    ExitCode.INTERRUPTED: _interrupted,
    ExitCode.TERMINATED: _terminated,
}
ENGINE = {ExitCode.TEMPORARY: {"fail_every_500": 1}}


def test_every_code_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(ExitCode)


@pytest.fixture
def rejected_profile(cli: Runner) -> None:
    cli("--profile", "bad", "config", "set", "endpoint", "http://127.0.0.1:8787/v1")
    cli("--profile", "bad", "config", "set", "api_key", "rejected")


@pytest.mark.repeats
@pytest.mark.parametrize("dialect", ["openai"], indirect=True)
@pytest.mark.parametrize("code", list(SCENARIOS), ids=[c.name.lower() for c in SCENARIOS])
def test_exit_code(
    cli: Runner,
    dialect: str,
    rejected_profile: None,
    request: pytest.FixtureRequest,
    code: ExitCode,
) -> None:
    request.node.add_marker(pytest.mark.engine(**ENGINE.get(code, {})))
    recorder: Recorder = request.getfixturevalue("cassette")
    assert recorder.path.name == f"test_exit_code[{code.name.lower()}-openai].yaml"
    assert SCENARIOS[code](cli) == code


def test_readme_table_matches_the_enum() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(n) for n in re.findall(r"^\| (\d+) \|", section, flags=re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode}
