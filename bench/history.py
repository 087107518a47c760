"""A long thread's export: `asst export --thread THREAD --dir DIR --no-file-bytes` over 1,500
messages, and over 15,000 to show memory stays flat (a thread is streamed page by page). Peak
resident memory, time and requests, whole process; each bundle is checked to hold every
message."""

from __future__ import annotations

import json
import shutil
import statistics
from pathlib import Path

from common import Row, Section, asst, engine, ratio, run, seconds

MESSAGES = 1_500
LONGER = 15_000
TARGET_RSS_MB = 100


def _export(work: Path, messages: int, runs: int) -> list[float]:
    """Median seconds, peak RSS (MB) and requests of ``runs`` exports of one thread."""
    samples: list[tuple[float, float, int]] = []
    with engine(work, "--messages", str(messages)) as server:
        for turn in range(runs + 1):
            out = work / f"bundle-{messages}"
            shutil.rmtree(out, ignore_errors=True)
            server.forget()
            argv = [*asst(), "export", "--thread", server.thread, "--dir", str(out)]
            sample = run([*argv, "--no-file-bytes"], server.env(ASST_CONFIG_DIR=str(work)))
            manifest = json.loads((out / "manifest.json").read_text())
            if manifest["counts"].get("messages") != messages:
                raise RuntimeError(f"the bundle holds {manifest['counts']}, not {messages}")
            if turn:  # the first turn warms up
                samples.append((sample.seconds, sample.rss_mb, len(server.requests())))
    return [statistics.median(values) for values in zip(*samples, strict=False)]


def measure(work: Path, runs: int) -> Section:
    mine = _export(work, MESSAGES, runs)
    longer = _export(work, LONGER, max(1, runs // 3))
    section = Section(
        "Thread export",
        f"Median of {runs} exports of a {MESSAGES:,}-message thread (each message ~215 bytes of "
        f"text), and of {max(1, runs // 3)} of a {LONGER:,}-message one; every bundle is checked "
        "to hold every message.",
    )
    other = f"the same, {LONGER:,} messages"
    section.rows += [
        Row(
            "peak RSS",
            f"{mine[1]:.0f} MB",
            other,
            f"{longer[1]:.0f} MB",
            ratio(mine[1], longer[1]),
            f"<= {TARGET_RSS_MB} MB, flat",
            mine[1] <= TARGET_RSS_MB and longer[1] <= mine[1] * 1.1,
        ),
        Row("time", seconds(mine[0]), other, seconds(longer[0]), ratio(mine[0], longer[0])),
        Row("requests", f"{mine[2]:g}", other, f"{longer[2]:g}", ratio(mine[2], longer[2])),
    ]
    section.notes.append(
        "Messages are fetched 100 a page and each page is written out before the next is asked "
        "for (into a hidden part file, synced, its progress recorded, renamed when the thread is "
        "complete), so ten times the messages costs ten times the requests and time but no more "
        "memory."
    )
    return section
