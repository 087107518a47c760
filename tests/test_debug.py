"""--debug adds output and never changes the exit code; global options work after the command."""

from __future__ import annotations

import pytest

from asst_cli.argv import hoist_globals

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


class RefusingCredential:
    """Stands in for azure-identity's DefaultAzureCredential when no sign-in works: it logs what
    it tried over many lines, as the real one does, then raises."""

    def get_token(self, scope: str) -> None:
        import logging

        logging.getLogger("azure.identity._credentials.chained").warning(
            "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
            "Attempted credentials:\n\tEnvironmentCredential: not configured"
        )
        raise RuntimeError(
            "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
            "Attempted credentials:\n\tEnvironmentCredential: not configured"
        )


@pytest.fixture
def no_entra_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    identity = types.ModuleType("azure.identity")
    identity.DefaultAzureCredential = RefusingCredential  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "azure", types.ModuleType("azure"))
    monkeypatch.setitem(sys.modules, "azure.identity", identity)
    monkeypatch.setenv("ASST_ENDPOINT", "http://127.0.0.1:9/api/projects/p")


def test_an_entra_id_failure_is_one_line(
    cli: Runner, no_entra_sign_in: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging

    # As outside pytest (which captures logs): no handler, so warnings would reach stderr.
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    result = cli("assistants", "list")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr == (
        "Error: Entra ID sign-in failed: DefaultAzureCredential failed to retrieve a token from "
        "the included credentials (run 'az login', or set ASST_TOKEN or ASST_TOKEN_COMMAND)\n"
    )


def test_debug_shows_what_azure_identity_tried(cli: Runner, no_entra_sign_in: None) -> None:
    result = cli("--debug", "assistants", "list")
    assert result.exit_code == 4
    assert "debug: azure.identity._credentials.chained: DefaultAzureCredential failed" in (
        result.stderr
    )
