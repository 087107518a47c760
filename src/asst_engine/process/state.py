"""What a running server leaves in its data dir, for clients to find it and for a second
server to be refused.

- ``server.lock``: held (an exclusive ``flock``) for the server's whole life; the operating
  system releases it when the process ends however it ends, so a lock that can be taken means
  no server runs, whatever stale ``server.json`` a ``kill -9`` left behind.
- ``server.json``: ``{"pid", "url", "started_at", "version", "data_dir"}``, written atomically
  (a temporary file renamed into place) once the server listens, removed when it stops.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import IO

LOCK_NAME = "server.lock"
INFO_NAME = "server.json"


class ServeError(Exception):
    """A server that must not start (its data dir is taken, its options are refused)."""


class DataDir:
    """A server's data dir, locked while the server runs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[str] | None = None

    def lock(self) -> None:
        """Take the data dir; ``ServeError`` when another server holds it."""
        self.path.mkdir(parents=True, exist_ok=True)
        handle = (self.path / LOCK_NAME).open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            running = read_info(self.path)
            where = f" at {running['url']} (pid {running['pid']})" if running else ""
            raise ServeError(
                f"another server is using the data dir {self.path}{where}; stop it with "
                f"'asst serve stop --data-dir {self.path}' or choose another --data-dir"
            ) from None
        self.handle = handle
        # Holding the lock, any server.json is stale (its server was killed): until this one
        # listens, nobody may take it for a running server's.
        (self.path / INFO_NAME).unlink(missing_ok=True)

    def announce(self, url: str, version: str) -> None:
        """Write ``server.json``: the server listens at ``url``."""
        info = {
            "pid": os.getpid(),
            "url": url,
            "started_at": int(time.time()),
            "version": version,
            "data_dir": str(self.path),
        }
        temporary = self.path / f".{INFO_NAME}.{os.getpid()}"
        temporary.write_text(json.dumps(info, indent=2) + "\n")
        temporary.replace(self.path / INFO_NAME)

    def release(self) -> None:
        """Remove ``server.json`` and let the data dir go."""
        (self.path / INFO_NAME).unlink(missing_ok=True)
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def read_info(path: Path) -> dict[str, object] | None:
    """The ``server.json`` in ``path``, or None when absent or unreadable."""
    try:
        info = json.loads((path / INFO_NAME).read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None
