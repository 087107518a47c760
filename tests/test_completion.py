"""Shell completion: the shipped scripts match what asst prints, and completion answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness import ROOT, Runner

SHELLS = ("bash", "zsh", "fish")


@pytest.mark.parametrize("shell", SHELLS)
def test_shipped_script_matches_the_command(cli: Runner, shell: str) -> None:
    result = cli("completion", shell)
    assert result.exit_code == 0
    shipped = ROOT / "completions" / f"asst.{shell}"
    assert shipped.read_text() == result.stdout, (
        f"regenerate {shipped} with 'asst completion {shell}'"
    )


def test_unknown_shell_exits_2(cli: Runner) -> None:
    result = cli("completion", "tcsh")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: Invalid value for 'shell': Value error, 'tcsh' is not one of 'bash', 'zsh', "
        "'fish' (see 'asst completion --help')\n"
    )


def complete(words: str, cword: int, tmp_path: Path) -> list[str]:
    env = {
        **os.environ,
        "_ASST_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
    }
    done = subprocess.run(
        [sys.executable, "-m", "asst_cli"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    return done.stdout.split()


def test_completes_groups_and_verbs(tmp_path: Path) -> None:
    assert complete("asst assis", 1, tmp_path) == ["assistants"]
    assert complete("asst assistants li", 2, tmp_path) == ["list"]


def test_completes_output_formats(tmp_path: Path) -> None:
    assert complete("asst assistants list -o j", 4, tmp_path) == ["json", "jsonl"]
