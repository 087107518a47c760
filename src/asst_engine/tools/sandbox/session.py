"""One sandbox process: started, asked to run cells over its JSON-lines protocol, killed."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

from .isolation import Launch

READ_SIZE = 1 << 16


class Ended(Exception):
    """The process is gone or out of time; the reason is written for the model."""

    def __init__(self, reason: str, timed_out: bool, output: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out
        self.output = output


@dataclass
class Cell:
    output: list[str] = field(default_factory=list)
    images: list[bytes] = field(default_factory=list)
    error: str | None = None


class Process:
    """The runner's process, in a process group of its own so that a kill takes all of it."""

    def __init__(self, launch: Launch) -> None:
        self.child = subprocess.Popen(
            launch.argv,
            cwd=launch.cwd,
            env=launch.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.pending = b""

    def ready(self, timeout: float) -> None:
        """Wait for the runner's greeting; its start counts against the first call's time."""
        deadline = time.monotonic() + timeout
        message = self.receive(deadline, Cell())
        if not message.get("ready"):
            raise self.ended("the Python process did not start", Cell())

    def run(self, code: str, timeout: float) -> Cell:
        deadline = time.monotonic() + timeout
        cell = Cell()
        assert self.child.stdin is not None
        try:
            self.child.stdin.write(json.dumps({"code": code}).encode() + b"\n")
            self.child.stdin.flush()
        except OSError:
            raise self.ended("the Python process had ended", cell) from None
        while True:
            message = self.receive(deadline, cell)
            if "out" in message:
                cell.output.append(str(message["out"]))
            elif message.get("done"):
                cell.images = [base64.b64decode(image) for image in message["images"]]
                cell.error = message["error"]
                return cell

    def receive(self, deadline: float, cell: Cell) -> dict[str, Any]:
        """The next protocol line, or Ended when the deadline passes or the process dies."""
        assert self.child.stdout is not None
        stream = self.child.stdout.fileno()
        while b"\n" not in self.pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise Ended("timed out", True, "".join(cell.output))
            readable, _, _ = select.select([stream], [], [], remaining)
            if readable:
                data = os.read(stream, READ_SIZE)
                if not data:
                    raise self.ended("the Python process ended", cell)
                self.pending += data
        line, self.pending = self.pending.split(b"\n", 1)
        try:
            message = json.loads(line)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            raise self.ended("the Python process broke its protocol", cell)
        return message

    def ended(self, what: str, cell: Cell) -> Ended:
        self.stop()
        detail = describe(self.child.returncode)
        assert self.child.stderr is not None
        said = self.child.stderr.read(2000).decode("utf-8", "replace").strip()
        self.kill()
        return Ended(what + detail + (f": {said}" if said else ""), False, "".join(cell.output))

    def stop(self) -> None:
        """SIGKILL the whole group; bubblewrap's PID namespace takes every descendant with it."""
        if self.child.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # already gone
                os.killpg(self.child.pid, signal.SIGKILL)
        self.child.wait()

    def kill(self) -> None:
        self.stop()
        for stream in (self.child.stdin, self.child.stdout, self.child.stderr):
            if stream is not None:
                stream.close()


def describe(status: int) -> str:
    """How the process ended; bwrap reports a signal as 128 + its number."""
    number = -status if status < 0 else status - 128 if status > 128 else 0
    try:
        name = signal.Signals(number).name if number else ""
    except ValueError:
        name = ""
    if not name:
        return f" (exit {status})"
    return f" (killed by {name}{': the CPU time limit' if name == 'SIGXCPU' else ''})"
