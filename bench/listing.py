"""A long list: `asst messages list THREAD --all -o jsonl` over 10,000 messages, against a plain
loop over openai 2.34's paginated `client.beta.threads.messages.list` printing the same JSON
lines. Requests made, peak resident memory and time, whole process."""

from __future__ import annotations

import statistics
from pathlib import Path

from common import Row, Section, asst, engine, python_of_peer, ratio, run, seconds

MESSAGES = 10_000
TARGET_REQUESTS = 100
TARGET_RSS_MB = 100
PEER = """
import json, sys, openai
client = openai.OpenAI()
out = sys.stdout
for message in client.beta.threads.messages.list(sys.argv[1], limit=100):
    out.write(json.dumps(message.to_dict()) + "\\n")
"""


def measure(work: Path, runs: int) -> Section:
    peer = str(python_of_peer())
    output = work / "messages.jsonl"
    results: dict[str, list[tuple[float, float, int]]] = {"asst": [], "peer": []}
    with engine(work, "--messages", str(MESSAGES)) as server:
        commands = {
            "asst": [*asst(), "messages", "list", server.thread, "--all", "-o", "jsonl"],
            "peer": [peer, "-c", PEER, server.thread],
        }
        for turn in range(runs + 1):
            for name, argv in commands.items():
                server.forget()
                with output.open("w") as sink:
                    sample = run(argv, server.env(), stdout=sink)
                lines = len(output.read_text().splitlines())
                if lines != MESSAGES:
                    raise RuntimeError(f"{name} printed {lines} messages, not {MESSAGES}")
                if turn:  # the first turn warms up
                    results[name].append((sample.seconds, sample.rss_mb, len(server.requests())))
    mine = [statistics.median(values) for values in zip(*results["asst"], strict=False)]
    theirs = [statistics.median(values) for values in zip(*results["peer"], strict=False)]
    section = Section(
        "Listing 10,000 messages",
        f"Median of {runs} runs each; every run's output is checked to hold {MESSAGES:,} lines.",
    )
    peer_name = "openai 2.34 SDK loop"
    section.rows += [
        Row(
            "requests",
            f"{mine[2]:g}",
            peer_name,
            f"{theirs[2]:g}",
            ratio(mine[2], theirs[2]),
            f"{TARGET_REQUESTS}",
            mine[2] == TARGET_REQUESTS,
        ),
        Row(
            "peak RSS",
            f"{mine[1]:.0f} MB",
            peer_name,
            f"{theirs[1]:.0f} MB",
            ratio(mine[1], theirs[1]),
            f"<= {TARGET_RSS_MB} MB",
            mine[1] <= TARGET_RSS_MB,
        ),
        Row("time", seconds(mine[0]), peer_name, seconds(theirs[0]), ratio(mine[0], theirs[0])),
    ]
    section.notes.append(
        "asst --all asks for pages of 100 and streams each object out as it arrives, so memory "
        "holds one page; the SDK loop builds a typed model per message."
    )
    return section
