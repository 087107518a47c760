"""The part of ``asst serve`` the local backend relies on (SERVE.md contract 4), on the stdlib
engine server: server.json while listening, server.lock, /health, keys from a file, idle stop,
SIGTERM. Tests only (see sitecustomize.py)."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from asst_cli import __version__
from asst_engine.engine import Engine
from asst_engine.http.server import EngineHandler, EngineServer


class Server(EngineServer):
    keys: frozenset[str]
    last = 0.0


class Handler(EngineHandler):
    server: Server

    def _answer(self) -> None:
        self.server.last = time.monotonic()
        if self.headers.get("Authorization", "").removeprefix("Bearer ") not in self.server.keys:
            self._reply(401, {"error": {"message": "invalid api key", "type": "invalid_request"}})
        elif self.path == "/health":
            self._reply(200, {"status": "ok"})
        else:
            super()._answer()

    def _reply(self, status: int, body: object) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def _idle(server: Server, seconds: float) -> None:
    while time.monotonic() - server.last < seconds:
        time.sleep(0.1)
    server.shutdown()


def serve(
    host: str = "127.0.0.1",
    port: int = 8787,
    data_dir: Annotated[Path, typer.Option()] = Path(),
    api_key_file: Annotated[Path, typer.Option()] = Path(),
    idle_timeout: float = 900,
) -> None:
    """A stand-in for asst serve (tests only)."""
    lock = (data_dir / "server.lock").open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"Error: a server already runs for {data_dir}", file=sys.stderr)
        raise typer.Exit(2) from None
    server = Server(host, port, Engine())
    server.RequestHandlerClass = Handler
    server.keys = frozenset(api_key_file.read_text().split())
    server.last = time.monotonic()
    record = {"pid": os.getpid(), "url": server.url, "started_at": int(time.time())}
    record.update(version=__version__, data_dir=str(data_dir))
    (data_dir / ".server.json").write_text(json.dumps(record))
    (data_dir / ".server.json").replace(data_dir / "server.json")
    print(f"serving on {server.url}", file=sys.stderr, flush=True)
    stop = lambda *_: threading.Thread(target=server.shutdown).start()  # noqa: E731
    signal.signal(signal.SIGTERM, stop)
    threading.Thread(target=_idle, args=(server, idle_timeout), daemon=True).start()
    try:
        server.serve_forever(0.05)
    finally:
        (data_dir / "server.json").unlink(missing_ok=True)
        server.server_close()
