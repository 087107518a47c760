"""A deterministic OpenAI-compatible chat-completions server for tests and benchmarks.

``POST /v1/chat/completions`` (streamed or not), ``GET /v1/models``, ``POST /v1/embeddings``
(hashed bag-of-words vectors, 64 dimensions, unit length). What it answers is scripted by the
last user message (see ``fake_script``). ``GET /_requests`` lists every request it received
(``DELETE /_requests`` forgets them); in-process, ``FakeModel.requests()`` does the same.

Run it: ``python -m asst_engine.testing.fake_model --port 0`` prints its ``/v1`` URL.
"""

from __future__ import annotations

import argparse
import json
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from asst_engine.testing import fake_script
from asst_engine.testing.fake_script import Answer, Refusal
from asst_engine.testing.server import POLL_INTERVAL

CREATED = 1767225600
KEEPALIVE = 0.1  # seconds between SSE comments while hanging, to notice a closed client


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    body: Any  # the parsed JSON body, or None


class FakeModel:
    """The server; ``with FakeModel() as fake:`` serves on a free loopback port."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token_delay_ms: int = 0,
        first_token_delay_ms: int = 0,
        api_key: str | None = None,
        models: tuple[str, ...] = ("fake-model",),
    ) -> None:
        self.token_delay = token_delay_ms / 1000
        self.first_token_delay = first_token_delay_ms / 1000
        self.api_key = api_key
        self.models = models
        self.stopping = threading.Event()
        self.seen: Counter[str] = Counter()
        self._recorded: list[Recorded] = []
        self._lock = threading.Lock()
        self._server = _Server((host, port), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeModel:
        # The engine's short poll interval: stop() waits up to one interval (default 0.5 s).
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL_INTERVAL,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> FakeModel:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._recorded)

    def clear(self) -> None:
        with self._lock:
            self._recorded.clear()
            self.seen.clear()

    def record(self, entry: Recorded) -> None:
        with self._lock:
            self._recorded.append(entry)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Benchmarks open many connections at once; the default backlog of 5 drops some of them.
    request_queue_size = 256


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Small answers go out at once, as from a real model server: with Nagle's algorithm a reused
    # connection's next request waits ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True
    server_version = "asst-fake-model"

    @property
    def fake(self) -> FakeModel:
        return self.server.fake  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and benchmarks read the recorded requests instead."""

    def do_GET(self) -> None:
        if self.path == "/_requests":
            recorded = [vars(entry) for entry in self.fake.requests()]
            return self._json(200, recorded)
        self.fake.record(Recorded("GET", self.path, None))
        if not self._authorized():
            return None
        if self.path == "/v1/models":
            data = [
                {"id": m, "object": "model", "created": CREATED, "owned_by": "asst"}
                for m in self.fake.models
            ]
            return self._json(200, {"object": "list", "data": data})
        return self._refuse(
            fake_script.error(404, f"Unknown path {self.path}.", "invalid_request_error")
        )

    def do_DELETE(self) -> None:
        if self.path != "/_requests":
            return self._refuse(
                fake_script.error(404, f"Unknown path {self.path}.", "invalid_request_error")
            )
        self.fake.clear()
        return self._json(200, [])

    def do_POST(self) -> None:
        body = self._body()
        self.fake.record(Recorded("POST", self.path, body))
        if not self._authorized():
            return None
        if self.path == "/v1/embeddings":
            found = fake_script.embeddings(body)
            return self._refuse(found) if isinstance(found, Refusal) else self._json(200, found)
        if self.path != "/v1/chat/completions":
            return self._refuse(
                fake_script.error(404, f"Unknown path {self.path}.", "invalid_request_error")
            )
        answer = fake_script.answer(body, self.fake.seen)
        if isinstance(answer, Refusal):
            return self._refuse(answer)
        if self.fake.stopping.wait(answer.sleep_ms / 1000):
            return None
        meta = {
            "id": f"chatcmpl-{len(self.fake.requests())}",
            "created": CREATED,
            "model": body["model"],
            "system_fingerprint": "fp_fake",
        }
        if body.get("stream"):
            usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return self._stream(answer, fake_script.chunks(answer, meta, usage))
        return self._json(200, fake_script.completion(answer, meta))

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _authorized(self) -> bool:
        key = self.fake.api_key
        given = self.headers.get("api-key") or self.headers.get("Authorization", "").removeprefix(
            "Bearer "
        )
        if key is None or given == key:
            return True
        self._refuse(
            fake_script.error(
                401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
            )
        )
        return False

    def _refuse(self, refusal: Refusal) -> None:
        self._json(refusal.status, refusal.body, refusal.headers)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, answer: Answer, chunks: list[dict[str, Any]]) -> None:
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            self._send_chunks(answer, chunks)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client went away (a cancelled run): nothing left to say

    def _send_chunks(self, answer: Answer, chunks: list[dict[str, Any]]) -> None:
        stopping = self.fake.stopping
        self._event(chunks[0])
        if answer.hang:
            while not stopping.wait(KEEPALIVE):
                self.wfile.write(b": keepalive\n\n")
                self.wfile.flush()
            return
        if stopping.wait(self.fake.first_token_delay):
            return
        for number, chunk in enumerate(chunks[1:]):
            if number and stopping.wait(self.fake.token_delay):
                return
            self._event(chunk)
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _event(self, chunk: dict[str, Any]) -> None:
        self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        self.wfile.flush()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m asst_engine.testing.fake_model", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (0: a free one)")
    parser.add_argument("--token-delay-ms", type=int, default=0, help="pause between chunks")
    parser.add_argument(
        "--first-token-delay-ms", type=int, default=0, help="pause before the first token"
    )
    parser.add_argument("--api-key", default=None, help="refuse requests without this key (401)")
    options = parser.parse_args(argv)
    fake = FakeModel(
        options.host,
        options.port,
        token_delay_ms=options.token_delay_ms,
        first_token_delay_ms=options.first_token_delay_ms,
        api_key=options.api_key,
    )
    print(fake.url, flush=True)
    try:
        fake.start()
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
