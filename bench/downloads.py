"""A 200 MB file: `asst files download ID -O PATH` against openai 2.34's
`client.files.content(ID).write_to_file(PATH)`; peak resident memory and time, whole process.
The upload that puts the file on the engine (`asst files upload`) is measured too."""

from __future__ import annotations

import os
import statistics
import subprocess
from pathlib import Path

from common import Row, Section, asst, engine, python_of_peer, ratio, run, seconds

SIZE_MB = 200
TARGET_RSS_MB = 80
PEER = """
import sys, openai
openai.OpenAI().files.content(sys.argv[1]).write_to_file(sys.argv[2])
"""


def _big_file(path: Path) -> None:
    chunk = os.urandom(1024 * 1024)
    with path.open("wb") as handle:
        for number in range(SIZE_MB):
            handle.write(number.to_bytes(4, "big") + chunk[4:])


def measure(work: Path, runs: int) -> Section:
    peer = str(python_of_peer())
    source, copy = work / "big.bin", work / "copy.bin"
    _big_file(source)
    with engine(work) as server:
        env = server.env()
        up = run(
            [*asst(), "files", "upload", str(source), "-o", "id"],
            env,
            stdout=(work / "id.txt").open("w"),
        )
        file_id = (work / "id.txt").read_text().strip()
        commands = {
            "asst": [*asst(), "files", "download", file_id, "-O", str(copy), "--force"],
            "peer": [peer, "-c", PEER, file_id, str(copy)],
        }
        results: dict[str, list[tuple[float, float]]] = {"asst": [], "peer": []}
        for turn in range(runs + 1):
            for name, argv in commands.items():
                copy.unlink(missing_ok=True)
                sample = run(argv, env)
                if copy.stat().st_size != source.stat().st_size:
                    raise RuntimeError(f"{name} saved {copy.stat().st_size} bytes")
                if turn:
                    results[name].append((sample.seconds, sample.rss_mb))
    subprocess.run(["sync"], check=False)
    mine = [statistics.median(values) for values in zip(*results["asst"], strict=False)]
    theirs = [statistics.median(values) for values in zip(*results["peer"], strict=False)]
    section = Section(
        f"Downloading a {SIZE_MB} MB file",
        f"Median of {runs} runs each; every copy is checked for its size. asst writes to a "
        "temporary file beside the target, fsyncs and renames it into place.",
    )
    peer_name = "openai 2.34 files.content().write_to_file"
    section.rows += [
        Row(
            "download peak RSS",
            f"{mine[1]:.0f} MB",
            peer_name,
            f"{theirs[1]:.0f} MB",
            ratio(mine[1], theirs[1]),
            f"<= {TARGET_RSS_MB} MB",
            mine[1] <= TARGET_RSS_MB,
        ),
        Row(
            "download time",
            seconds(mine[0]),
            peer_name,
            seconds(theirs[0]),
            ratio(mine[0], theirs[0]),
        ),
        Row("upload of the same file (asst files upload): peak RSS", f"{up.rss_mb:.0f} MB"),
        Row("upload time", seconds(up.seconds)),
    ]
    section.notes.append(
        "asst streams the body to disk one chunk at a time; the SDK's `files.content()` reads "
        "the whole body into memory first."
    )
    return section
