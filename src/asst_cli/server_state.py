"""Where a local ``asst serve`` keeps its state, and how to tell whether one runs.

The server (``asst_engine.process.state``) holds an exclusive lock on ``server.lock`` in its
data dir while it runs and describes itself in ``server.json``; the lock, not the file, says
whether it runs (a ``kill -9`` leaves the file behind but always frees the lock).
Data dir: ``--data-dir``, else ``ASST_DATA_DIR``, else the platform's user data dir for asst.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

LOCK_NAME = "server.lock"
INFO_NAME = "server.json"
STOP_POLL_SECONDS = 0.05


def data_dir(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    from_env = os.environ.get("ASST_DATA_DIR")
    if from_env:
        return Path(from_env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("asst", appauthor=False))


def is_running(path: Path) -> bool:
    """Whether a server holds the data dir's lock."""
    try:
        descriptor = os.open(path / LOCK_NAME, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)  # also lets go of the lock, if this probe got it
    return False


def running(path: Path) -> dict[str, Any] | None:
    """The running server's ``server.json``, or None when no server runs there."""
    if not is_running(path):
        return None
    try:
        info = json.loads((path / INFO_NAME).read_text())
    except (OSError, ValueError):
        return None  # starting: locked, not yet listening
    return info if isinstance(info, dict) else None


def stop(path: Path, pid: int, timeout: float) -> bool:
    """Ask the server to stop (SIGTERM) and wait until it has; False if it outlasts ``timeout``."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return not is_running(path)
    deadline = time.monotonic() + timeout
    while is_running(path):
        if time.monotonic() >= deadline:
            return False
        time.sleep(STOP_POLL_SECONDS)  # another process's exit: there is no clock to inject
    return True
