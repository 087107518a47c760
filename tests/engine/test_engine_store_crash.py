"""Kill -9 in the middle of writing: reopening finds every committed object whole.

A child process writes, one unit of work per round, a thread, a message in it and a file with
its bytes (streamed in chunks), and reports each round once committed. It is killed with
SIGKILL either by the test after a random number of rounds, wherever it then is, or by itself
at a chosen point of a chosen round (halfway through a blob, with the blob written but not its
file, with everything written but not committed, committed but not reported), so every window
is hit on every run. The reopened store must hold every reported round intact, rounds that
committed unreported whole, nothing partial, and no blob without its file.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from asst_engine.store.sqlite import SqliteStore

WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from asst_engine.store.sqlite import SqliteStore

    point, fatal = sys.argv[2], int(sys.argv[3])
    store = SqliteStore.open(sys.argv[1])

    def reached(here, round):
        if (here, round) == (point, fatal):
            os.kill(os.getpid(), signal.SIGKILL)

    for round in range(1_000_000):
        with store.unit_of_work("owner"):
            store.threads.put({"id": f"thread_{round}", "created_at": round, "pad": "x" * 500})
            message = {"id": f"msg_{round}", "created_at": round, "text": f"round {round}"}
            store.messages.put(message, f"thread_{round}")
            with store.blobs.writer(f"file-{round}") as stream:
                for chunk in range(8):
                    stream.write(bytes([round % 256]) * 4096)
                    reached("mid-blob", round)
            reached("after-blob", round)
            store.files.put({"id": f"file-{round}", "created_at": round, "bytes": 8 * 4096})
            reached("in-transaction", round)
        reached("after-commit", round)
        print(round, flush=True)
    """
)
POINTS = ("mid-blob", "after-blob", "in-transaction", "after-commit")


def stored_whole(store: SqliteStore, number: int) -> bool:
    """Whether round ``number`` is stored, checking that it is then stored whole."""
    thread = store.threads.get(f"thread_{number}")
    parts = (
        thread,
        store.messages.get(f"msg_{number}", f"thread_{number}"),
        store.files.get(f"file-{number}"),
        store.blobs.get(f"file-{number}"),
    )
    if all(part is None for part in parts):
        return False
    assert thread == {"id": f"thread_{number}", "created_at": number, "pad": "x" * 500}
    assert parts[1] == {"id": f"msg_{number}", "created_at": number, "text": f"round {number}"}
    assert parts[2] == {"id": f"file-{number}", "created_at": number, "bytes": 8 * 4096}
    assert parts[3] == bytes([number % 256]) * (8 * 4096)
    return True


def check(directory: Path, reported: int) -> list[int]:
    """The rounds stored after the kill, checked consistent; at least those reported."""
    store = SqliteStore.open(directory)
    with store.unit_of_work("owner"):
        stored = sorted(int(str(thread["id"]).split("_")[1]) for thread in store.threads.list())
        assert len(stored) >= reported and stored == list(range(len(stored)))
        assert all(stored_whole(store, number) for number in stored)
        assert not stored_whole(store, len(stored))
        assert len(store.files.list()) == len(stored)
    assert sorted(store.disk.keys()) == sorted(f"file-{number}" for number in stored)
    assert list((directory / "blobs" / "tmp").iterdir()) == []
    store.close()
    with sqlite3.connect(directory / "asst.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    connection.close()
    return stored


def writer(directory: Path, point: str = "never", fatal: int = -1) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", WRITER, str(directory), point, str(fatal)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(child: subprocess.Popen[str], lines: list[str]) -> None:
    """Reap the killed child; its reports must be the rounds in order."""
    assert child.stdout is not None and child.stderr is not None
    child.wait()
    child.stdout.close()
    errors = child.stderr.read()
    child.stderr.close()
    assert child.returncode == -signal.SIGKILL, errors
    assert lines == [f"{number}\n" for number in range(len(lines))], errors


@pytest.mark.parametrize("attempt", range(2))
def test_a_writer_killed_at_a_random_point_leaves_a_consistent_store(
    tmp_path: Path, attempt: int
) -> None:
    rounds = random.randint(3, 40)
    child = writer(tmp_path)
    assert child.stdout is not None
    lines = [child.stdout.readline() for _ in range(rounds)]
    os.kill(child.pid, signal.SIGKILL)
    finish(child, lines)
    check(tmp_path, rounds)


@pytest.mark.parametrize("point", POINTS)
def test_a_writer_killed_at_each_point_keeps_exactly_what_committed(
    tmp_path: Path, point: str
) -> None:
    child = writer(tmp_path, point, fatal=3)
    assert child.stdout is not None
    lines = child.stdout.readlines()
    finish(child, lines)
    assert len(lines) == 3
    committed = 4 if point == "after-commit" else 3
    assert check(tmp_path, 3) == list(range(committed))
