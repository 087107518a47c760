"""The HTTP adapter of ``asst serve``: an ASGI application over ``dispatch``.

Served by uvicorn (``process/``), it does what a production server needs around the protocol:
- ``dispatch`` (which takes the engine's lock) runs in a thread pool, never on the event loop;
  a ``text/event-stream`` answer is sent as its events come, each awaited in the pool too;
- uploads stream to temporary files as they arrive (``uploads``), never whole in memory;
- bodies are bounded (files up to 512 MB like the service, other bodies ``JSON_LIMIT``): a
  bigger one is a 413 in the dialect's error shape, refused before it is read when its
  ``Content-Length`` says so;
- every answer carries ``x-request-id`` (the client's own, when it sends one);
- ``/health`` and ``/healthz`` answer without credentials;
- one access-log line per request: client, method, path, status, duration, request id (the
  query and headers, which may carry credentials, are left out).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from asst_engine.engine import Engine
from asst_engine.errors import EngineError
from asst_engine.http.dialects import detect
from asst_engine.http.dispatch import Response, dispatch, refuse
from asst_engine.http.keys import Keys
from asst_engine.http.uploads import StreamedForm

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
T = TypeVar("T")

FILE_LIMIT = 512 * 1024 * 1024  # the service's limit for one uploaded file
JSON_LIMIT = 32 * 1024 * 1024  # far beyond any request the protocol allows, yet bounded
HEALTH_PATHS = ("/health", "/healthz")
# Each open event stream holds a worker while it waits for its run, so there are many.
WORKERS = 64
ACCESS_LOG = logging.getLogger("asst.serve.access")


class TooLarge(Exception):
    """A body over its limit; carries the limit for the error message."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


@dataclass
class Activity:
    """What the idle timeout goes by: requests in flight, and when the last one ended."""

    in_flight: int = 0
    last: float = 0.0

    def idle_for(self, now: float) -> float:
        return 0.0 if self.in_flight else now - self.last


class App:
    """The ASGI application serving one engine."""

    def __init__(
        self,
        engine: Engine,
        keys: Keys | None = None,
        spool: Path | None = None,
        closing: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.keys = keys or None
        # What ends the engine and its store once no request is left (``assemble``).
        self.closing = closing or engine.close
        # Where uploads wait to be stored (the data dir: /tmp may be memory); None: the default.
        self.spool = spool
        self.pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="asst-serve")
        self.activity = Activity(last=time.monotonic())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await asyncio.get_running_loop().run_in_executor(None, self.close)
                await send({"type": "lifespan.shutdown.complete"})
                return

    def end_streams(self) -> None:
        """End the event streams still open (a stopping server does not wait on hung runs)."""
        self.engine.end_streams()

    def close(self) -> None:
        """End open event streams, wait for the requests still in the pool, then stop the
        engine (its background work, then its store)."""
        self.end_streams()
        self.pool.shutdown(wait=True)
        self.closing()

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.monotonic()
        self.activity.in_flight += 1
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = headers.get("x-request-id") or f"req_{uuid.uuid4().hex}"
        status = 500
        try:
            status = await self._answer(scope, receive, send, headers, request_id)
        finally:
            self.activity.in_flight -= 1
            self.activity.last = time.monotonic()
            client = scope.get("client") or ("-", 0)
            elapsed = (self.activity.last - started) * 1000
            ACCESS_LOG.info(
                '%s "%s %s" %d %.1fms %s',
                client[0], scope["method"], scope["path"], status, elapsed, request_id,
            )  # fmt: skip

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str], request_id: str
    ) -> int:
        target = _target(scope)
        if scope["method"] == "GET" and scope["path"] in HEALTH_PATHS:
            body = json.dumps({"status": "ok"}).encode()
            response = Response(200, {"Content-Type": "application/json"}, body)
            return await _send(send, response, request_id, self._call)
        try:
            if _is_upload(scope, headers):
                response = await self._upload(receive, target, headers)
            else:
                raw = await _read_body(receive, headers, JSON_LIMIT)
                response = await self._call(
                    dispatch, self.engine, scope["method"], target, headers, raw, self.keys
                )
        except TooLarge as error:
            response = _too_large(target, error.limit)
        return await _send(send, response, request_id, self._call)

    async def _upload(self, receive: Receive, target: str, headers: dict[str, str]) -> Response:
        """A file upload: its parts streamed to temporary files, then dispatched."""
        try:
            form = StreamedForm(headers.get("content-type", ""), self.spool)
        except EngineError as error:
            return refuse(target, error)
        try:
            async for piece in _body(receive, headers, FILE_LIMIT):
                await self._call(form.write, piece)
            parsed = await self._call(form.finish)
            return await self._call(
                dispatch, self.engine, "POST", target, headers, b"", self.keys, parsed
            )
        except EngineError as error:
            return refuse(target, error)
        finally:
            form.close()

    async def _call(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in the pool: it may block (the engine's lock, a waiting stream)."""
        return await asyncio.get_running_loop().run_in_executor(self.pool, function, *args)


def _target(scope: Scope) -> str:
    path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


def _is_upload(scope: Scope, headers: dict[str, str]) -> bool:
    """A multipart POST to ``/files``, the one multipart operation, streamed to disk."""
    found = detect(scope["path"])
    return (
        scope["method"] == "POST"
        and found is not None
        and found[1] == "/files"
        and headers.get("content-type", "").lower().startswith("multipart/form-data")
    )


def _too_large(target: str, limit: int) -> Response:
    message = f"The request body is too large: the limit is {limit // (1024 * 1024)} MB."
    return refuse(target, EngineError(413, message, code="request_too_large"))


async def _body(receive: Receive, headers: dict[str, str], limit: int) -> AsyncIterator[bytes]:
    """The body as it arrives, refused (``TooLarge``) as soon as it is known to pass ``limit``."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(limit)
    received = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        piece = message.get("body", b"")
        received += len(piece)
        if received > limit:
            raise TooLarge(limit)
        if piece:
            yield piece
        if not message.get("more_body", False):
            return


async def _read_body(receive: Receive, headers: dict[str, str], limit: int) -> bytes:
    return b"".join([piece async for piece in _body(receive, headers, limit)])


Call = Callable[..., Awaitable[Any]]


async def _send(send: Send, response: Response, request_id: str, call: Call) -> int:
    """Headers, the body, then what comes later (events of a stream, pieces of a download)."""
    headers = [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()
    ]
    headers.append((b"x-request-id", request_id.encode("latin-1")))
    # An event stream goes out chunked, as from the service, even when all its events are known.
    streamed = response.headers.get("Content-Type", "").startswith("text/event-stream")
    if not streamed and all(name != b"content-length" for name, _ in headers):
        headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    if response.later is None and not streamed:
        await send({"type": "http.response.body", "body": response.body})
        return response.status
    await send({"type": "http.response.body", "body": response.body, "more_body": True})
    later: Iterator[bytes] = response.later or iter(())
    while (chunk := await call(next, later, None)) is not None:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})
    return response.status
