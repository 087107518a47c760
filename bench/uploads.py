"""200 small files into a vector store: `asst vector-stores files add VS FILE... --concurrency 8`
against a loop of 200 single uploads, each file uploaded then attached: openai 2.34's SDK in one
process, and `asst vector-stores files add VS FILE` run once per file, as a shell loop would.

The engine waits 50 ms before every answer (latency_ms), as a remote service would: on loopback
with no latency, concurrency would have nothing to overlap. Every run adds to a new store.
"""

from __future__ import annotations

import statistics
import subprocess
from pathlib import Path

from common import Engine, Row, Section, asst, engine, python_of_peer, ratio, run, seconds

FILES = 200
LATENCY_MS = 50
CONCURRENCY = 8
TARGET = 3.0
PEER = """
import sys, openai
client = openai.OpenAI()
for path in sys.argv[2:]:
    with open(path, "rb") as handle:
        uploaded = client.files.create(file=handle, purpose="assistants")
    client.vector_stores.files.create(vector_store_id=sys.argv[1], file_id=uploaded.id)
"""


def _store(server: Engine) -> str:
    made = subprocess.run(
        [*asst(), "vector-stores", "create", "--name", "bench", "-o", "id"],
        env=server.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip()


def _count(server: Engine, store: str) -> int:
    listed = subprocess.run(
        [*asst(), "vector-stores", "get", store, "-q", "file_counts.total", "-o", "json"],
        env=server.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return int(listed.stdout)


def _shell_loop(server: Engine, paths: list[str]) -> float:
    store = _store(server)
    total = 0.0
    for path in paths:
        total += run(
            [*asst(), "vector-stores", "files", "add", store, path, "-o", "id"], server.env()
        ).seconds
    assert _count(server, store) == FILES
    return total


def measure(work: Path, runs: int, shell_loop: bool = True) -> Section:
    peer = str(python_of_peer())
    folder = work / "small"
    folder.mkdir()
    paths = []
    for number in range(FILES):
        path = folder / f"note-{number:03}.md"
        path.write_text(f"# Note {number}\n" + "Some text to index. " * 50)
        paths.append(str(path))
    runs = max(1, runs // 2)  # each run moves 200 files twice; fewer runs keep this in minutes
    results: dict[str, list[float]] = {"asst": [], "peer": []}
    with engine(work, "--latency-ms", str(LATENCY_MS)) as server:
        commands = {
            "asst": [
                *asst(),
                "vector-stores",
                "files",
                "add",
                "STORE",
                *paths,
                "--concurrency",
                str(CONCURRENCY),
                "-o",
                "id",
            ],
            "peer": [peer, "-c", PEER, "STORE", *paths],
        }
        for _ in range(runs):
            for name, argv in commands.items():
                store = _store(server)
                sample = run([store if arg == "STORE" else arg for arg in argv], server.env())
                if _count(server, store) != FILES:
                    raise RuntimeError(f"{name} did not add {FILES} files")
                results[name].append(sample.seconds)
        loop = _shell_loop(server, paths) if shell_loop else None
    mine, theirs = statistics.median(results["asst"]), statistics.median(results["peer"])
    section = Section(
        f"{FILES} small files into a vector store",
        f"Median of {runs} runs each (a new store each time; every store is checked to hold "
        f"{FILES} files). The engine answers every request after {LATENCY_MS} ms.",
    )
    section.rows.append(
        Row(
            f"files add --concurrency {CONCURRENCY}",
            seconds(mine),
            "openai 2.34 SDK loop (upload, attach)",
            seconds(theirs),
            ratio(mine, theirs),
            f">= {TARGET:g}x faster (<= {1 / TARGET:.2f}x)",
            theirs >= TARGET * mine,
        )
    )
    if loop is not None:
        section.rows.append(
            Row(
                f"files add --concurrency {CONCURRENCY}",
                seconds(mine),
                f"{FILES} x asst files add (one process each, 1 run)",
                seconds(loop),
                ratio(mine, loop),
                f">= {TARGET:g}x faster (<= {1 / TARGET:.2f}x)",
                loop >= TARGET * mine,
            )
        )
    section.notes.append(
        f"asst uploads {CONCURRENCY} files at a time, then attaches them {CONCURRENCY} at a time; "
        "it first lists the store (one request) so that a re-run skips what is already there. "
        "The one-process-per-file loop pays asst's start-up 200 times."
    )
    return section
