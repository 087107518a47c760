"""asst completion: print the shell completion script."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from .. import render

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_ASST_COMPLETE"


def script(shell: str) -> str:
    """The completion script typer's completion protocol expects for ``shell``."""
    # Private, but the script must match the protocol typer's completion handler speaks;
    # pyproject pins typer to the minor version this was checked against.
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="asst", complete_var=COMPLETE_VAR, shell=shell) + "\n"


def completion(
    shell: Annotated[Literal["bash", "zsh", "fish"], typer.Argument(help="bash, zsh or fish")],
) -> None:
    """Print the completion script for a shell.

    Example: asst completion bash > ~/.local/share/bash-completion/completions/asst
    """
    render.text(script(shell))
