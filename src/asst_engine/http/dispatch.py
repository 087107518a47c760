"""From an HTTP request (method, target, headers, body) to a reply, without any sockets.

Injected faults (``Engine.faults``, see ``testing/faults.py``) come first; then the order of
checks is the real services': dialect prefix → credential → dialect rules (``api-version``,
``OpenAI-Beta``) → route → method → body → handler. Every handler runs under the engine's lock
and in one unit of work of its store, so the state is consistent for concurrent requests.
Keeping this free of sockets lets any HTTP adapter (``http/asgi.py`` for ``asst serve``, the
stdlib test server) and an embedded backend call ``dispatch`` directly.

With ``keys`` (``http/keys.py``) a request's credential must be one of them, and its handler
works in the unit of work of that key's owner, so each key sees only its own objects.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import parse_qsl, urlsplit

from asst_engine.engine import Engine
from asst_engine.errors import EngineError
from asst_engine.http.dialects import OPENAI, Dialect, authenticate, check_request, detect
from asst_engine.http.exchange import Download, EventStream, Reply, Request
from asst_engine.http.keys import Keys
from asst_engine.http.multipart import Form
from asst_engine.http.routes import match


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    # What is sent after ``body``, as it comes: the events of a ``text/event-stream`` whose run
    # is still going, which block until the run moves on (see ``streams``), or the pieces of a
    # download (``Content-Length`` then says how many bytes in all).
    later: Iterator[bytes] | None = None


PIECE = 64 * 1024


def _pieces(content: BinaryIO) -> Iterator[bytes]:
    with content:
        while piece := content.read(PIECE):
            yield piece


def dispatch(
    engine: Engine,
    method: str,
    target: str,
    headers: Mapping[str, str],
    raw: bytes,
    keys: Keys | None = None,
    form: Form | None = None,
) -> Response:
    """Answer one request; ``headers`` may use any case. ``form``: the multipart body, when
    the adapter has parsed it already (``raw`` is then empty).

    Raises ``ConnectionDropped`` when the engine is to drop this request unanswered.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    url = urlsplit(target)
    query = dict(parse_qsl(url.query, keep_blank_values=True))
    found = detect(url.path)
    dialect = found[0] if found else OPENAI
    fault = engine.arrive()  # outside the try: a dropped connection must propagate
    try:
        if fault is not None:
            raise fault
        if found is None:
            raise EngineError(404, f"Invalid URL ({method} {url.path})")
        request = Request(dialect, method, found[1], {}, query, lowered, raw, form)
        reply = _handle(engine, request, url.path, keys)
    except EngineError as error:
        reply = Reply(error.envelope(), error.status, error.headers)
    except Exception:
        traceback.print_exc(file=sys.stderr)
        server = EngineError(500, "The server had an error while processing your request.")
        server.type = "server_error"
        reply = Reply(server.envelope(), 500)
    return _encode(dialect, reply)


def refuse(target: str, error: EngineError) -> Response:
    """``error`` in the shape of the dialect ``target`` speaks: for what an HTTP adapter refuses
    before dispatching (a body over its limit)."""
    found = detect(urlsplit(target).path)
    dialect = found[0] if found else OPENAI
    return _encode(dialect, Reply(error.envelope(), error.status, error.headers))


def _handle(engine: Engine, request: Request, full_path: str, keys: Keys | None) -> Reply:
    authenticate(request.dialect, request.headers)
    owner = keys.owner(request.dialect.credential(request.headers)) if keys else None
    check_request(request.dialect, request.path, request.query, request.headers)
    handler, params = match(request.method, request.path, full_path)
    request.params = params
    with engine.lock, engine.store.unit_of_work(owner):
        result = handler(engine, request)
        reply = result if isinstance(result, Reply) else Reply(result)
        if not isinstance(reply.body, (bytes, EventStream, Download)):
            # Render (a deep copy) while locked: the stored objects may change right after.
            reply.body = request.dialect.render(reply.body)
    return reply


def _encode(dialect: Dialect, reply: Reply) -> Response:
    if isinstance(reply.body, EventStream):
        return Response(reply.status, reply.headers, reply.body.now, reply.body.later)
    if isinstance(reply.body, bytes):
        return Response(reply.status, reply.headers, reply.body)
    if isinstance(reply.body, Download):
        headers = {**reply.headers, "Content-Length": str(reply.body.size)}
        return Response(reply.status, headers, b"", _pieces(reply.body.content))
    body = reply.body
    if reply.status >= 400:
        body = dialect.render(body)
    data = json.dumps(body, indent=2, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", **reply.headers}
    return Response(reply.status, headers, data)
