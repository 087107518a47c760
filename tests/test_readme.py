"""The README's command reference is generated from the commands' own help, and kept equal.

Regenerate it with: python tests/test_readme.py
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BEGIN, END = "<!-- commands:begin -->", "<!-- commands:end -->"


def _leaves(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        yield path, command
        return
    for name in sorted(subcommands):
        yield from _leaves(subcommands[name], (*path, name))


def reference() -> str:
    import typer

    from asst_cli.app import app

    lines = ["| command | what it does | example |", "|---|---|---|"]
    for path, command in _leaves(typer.main.get_command(app)):
        text = " ".join((command.help or "").split())
        summary = text.split(" Example: ")[0].split(". ")[0].rstrip(".")
        example = text.split("Example: ", 1)[1] if "Example: " in text else ""
        cells = [f"`asst {' '.join(path)}`", summary, f"`{example}`" if example else ""]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def _current() -> str:
    text = README.read_text()
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")


def test_readme_lists_every_command_with_its_example() -> None:
    assert _current() == reference(), "regenerate with: python tests/test_readme.py"


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    text = README.read_text()
    head, rest = text.split(BEGIN, 1)
    README.write_text(head + BEGIN + "\n" + reference() + "\n" + END + rest.split(END, 1)[1])
