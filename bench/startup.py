"""Start-up: `asst --help` and one TAB completion, whole process, against `python -c pass` (the
interpreter's floor) and the legacy CLI of openai 2.34 (`openai --help`)."""

from __future__ import annotations

import sys
from pathlib import Path

from common import Row, Section, asst, clean_env, paired, python_of_peer, ratio, seconds

TARGET = 0.15


def measure(work: Path, runs: int) -> Section:
    env = clean_env()
    completion = clean_env(
        _ASST_COMPLETE="complete_bash", COMP_WORDS="asst assistants li", COMP_CWORD="2"
    )
    peer = str(python_of_peer().parent / "openai")
    found = paired(
        {
            "floor": ([sys.executable, "-c", "pass"], env),
            "help": ([*asst(), "--help"], env),
            "tab": (asst(), completion),
            "peer": ([peer, "--help"], env),
        },
        runs,
    )
    floor, peer_help = found["floor"], found["peer"]
    section = Section(
        "Start-up",
        f"Median of {runs} runs each, taken in turns. TAB completion completes "
        "`asst assistants li` (bash protocol).",
    )
    section.rows.append(Row("python -c pass", seconds(floor)))
    for key, figure in (("help", "asst --help"), ("tab", "asst TAB completion")):
        value = found[key]
        section.rows.append(
            Row(
                figure,
                seconds(value),
                "openai --help (2.34)",
                seconds(peer_help),
                ratio(value, peer_help),
                f"<= {TARGET} s",
                value <= TARGET,
            )
        )
        section.rows.append(
            Row(f"{figure} over python -c pass", seconds(value - floor), "", "", "", "", None)
        )
    section.notes.append(
        "Where the time goes (python -X importtime): the interpreter, then typer and the "
        "standard modules it imports (~0.06 s), then asst's own (~0.03 s). Commands are imported "
        "only when used (src/asst_cli/lazy.py): the root help lists them from their help text, "
        "and a TAB completion imports the one group it completes. Neither imports the SDK, "
        "httpx2 or pydantic (tests/test_help.py, tests/test_lazy.py)."
    )
    return section
