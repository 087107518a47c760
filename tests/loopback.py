"""Servers on 127.0.0.1 for faults neither a cassette nor the engine's switches can hold.

- ``Stub``: answers every request with what a function returns (a server that misbehaves in one
  precise way, e.g. repeating a page cursor).
- ``LossyProxy``: forwards to a real engine and, for chosen requests, lets the engine do the work
  but closes the connection instead of passing the answer on: the "lost answer" a client must
  retry without doing the work twice.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from asst_engine.testing.server import POLL_INTERVAL

Answer = tuple[int, dict[str, str], bytes]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        # The engine's short poll interval: shutdown() waits up to one interval (default 0.5 s).
        self.thread = threading.Thread(
            target=self.serve_forever, args=(POLL_INTERVAL,), daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, *_: Any) -> None:
        """A client that gave up leaves a closed socket behind; that is expected here."""

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, *_: Any) -> None:
        """Quiet: a test asserts on what asst prints, not on this server's log."""

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _reply(self, answer: Answer) -> None:
        status, headers, body = answer
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in {"content-length", "transfer-encoding", "connection"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        self.server.serve(self)

    do_GET = do_POST = do_DELETE = _handle


class Stub(_Server):
    """Answers each request with ``answer(method, path)`` as JSON; a tuple (status, headers,
    JSON) with that status and those headers; an answer in bytes is sent as a body cut off part
    way (the connection closes before the length it announced), a list of bytes as a chunked
    body."""

    def __init__(self, answer: Callable[[str, str], Any]) -> None:
        self.answer = answer
        self.seen: list[str] = []
        super().__init__(_Handler)

    def serve(self, handler: _Handler) -> None:
        handler._body()
        self.seen.append(f"{handler.command} {handler.path}")
        answer = self.answer(handler.command, handler.path)
        if isinstance(answer, list):  # JSON text in chunks, its length never announced
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()
            for chunk in answer:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            handler.wfile.write(b"0\r\n\r\n")
            return
        if isinstance(answer, tuple):  # (status, headers, JSON): an error, a Retry-After
            status, headers, body = answer
            headers = {"Content-Type": "application/json", **headers}
            handler._reply((status, headers, json.dumps(body).encode()))
            return
        if isinstance(answer, bytes):
            handler.send_response(200)
            handler.send_header("Content-Type", "application/octet-stream")
            handler.send_header("Content-Length", str(len(answer) + 1000))
            handler.end_headers()
            handler.wfile.write(answer)
            handler.close_connection = True
            return
        handler._reply((200, {"Content-Type": "application/json"}, json.dumps(answer).encode()))


class LossyProxy(_Server):
    """Forwards to ``upstream``; the answers to requests ``lose`` picks are done, then lost.

    ``lose(method, path)`` is asked once per request (the query string left off the path).
    """

    def __init__(
        self,
        upstream: str,
        lose: Callable[[str, str], bool],
        refuse: Callable[[str, str], bool] = lambda *_: False,
    ) -> None:
        self.upstream = urlsplit(upstream)
        self.lose = lose
        self.refuse = refuse
        self.lost: list[str] = []
        self.seen: list[str] = []
        super().__init__(_Handler)

    def serve(self, handler: _Handler) -> None:
        body = handler._body()
        path = handler.path.split("?")[0]
        self.seen.append(f"{handler.command} {path}")
        if self.refuse(handler.command, path):  # an outage: the engine never sees it
            outage = {"error": {"message": "unavailable", "type": "server_error"}}
            handler._reply((503, {"Content-Type": "application/json"}, json.dumps(outage).encode()))
            return
        answer = self._forward(handler.command, handler.path, dict(handler.headers), body)
        if self.lose(handler.command, path):
            self.lost.append(f"{handler.command} {path}")
            handler.close_connection = True
            return  # the work is done upstream; the client never hears of it
        handler._reply(answer)

    def _forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        connection = http.client.HTTPConnection(str(self.upstream.hostname), self.upstream.port)
        try:
            headers["Host"] = f"{self.upstream.hostname}:{self.upstream.port}"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()


def _patterns(requests: tuple[str, ...]) -> list[re.Pattern[str]]:
    """``"METHOD /path"`` patterns, ``*`` matching within a path segment."""
    return [re.compile(re.escape(r).replace(r"\*", "[^/]*") + "$") for r in requests]


def lose_first(*requests: str) -> Callable[[str, str], bool]:
    """Lose the answer to the first request matching each pattern given, once each."""
    pending = _patterns(requests)

    def lose(method: str, path: str) -> bool:
        hit = next((p for p in pending if p.match(f"{method} {path}")), None)
        if hit is not None:
            pending.remove(hit)
        return hit is not None

    return lose


def every(*requests: str) -> Callable[[str, str], bool]:
    """Every request matching one of the patterns given."""
    patterns = _patterns(requests)
    return lambda method, path: any(p.match(f"{method} {path}") for p in patterns)
