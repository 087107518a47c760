"""asst completion: print the shell completion script, or install it where the shell looks."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import typer

from .. import render
from ..errors import UsageError

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_ASST_COMPLETE"


def script(shell: str) -> str:
    """The completion script typer's completion protocol expects for ``shell``."""
    # Private, but the script must match the protocol typer's completion handler speaks;
    # pyproject pins typer to the minor version this was checked against.
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="asst", complete_var=COMPLETE_VAR, shell=shell) + "\n"


def install_path(shell: str) -> Path:
    """Where each shell finds completions on its own (zsh: a directory to add to ``fpath``)."""
    home = Path.home()
    if shell == "bash":
        data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
        return data / "bash-completion" / "completions" / "asst"
    if shell == "fish":
        config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
        return config / "fish" / "completions" / "asst.fish"
    return home / ".zfunc" / "_asst"


def _chosen(shell: str | None, install: bool) -> str:
    if shell is not None:
        return shell
    detected = Path(os.environ.get("SHELL", "")).name
    if install and detected in SHELLS:
        return detected
    raise UsageError(
        "which shell?" if not install else f"cannot tell the shell from SHELL={detected!r}",
        "name it: asst completion bash|zsh|fish" + (" --install" if install else ""),
    )


def _install(shell: str) -> Path:
    path = install_path(shell)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(script(shell), encoding="utf-8")
    temporary.replace(path)  # a shell starting meanwhile reads the old script or the new one
    return path


def completion(
    shell: Annotated[
        Literal["bash", "zsh", "fish"] | None,
        typer.Argument(help="bash, zsh or fish (with --install: default from $SHELL)"),
    ] = None,
    install: Annotated[
        bool,
        typer.Option(
            "--install",
            help="Write the script where the shell loads completions from, and print that path",
        ),
    ] = False,
) -> None:
    """Print or install shell completion.

    Example: asst completion bash --install
    """
    chosen = _chosen(shell, install)
    if not install:
        render.text(script(chosen))
        return
    path = _install(chosen)
    render.text(f"{path}\n")
    if chosen == "zsh":
        render.progress(
            f"Add 'fpath+=({path.parent})' before 'compinit' in ~/.zshrc, then open a new shell."
        )
    else:
        render.progress("Open a new shell to use it.")
