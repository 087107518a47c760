"""The code_interpreter sandbox: one persistent Python process per thread, isolated.

``Sandbox.execute(thread_id, code, files, timeout)`` runs a cell in the thread's process (started
on first use, or after a timeout or a crash) and returns an ``Execution``. Processes idle longer
than ``idle_seconds`` are ended by ``sweep()`` (called by ``start_sweeper`` or by the caller),
their folder removed. The clock is injectable; the wall-clock limit per call is real time.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .isolation import Bubblewrap, Folders, Limits, SandboxUnavailable, Unsafe, refusal, resolve
from .session import Cell, Ended, Process
from .workspace import Workspace

DEFAULT_TIMEOUT = 60.0
DEFAULT_IDLE = 3600.0
DEFAULT_LIMITS = Limits()
# Started by root, each thread's process runs as its own user from here up (see isolation.py).
UID_BASE = 820_000


@dataclass(frozen=True)
class Execution:
    """What a call produced. ``logs`` is the text for the model: output, the last expression's
    value, the traceback or the timeout notice. ``files_written`` holds (name under /mnt/data,
    host copy); the copies last until the thread's next call."""

    logs: str
    images: list[bytes] = field(default_factory=list)
    files_written: list[tuple[str, Path]] = field(default_factory=list)
    error: str | None = None
    timed_out: bool = False


@dataclass
class Session:
    workspace: Workspace
    slot: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    process: Process | None = None
    last_used: float = 0.0
    ended: bool = False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
        self.workspace.remove()


class Sandbox:
    def __init__(
        self,
        root: Path,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        idle_seconds: float = DEFAULT_IDLE,
        limits: Limits = DEFAULT_LIMITS,
        unsafe_without_sandbox: bool = False,
        bwrap: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        font_cache: Path | None = None,
    ) -> None:
        self.root = root
        # matplotlib's font list depends on the machine, not the data: a server passes a
        # folder that every data dir shares, so the list is made once per machine.
        self.font_cache = font_cache or self.own_font_cache
        # Sessions do not outlive the server: folders left by an earlier one (a crash) go now.
        shutil.rmtree(root / "threads", ignore_errors=True)
        self.timeout = timeout
        self.idle_seconds = idle_seconds
        self.limits = limits
        self.clock = clock
        self.launcher, self.refusal = resolve(bwrap, unsafe_without_sandbox)
        self.sessions: dict[str, Session] = {}
        self.lock = threading.Lock()
        self.prepared = False
        self.preparing = threading.Lock()
        self.stopping = threading.Event()
        # Processes start from one long-lived thread: bwrap's --die-with-parent follows the
        # thread that started it, and a run's worker thread may end while its session lasts.
        self.spawner = ThreadPoolExecutor(1, thread_name_prefix="sandbox-start")

    @property
    def own_font_cache(self) -> Path:
        """The sandbox's own folder for the font list: written by the server, so writable."""
        return self.root / "matplotlib"

    @property
    def isolated(self) -> bool:
        return self.launcher is not None and self.launcher.isolated

    def execute(
        self,
        thread_id: str,
        code: str,
        files: Iterable[tuple[str, BinaryIO]] = (),
        timeout: float | None = None,
    ) -> Execution:
        """Run ``code`` in the thread's process; errors and timeouts come back as output.

        ``files`` are (name, reader) pairs put in /mnt/data, each once per session: a name
        already there is not read again. Raises SandboxUnavailable when the tool is refused."""
        launcher = self.launcher
        if launcher is None:
            raise SandboxUnavailable(self.refusal or refusal("no isolation"))
        limit = self.timeout if timeout is None else timeout
        while True:
            session = self.session(thread_id)
            with session.lock:
                if not session.ended:  # else the sweeper took it meanwhile: take a new one
                    return self.call(launcher, session, code, files, limit)

    def call(
        self,
        launcher: Bubblewrap | Unsafe,
        session: Session,
        code: str,
        files: Iterable[tuple[str, BinaryIO]],
        limit: float,
    ) -> Execution:
        session.workspace.place(files)
        before = session.workspace.snapshot()
        cell, problem = self.run(launcher, session, code, limit)
        written = session.workspace.collect(before)
        session.last_used = self.clock()
        if problem is None:
            return Execution("".join(cell.output), cell.images, written, cell.error)
        return Execution(
            logs=problem.output + notice(problem, limit),
            files_written=written,
            error=notice(problem, limit).strip(),
            timed_out=problem.timed_out,
        )

    def run(
        self, launcher: Bubblewrap | Unsafe, session: Session, code: str, limit: float
    ) -> tuple[Cell, Ended | None]:
        started = time.monotonic()
        try:
            if session.process is None:
                session.process = self.start(launcher, session)
                session.process.ready(limit)
            remaining = limit - (time.monotonic() - started)
            return session.process.run(code, remaining), None
        except Ended as ended:
            session.process = None  # the next call starts a fresh process
            return Cell(), ended

    def start(self, launcher: Bubblewrap | Unsafe, session: Session) -> Process:
        with self.preparing:
            if not self.prepared:
                if not launcher.prepare(self.font_cache):
                    self.font_cache = self.own_font_cache
                    launcher.prepare(self.font_cache)
                self.prepared = True
        cache = self.font_cache
        uid = UID_BASE + session.slot if launcher.as_root else None
        workspace = session.workspace
        launch = launcher.runner(Folders(workspace.data, workspace.tmp, cache), self.limits, uid)
        return self.spawner.submit(Process, launch).result()

    def session(self, thread_id: str) -> Session:
        """The thread's session, made on first use; marked used now, so no sweep takes it."""
        with self.lock:
            found = self.sessions.get(thread_id)
            if found is None:
                slots = {session.slot for session in self.sessions.values()}
                slot = min(set(range(len(slots) + 1)) - slots)
                owner = UID_BASE + slot if self.launcher and self.launcher.as_root else None
                found = Session(Workspace(self.root / "threads", thread_id, owner), slot)
                self.sessions[thread_id] = found
            found.last_used = self.clock()
            return found

    def sweep(self) -> list[str]:
        """End the sessions idle for ``idle_seconds`` or more; their files go with them."""
        now = self.clock()
        with self.lock:
            idle = [
                thread_id
                for thread_id, session in self.sessions.items()
                if not session.lock.locked() and now - session.last_used >= self.idle_seconds
            ]
            ended = [self.retire(thread_id) for thread_id in idle]
        for session in ended:
            session.stop()
        return idle

    def end(self, thread_id: str) -> None:
        """End the thread's session now (its process and files), whether idle or not."""
        with self.lock:
            session = self.retire(thread_id) if thread_id in self.sessions else None
        if session is not None:
            session.stop()

    def retire(self, thread_id: str) -> Session:
        """Take the session out (under the lock): its folder moves aside at once, so a new
        session of the same thread starts clean while the old one is being removed."""
        session = self.sessions.pop(thread_id)
        session.ended = True
        session.workspace.retire()
        return session

    def start_sweeper(self, interval: float = 60.0) -> threading.Thread:
        """A daemon thread calling ``sweep()`` every ``interval`` seconds until ``close()``."""

        def loop() -> None:
            while not self.stopping.wait(interval):
                self.sweep()

        sweeper = threading.Thread(target=loop, name="sandbox-sweeper", daemon=True)
        sweeper.start()
        return sweeper

    def close(self) -> None:
        """Stop the sweeper and end every session (server shutdown)."""
        self.stopping.set()
        for thread_id in list(self.sessions):
            self.end(thread_id)
        self.spawner.shutdown()


def notice(problem: Ended, limit: float) -> str:
    if problem.timed_out:
        what = f"Execution timed out after {limit:g} seconds"
    else:
        what = f"Execution stopped: {problem.reason}"
    return (
        f"\n{what}. The Python process was restarted, so the variables and imports of earlier "
        "calls are gone; files in /mnt/data remain.\n"
    )
