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


@pytest.mark.parametrize(
    ("shell", "where", "note"),
    [
        ("bash", "data/bash-completion/completions/asst", "Open a new shell to use it.\n"),
        ("fish", "conf/fish/completions/asst.fish", "Open a new shell to use it.\n"),
        ("zsh", "home/.zfunc/_asst", "Add 'fpath+=({})' before 'compinit' in ~/.zshrc, "
         "then open a new shell.\n"),
    ],
)  # fmt: skip
def test_install_writes_where_the_shell_looks(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shell: str, where: str, note: str
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "conf"))
    monkeypatch.setenv("SHELL", f"/usr/bin/{shell}")
    for args in ((shell, "--install"), ("--install",)):
        result = cli("completion", *args)
        path = tmp_path / where
        assert (result.exit_code, result.stdout) == (0, f"{path}\n")
        assert result.stderr == note.format(path.parent)
        assert path.read_text() == (ROOT / "completions" / f"asst.{shell}").read_text()


def test_install_needs_a_shell_it_knows(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELL", "/bin/tcsh")
    result = cli("completion", "--install")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: cannot tell the shell from SHELL='tcsh' "
        "(name it: asst completion bash|zsh|fish --install)\n"
    )
    bare = cli("completion")
    assert (bare.exit_code, bare.stderr) == (
        2,
        "Error: which shell? (name it: asst completion bash|zsh|fish)\n",
    )
