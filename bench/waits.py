"""Waiting for a run: from the moment the server has sent the run's end (the answer that first
reports it completed, or the last event of the stream) to the moment `asst run --wait` has
exited; and the requests one waited run costs. The peer is openai 2.34's own helpers
(`create_and_run_poll`, `create_and_run_stream(...).until_done()`), in a whole process too.

The engine answers with the hint `openai-poll-after-ms: 200`; the shortest gap seen between two
polls of one run shows whether asst ever polled sooner than that.
"""

from __future__ import annotations

import itertools
import statistics
import subprocess
from pathlib import Path
from typing import Any

from common import Engine, Row, Section, asst, engine, python_of_peer, ratio, run, seconds

HINT_MS = 200
TARGET_STREAM = 0.25
TERMINAL = {"completed", "failed", "cancelled", "expired", "incomplete", "streamed"}
PEER = """
import sys, openai
client = openai.OpenAI()
thread = {"messages": [{"role": "user", "content": "hello"}]}
if sys.argv[2] == "stream":
    with client.beta.threads.create_and_run_stream(assistant_id=sys.argv[1], thread=thread) as s:
        s.until_done()
        run = s.current_run
else:
    run = client.beta.threads.create_and_run_poll(assistant_id=sys.argv[1], thread=thread)
reply = client.beta.threads.messages.list(run.thread_id, run_id=run.id)
print(reply.data[0].content[0].text.value)
"""


def _one(server: Engine, argv: list[str]) -> dict[str, Any]:
    server.forget()
    sample = run(argv, server.env())
    log = server.requests()
    ended = next(entry for entry in log if entry["run"] in TERMINAL)
    polls = [entry["t0"] for entry in log if entry["method"] == "GET" and "/runs/" in entry["path"]]
    gaps = [later - earlier for earlier, later in itertools.pairwise(polls)]
    return {
        "latency": sample.end - ended["t1"],
        "requests": len(log),
        "gap": min(gaps) if gaps else None,
        "code": sample.code,
    }


def _summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    gaps = [r["gap"] for r in results if r["gap"] is not None]
    return {
        "latency": statistics.median(r["latency"] for r in results),
        "requests": statistics.median(r["requests"] for r in results),
        "gap": min(gaps) if gaps else None,
    }


def measure(work: Path, runs: int) -> Section:
    peer = str(python_of_peer())
    with engine(work, "--poll-after-ms", str(HINT_MS)) as server:
        created = subprocess.run(
            [*asst(), "assistants", "create", "--name", "bench", "--model", "gpt-4o", "-o", "id"],
            env=server.env(),
            capture_output=True,
            text=True,
            check=True,
        )
        assistant = created.stdout.strip()
        commands = {
            "asst polling": [*asst(), "run", "--wait", "-a", assistant, "hello", "-o", "text"],
            "asst streaming": [
                *asst(),
                "run",
                "--wait",
                "--stream",
                "-a",
                assistant,
                "hello",
                "-o",
                "text",
            ],
            "peer polling": [peer, "-c", PEER, assistant, "poll"],
            "peer streaming": [peer, "-c", PEER, assistant, "stream"],
        }
        for argv in commands.values():
            _one(server, argv)  # warm-up
        found: dict[str, list[dict[str, Any]]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, argv in commands.items():
                found[name].append(_one(server, argv))
    summary = {name: _summary(results) for name, results in found.items()}
    section = Section(
        "Wait latency",
        f"Median of {runs} waited runs each (one assistant, a new thread per run, reply "
        f"'You said: hello'); the engine's poll hint is {HINT_MS} ms.",
    )
    for mode in ("polling", "streaming"):
        mine, theirs = summary[f"asst {mode}"], summary[f"peer {mode}"]
        target = f"<= {TARGET_STREAM} s" if mode == "streaming" else ""
        met = mine["latency"] <= TARGET_STREAM if mode == "streaming" else None
        section.rows.append(
            Row(
                f"run end -> asst run --wait {mode} exits",
                seconds(mine["latency"]),
                f"openai 2.34 create_and_run_{'stream' if mode == 'streaming' else 'poll'}",
                seconds(theirs["latency"]),
                ratio(mine["latency"], theirs["latency"]),
                target,
                met,
            )
        )
        section.rows.append(
            Row(
                f"requests per waited run, {mode}",
                f"{mine['requests']:g}",
                "the same",
                f"{theirs['requests']:g}",
                ratio(mine["requests"], theirs["requests"]),
            )
        )
    gap = summary["asst polling"]["gap"]
    peer_gap = summary["peer polling"]["gap"]
    section.rows.append(
        Row(
            "shortest gap between two polls",
            seconds(gap) if gap else "one poll",
            "openai 2.34",
            seconds(peer_gap) if peer_gap else "one poll",
            "",
            f">= the hint, {HINT_MS / 1000:.3f} s",
            gap is None or gap >= HINT_MS / 1000,
        )
    )
    section.notes.append(
        "The latency covers everything after the run's end: fetching the reply (one request), "
        "printing it, and the interpreter's exit. Polling follows the server's hint exactly "
        "(openai-poll-after-ms), else 0.5 s backing off to 5 s; streaming needs no polls."
    )
    return section
