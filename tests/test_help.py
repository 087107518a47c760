"""Help is documentation: every command and option explains itself, and help stays light."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import typer

from asst_cli.app import app

from harness import Runner


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in subcommands.items():
            yield from walk(sub, (*path, name))
    else:
        yield path, command


LEAVES = list(walk(typer.main.get_command(app)))


def test_the_tree_is_not_empty() -> None:
    assert ("assistants", "create") in [path for path, _ in LEAVES]


@pytest.mark.parametrize(("path", "command"), LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_every_command_has_help_and_an_example(path: tuple[str, ...], command: Any) -> None:
    assert command.help, f"asst {' '.join(path)} has no help"
    assert "Example: asst " in command.help, f"asst {' '.join(path)} has no example"
    for param in command.params:
        if param.name != "help":
            assert getattr(param, "help", None), f"asst {' '.join(path)}: {param.name} has no help"


def test_help_exits_0_on_stdout(cli: Runner) -> None:
    result = cli("assistants", "list", "--help")
    assert result.exit_code == 0
    assert "Example: asst assistants list --all -o id" in result.stdout
    assert result.stderr == ""


def test_missing_command_is_a_one_line_usage_error(cli: Runner) -> None:
    result = cli("assistants")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: missing command; choose one of: create, list, get, update, delete "
        "(see 'asst assistants --help')\n"
    )


def test_no_arguments_prints_the_help(cli: Runner) -> None:
    result = cli()
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == cli("--help").stdout
    assert result.stdout.startswith("Usage: asst [OPTIONS] COMMAND [ARGS]...\n")


def test_version(cli: Runner) -> None:
    from asst_cli import __version__

    assert cli("--version").stdout == f"asst {__version__}\n"


def _modules_after(args: list[str], env: dict[str, str] | None = None) -> set[str]:
    probe = (
        "import sys\n"
        "from asst_cli.app import run\n"
        "try:\n"
        f"    run({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    return set(done.stderr.split())


@pytest.mark.parametrize(
    "args", [["--help"], ["assistants", "create", "--help"], ["config", "path"]]
)
def test_help_does_not_import_the_sdk(args: list[str]) -> None:
    modules = _modules_after(args)
    assert "asst_cli.app" in modules, "the probe did not run"
    assert not {"openai", "httpx2", "httpx"} & modules


@pytest.mark.parametrize("args", [["serve", "--help"], ["serve", "status", "--data-dir", "."]])
def test_serve_help_and_status_import_neither_the_engine_nor_its_server(args: list[str]) -> None:
    modules = _modules_after(args, {"ASST_CONFIG_DIR": "."})
    assert "asst_cli.commands.serve" in modules, "the probe did not run"
    assert not {"asst_engine", "uvicorn", "python_multipart", "openai"} & modules


def test_tab_completion_does_not_import_the_sdk() -> None:
    env = {"_ASST_COMPLETE": "complete_bash", "COMP_WORDS": "asst assis", "COMP_CWORD": "1"}
    modules = _modules_after([], env)
    assert "asst_cli.app" in modules
    assert not {"openai", "httpx2"} & modules
