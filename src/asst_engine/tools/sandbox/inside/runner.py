"""The REPL server that runs inside the sandbox: JSON lines in on stdin, JSON lines out.

Started as a script (stdlib only, no package imports), so it works in any interpreter that has the
data stack. A request is ``{"code": "..."}``; while the cell runs the runner sends ``{"out": text}``
lines (stdout and stderr, bounded), then one ``{"done": true, "images": [base64 PNG],
"error": str | null}``. The namespace lives as long as the process: variables and imports persist.
"""

from __future__ import annotations

import ast
import base64
import io
import json
import linecache
import os
import resource
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any, TextIO

# The matplotlib backend module beside this file (MPLBACKEND=module://asst_figures).
FIGURES = "asst_figures"
# Output from the C level and from child processes lands here, read back after each cell.
FD_OUTPUT = str(Path(tempfile.gettempdir(), ".asst-fd-output"))
MAX_IMAGES = 20
OWN_FRAMES = (__file__, ast.__file__)
LIMITS = {
    "cpu_seconds": resource.RLIMIT_CPU,
    "memory_bytes": resource.RLIMIT_AS,
    "file_bytes": resource.RLIMIT_FSIZE,
    "processes": resource.RLIMIT_NPROC,
    "open_files": resource.RLIMIT_NOFILE,
}


class Channel:
    """The protocol stream: the original stdout, kept apart from the cell's output."""

    def __init__(self) -> None:
        self.stream = os.fdopen(os.dup(1), "w", encoding="utf-8")
        self.lock = threading.Lock()  # the cell's own threads print too; lines stay whole

    def send(self, message: dict[str, Any]) -> None:
        line = json.dumps(message) + "\n"
        with self.lock:
            self.stream.write(line)
            self.stream.flush()


class Output(io.TextIOBase):
    """sys.stdout and sys.stderr during a cell: forwarded at once, up to a budget of characters."""

    encoding = "utf-8"

    def __init__(self, channel: Channel, budget: int) -> None:
        super().__init__()
        self.channel = channel
        self.budget = budget
        self.dropped = 0

    def write(self, text: str) -> int:
        kept = text[: max(self.budget, 0)]
        self.budget -= len(kept)
        self.dropped += len(text) - len(kept)
        if kept:
            self.channel.send({"out": kept})
        return len(text)

    def writable(self) -> bool:
        return True


def confine(settings: dict[str, Any]) -> None:
    """Drop to the sandbox's own user (when started by root) and set the resource limits."""
    uid = settings.get("uid")
    if uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    for name, value in settings["limits"].items():
        # CPU: SIGXCPU at the limit (a clear cause of death), SIGKILL a second later.
        resource.setrlimit(LIMITS[name], (value, value + (name == "cpu_seconds")))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def compiled(code: str, number: int) -> tuple[Any, Any]:
    """The cell as statements plus, like a notebook, its last expression evaluated apart."""
    name = f"<cell {number}>"
    linecache.cache[name] = (len(code), None, code.splitlines(keepends=True), name)
    tree = ast.parse(code, name, "exec")
    last = None
    final = tree.body[-1] if tree.body else None
    if isinstance(final, ast.Expr):
        tree.body.pop()
        last = compile(ast.Expression(final.value), name, "eval")
    return compile(tree, name, "exec"), last


def run_cell(code: str, number: int, namespace: dict[str, Any], out: Output) -> str | None:
    """Run one cell; the traceback (without this runner's frames) goes to the output."""
    try:
        body, last = compiled(code, number)
        exec(body, namespace)
        if last is not None:
            value = eval(last, namespace)
            if value is not None:
                namespace["_"] = value
                out.write(repr(value) + "\n")
    except BaseException as error:  # the model's code may raise anything, SystemExit included
        frames = error.__traceback__
        while frames is not None and frames.tb_frame.f_code.co_filename in OWN_FRAMES:
            frames = frames.tb_next  # the runner's frames (and ast's) say nothing to the model
        out.write("".join(traceback.format_exception(type(error), error, frames)))
        return traceback.format_exception_only(type(error), error)[-1].strip()
    return None


def figures(out: Output) -> list[str]:
    """PNGs of the figures shown during the cell and of those left open at its end."""
    backend = sys.modules.get(FIGURES)
    if backend is None:
        return []
    try:
        backend.show()
    except Exception as error:  # a figure that cannot be drawn is the code's error, not ours
        out.write(f"Figure could not be drawn: {type(error).__name__}: {error}\n")
    shown, backend.captured[:] = list(backend.captured), []
    if len(shown) > MAX_IMAGES:
        out.write(f"[{len(shown) - MAX_IMAGES} more figures not returned]\n")
    return [base64.b64encode(png).decode("ascii") for png in shown[:MAX_IMAGES]]


def fd_output(budget: int) -> str:
    """What reached file descriptors 1 and 2 directly (child processes, C code) in the cell."""
    with Path(FD_OUTPUT).open("rb+") as stream:
        data = stream.read(max(budget, 0))
        stream.truncate(0)
    os.lseek(1, 0, os.SEEK_SET)
    os.lseek(2, 0, os.SEEK_SET)
    return data.decode("utf-8", "replace")


def serve(requests: TextIO, channel: Channel, budget: int) -> None:
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    for number, line in enumerate(requests, start=1):
        out = Output(channel, budget)
        sys.stdout = sys.stderr = out
        error = run_cell(json.loads(line)["code"], number, namespace, out)
        images = figures(out)
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        tail = fd_output(out.budget)
        if tail:
            out.write(tail)
        if out.dropped:
            channel.send({"out": f"\n[output truncated: {out.dropped} more characters]\n"})
        channel.send({"done": True, "images": images, "error": error})


def main() -> None:
    settings = json.loads(sys.argv[1])
    confine(settings)
    channel = Channel()
    requests = os.fdopen(os.dup(0), encoding="utf-8")
    # The cell reads an empty stdin, and descriptors 1 and 2 go to a file, so that neither
    # input() nor stray output can touch the protocol.
    empty = os.open(os.devnull, os.O_RDONLY)
    os.dup2(empty, 0)
    os.close(empty)
    capture = os.open(FD_OUTPUT, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(capture, 1)
    os.dup2(capture, 2)
    os.close(capture)
    sys.stdin = io.StringIO()
    sys.path.insert(0, str(Path.cwd()))
    channel.send({"ready": True})
    serve(requests, channel, settings["output_chars"])


if __name__ == "__main__":
    main()
