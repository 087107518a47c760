"""Serving until told to stop: uvicorn (h11, asyncio) over ``http/asgi.App``.

A start refused for its options or its data dir raises ``ServeError`` before anything is bound.
Once listening the server writes ``server.json``; SIGTERM or SIGINT stop it gracefully: it
stops accepting, lets requests in flight finish (open event streams end), removes
``server.json`` and returns. ``idle_timeout`` stops it the same way after that long without a
request in flight.
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import socket
import sys
import time
from collections.abc import Callable

import uvicorn

from asst_engine.assemble import ServeConfig, assemble
from asst_engine.http.asgi import Activity, App
from asst_engine.http.keys import Keys
from asst_engine.process.state import DataDir, ServeError

# How long requests in flight may take to finish once a stop is asked for.
GRACE_SECONDS = 5
LOOPBACK_NAMES = ("localhost",)


def serve(config: ServeConfig, version: str) -> None:
    """Serve until stopped; ``ServeError`` when the server must not start."""
    _check(config)
    data_dir = DataDir(config.data_dir)
    data_dir.lock()
    try:
        # After the lock: opening the store cleans up after a crashed server, never a live one.
        assembly = assemble(config)
        try:
            listener = _bind(config.host, config.port)
        except ServeError:
            assembly.close()
            raise
        app = App(assembly.engine, Keys(config.keys), config.data_dir, assembly.close)
        url = _url(config, listener.getsockname()[1])

        def ready() -> None:
            data_dir.announce(url, version)
            keys = f"{len(config.keys)} API key(s)" if config.keys else "no API keys (loopback)"
            print(f"asst serve: listening on {url} ({keys}; data dir {config.data_dir})",
                  file=sys.stderr, flush=True)  # fmt: skip

        _logging(config.log_level)
        idle = Idle(config.idle_timeout, app.activity, assembly.busy)
        server = Server(_uvicorn_config(app, config), app, idle, ready)
        # uvicorn re-raises the stop signal once it has shut down; a no-op handler makes that
        # a clean exit (0) instead of death by the signal.
        for stop in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop, lambda *_: None)
        server.run(sockets=[listener])
    finally:
        data_dir.release()


class Server(uvicorn.Server):
    """uvicorn's server, announcing itself once listening and stopping when idle."""

    def __init__(
        self,
        config: uvicorn.Config,
        app: App,
        idle: Idle,
        ready: Callable[[], None],
    ) -> None:
        super().__init__(config)
        self.app = app
        self.idle = idle
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.ready()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # First, so the grace period is not spent waiting on streams of hung runs.
        self.app.end_streams()
        await super().shutdown(sockets)

    async def on_tick(self, counter: int) -> bool:
        if self.idle.over(time.monotonic()):
            message = "no request and no active run for %g s (--idle-timeout): stopping"
            logging.getLogger("asst.serve").info(message, self.idle.timeout)
            self.should_exit = True
        return await super().on_tick(counter)


class Idle:
    """``--idle-timeout``: no request in flight, no run in hand, for ``timeout`` seconds."""

    def __init__(self, timeout: float | None, activity: Activity, busy: Callable[[], bool]) -> None:
        self.timeout = timeout
        self.activity = activity
        self.busy = busy

    def over(self, now: float) -> bool:
        if self.timeout is None:
            return False
        if self.busy():
            # A run at work counts as activity: the idle period starts when it is done.
            self.activity.last = now
            return False
        return self.activity.idle_for(now) >= self.timeout


def _check(config: ServeConfig) -> None:
    if not config.keys and not _is_loopback(config.host):
        raise ServeError(
            f"refusing to serve {config.host} without API keys: anyone who reaches it could use "
            "it; give --api-key (or ASST_SERVE_API_KEYS, --api-key-file) or bind 127.0.0.1"
        )
    if (config.tls_cert is None) != (config.tls_key is None):
        raise ServeError("TLS needs both --tls-cert and --tls-key")


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP said outright: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    # sockets whose protocol says TCP, and with it on every answer on a reused connection
    # waits ~40 ms for the client's delayed ACK.
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    return listener


def _url(config: ServeConfig, port: int) -> str:
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(config.host, config.host)
    if ":" in host:
        host = f"[{host}]"
    scheme = "https" if config.tls_cert else "http"
    return f"{scheme}://{host}:{port}"


def _uvicorn_config(app: App, config: ServeConfig) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http="h11",
        loop="asyncio",
        ws="none",
        lifespan="on",
        interface="asgi3",
        log_config=None,
        access_log=False,  # the app writes its own access log, with request ids
        server_header=False,
        timeout_graceful_shutdown=GRACE_SECONDS,
        ssl_certfile=str(config.tls_cert) if config.tls_cert else None,
        ssl_keyfile=str(config.tls_key) if config.tls_key else None,
    )


def _logging(level: str) -> None:
    """Access log and server messages on stderr, one line each."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    for name in ("asst.serve", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.setLevel(level.upper())
        logger.addHandler(handler)
        logger.propagate = False
