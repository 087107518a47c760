"""--debug adds output and never changes the exit code; global options work after the command."""

from __future__ import annotations

import pytest

from asst_cli.app import hoist_globals

from harness import Runner

NO_ASSISTANT = (
    "Error: name the assistant with --assistant ID or -f FILE (one of them) "
    '(e.g. asst run --assistant asst_abc123 "Hello")\n'
)


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_adds_a_traceback_and_keeps_the_exit_code(cli: Runner, where: str) -> None:
    args = ["--debug", "run", "hello"] if where == "before" else ["run", "hello", "--debug"]
    result = cli(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert result.stderr.endswith(
        "asst_cli.errors.UsageError: name the assistant with "
        "--assistant ID or -f FILE (one of them)\n" + NO_ASSISTANT
    )


def test_without_debug_the_same_error_is_one_line(cli: Runner) -> None:
    result = cli("run", "hello")
    assert (result.exit_code, result.stderr) == (2, NO_ASSISTANT)


def test_global_options_after_the_command_move_before_it() -> None:
    assert hoist_globals(
        ["runs", "get", "t", "r", "--max-retries", "0", "--endpoint=http://x", "--debug"]
    ) == ["--max-retries", "0", "--endpoint=http://x", "--debug", "runs", "get", "t", "r"]
    assert hoist_globals(["run", "-a", "a", "--", "--debug"]) == ["run", "-a", "a", "--", "--debug"]
