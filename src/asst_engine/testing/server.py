"""A test server: a stdlib ``ThreadingHTTPServer`` that hands each request to ``dispatch``.

Never the server path (``asst serve`` runs ``http/asgi`` on uvicorn). Tests keep it for what an
ASGI application cannot do: drop a connection without an answer (the ``drop_every`` fault), and
record cassettes from a server in the test's own thread whose ``Date`` follows the engine's
stepping clock. ``serve()`` starts one in a background thread (port 0 and ``server.url``) and
``server.stop()`` shuts it down; ``python -m asst_engine`` serves in the foreground instead.
"""

from __future__ import annotations

import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asst_engine.engine import Engine
from asst_engine.errors import ConnectionDropped
from asst_engine.http.dispatch import Response, dispatch

SERVER_NAME = "asst-engine"
POLL_INTERVAL = 0.05


class EngineServer(ThreadingHTTPServer):
    """An HTTP server bound to one ``Engine``."""

    daemon_threads = True

    def __init__(self, host: str, port: int, engine: Engine) -> None:
        super().__init__((host, port), EngineHandler)
        self.engine = engine
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://host:port`` with the port actually bound (useful after port 0)."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> EngineServer:
        # A short poll interval makes ``stop()`` quick, which keeps test teardown fast.
        self.thread = threading.Thread(
            target=self.serve_forever, args=(POLL_INTERVAL,), name=SERVER_NAME, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        # Streams of hung runs would otherwise poll the engine from their threads forever,
        # slowing every later test in the process.
        self.engine.end_streams()
        self.shutdown()
        self.server_close()
        if self.thread is not None:
            self.thread.join()


class EngineHandler(BaseHTTPRequestHandler):
    # HTTP/1.1 keep-alive, as SDK clients expect; every reply carries a Content-Length.
    protocol_version = "HTTP/1.1"
    # Small answers go out at once: with Nagle's algorithm a reused connection's next request
    # waits ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True
    server: EngineServer

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_DELETE(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()

    def do_PATCH(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        # Read the whole body even when the request will be refused, to keep the connection usable.
        raw = self.rfile.read(length) if length else b""
        headers = dict(self.headers.items())
        try:
            response = dispatch(self.server.engine, self.command, self.path, headers, raw)
        except ConnectionDropped:
            self.close_connection = True  # an injected fault: no answer, the socket just closes
            return
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.headers.get("Content-Type", "").startswith("text/event-stream"):
            self._send_chunked(response)
            return
        if "Content-Length" not in response.headers:  # a download sends its own
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        for piece in itertools.chain([response.body], response.later or ()):
            self.wfile.write(piece)

    def _send_chunked(self, response: Response) -> None:
        """An event stream goes out chunked, as from the real service: its length is unknown
        while a hung run may still add events."""
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            # chain, not a list: ``later`` blocks until the run moves on, after ``body`` is out.
            for chunk in itertools.chain([response.body], response.later or ()):
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True  # the client went away mid-stream

    def version_string(self) -> str:
        """No Python version in the Server header: cassettes must not depend on the recorder."""
        return SERVER_NAME

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header follows the engine's clock, so deterministic mode records fixed dates."""
        return super().date_time_string(self.server.engine.clock.peek())

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a test server must not write a line per request."""


def make_server(
    host: str = "127.0.0.1", port: int = 0, engine: Engine | None = None
) -> EngineServer:
    """A bound but not yet serving server."""
    return EngineServer(host, port, engine or Engine())


def serve(host: str = "127.0.0.1", port: int = 0, engine: Engine | None = None) -> EngineServer:
    """Serve ``engine`` in a background thread; call ``stop()`` on the result to shut it down."""
    return make_server(host, port, engine).start()
