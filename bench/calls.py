"""One API call: `asst files list` against the legacy CLI of openai 2.34 (`openai api
files.list`), both against the same engine on loopback, whole process."""

from __future__ import annotations

import subprocess
from pathlib import Path

from common import Row, Section, asst, engine, paired, python_of_peer, ratio, seconds

TARGET = 0.8


def measure(work: Path, runs: int) -> Section:
    peer = str(python_of_peer().parent / "openai")
    with engine(work) as server:
        env = server.env()
        for number in range(3):
            path = work / f"listed-{number}.txt"
            path.write_text(f"file {number}\n")
            subprocess.run(
                [*asst(), "files", "upload", str(path)], env=env, check=True, capture_output=True
            )
        found = paired(
            {
                "asst": ([*asst(), "files", "list", "-o", "json"], env),
                "peer": ([peer, "api", "files.list"], env),
            },
            runs,
        )
    mine, theirs = found["asst"], found["peer"]
    section = Section(
        "One API call",
        f"Median of {runs} runs each, taken in turns, listing the same 3 files.",
    )
    section.rows.append(
        Row(
            "asst files list",
            seconds(mine),
            "openai api files.list (2.34)",
            seconds(theirs),
            ratio(mine, theirs),
            f"<= {TARGET}x the peer",
            mine <= TARGET * theirs,
        )
    )
    section.notes.append(
        "asst imports the SDK's client classes without the ~470 typed-model modules of "
        "`import openai` (src/asst_cli/sdk.py): those cost ~0.3 s, and asst sends requests "
        "through the client's generic methods. What is left is the floor of any SDK request: "
        "httpx2, pydantic and the SDK's core (~0.25 s), plus typer (~0.06 s)."
    )
    return section
