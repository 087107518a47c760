"""The ASGI app of ``asst serve`` called directly (no sockets): limits, request ids, streams."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from asst_engine import Engine
from asst_engine.http import asgi
from asst_engine.http.keys import Keys

OPENAI = [(b"authorization", b"Bearer sk-test"), (b"openai-beta", b"assistants=v2")]


async def exchange(
    app: asgi.App,
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    pieces: list[bytes],
    started: asyncio.Event | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request, its body sent in ``pieces`` without a Content-Length (as chunked);
    ``started`` is set once the answer's headers are out."""
    queue = [{"type": "http.request", "body": piece, "more_body": True} for piece in pieces]
    queue.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if started is not None:
            started.set()

    path, _, query = path.partition("?")
    scope = {"type": "http", "method": method, "path": path, "query_string": query.encode(),
             "headers": headers, "client": ("127.0.0.1", 1)}  # fmt: skip
    await app(scope, receive, send)
    start = sent[0]
    got = {name.decode(): value.decode() for name, value in start["headers"]}
    return start["status"], got, b"".join(m.get("body", b"") for m in sent[1:])


def call(app: asgi.App, method: str, path: str, *pieces: bytes, headers: Any = None) -> Any:
    return asyncio.run(
        exchange(app, method, path, OPENAI if headers is None else headers, list(pieces))
    )


@pytest.fixture
def app() -> Iterator[asgi.App]:
    served = asgi.App(Engine.deterministic("asgi"))
    yield served
    served.close()


def too_large(limit: str) -> dict[str, Any]:
    return {"error": {
        "message": f"The request body is too large: the limit is {limit}.",
        "type": "invalid_request_error", "param": None, "code": "request_too_large",
    }}  # fmt: skip


def test_a_chunked_json_body_over_the_limit_is_413(
    app: asgi.App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asgi, "JSON_LIMIT", 2 * 1024 * 1024)
    status, _, body = call(
        app, "POST", "/v1/assistants", b"x" * 1024 * 1024, b"x" * 1024 * 1024, b"x"
    )
    assert (status, json.loads(body)) == (413, too_large("2 MB"))


def test_a_chunked_upload_over_the_limit_is_413(
    app: asgi.App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asgi, "FILE_LIMIT", 1024 * 1024)
    headers = [*OPENAI, (b"content-type", b"multipart/form-data; boundary=b")]
    part = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\n'
    status, _, body = call(app, "POST", "/v1/files", part, b"y" * 1024 * 1024, headers=headers)
    assert (status, json.loads(body)) == (413, too_large("1 MB"))


def test_an_upload_in_many_pieces_is_stored_whole(app: asgi.App) -> None:
    headers = [*OPENAI, (b"content-type", b'multipart/form-data; boundary="b"')]
    body = (
        b'--b\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="C:\\\\dir\\\\n.txt"\r\n\r\n'
        b"hello, world\r\n--b--\r\n"
    )
    pieces = [body[index : index + 7] for index in range(0, len(body), 7)]
    status, _, made = call(app, "POST", "/v1/files", *pieces, headers=headers)
    file = json.loads(made)
    assert (status, file["bytes"], file["filename"]) == (200, 12, "n.txt")
    status, got, content = call(app, "GET", f"/v1/files/{file['id']}/content")
    assert (status, got["content-length"], content) == (200, "12", b"hello, world")


def test_a_key_the_server_lacks_is_401(app: asgi.App) -> None:
    keyed = asgi.App(Engine.deterministic("asgi"), Keys(["sk-right-key-1234"]))
    try:
        status, got, body = call(keyed, "GET", "/v1/assistants")
    finally:
        keyed.close()
    assert (status, json.loads(body)["error"]["message"]) == (
        401, "Incorrect API key provided: *******.",
    )  # fmt: skip
    assert got["x-request-id"].startswith("req_")


def test_closing_the_app_ends_a_hung_stream(app: asgi.App) -> None:
    made = json.loads(call(app, "POST", "/v1/assistants", b'{"model": "m"}')[2])
    request = json.dumps({
        "assistant_id": made["id"], "stream": True,
        "thread": {"messages": [{"role": "user", "content": "please hang"}]},
    }).encode()  # fmt: skip

    async def hang_then_close() -> tuple[int, dict[str, str], bytes]:
        started = asyncio.Event()
        streaming = asyncio.create_task(
            exchange(app, "POST", "/v1/threads/runs", OPENAI, [request], started)
        )
        await started.wait()  # the run is hung: its stream waits for it in the pool
        app.end_streams()
        # Bounded: a stream that never ends fails the test instead of hanging it.
        return await asyncio.wait_for(streaming, 10)

    status, got, body = asyncio.run(hang_then_close())
    names = [
        line.split(": ", 1)[1] for line in body.decode().splitlines() if line.startswith("event: ")
    ]
    assert (status, got["content-type"]) == (200, "text/event-stream; charset=utf-8")
    assert names[-1] == "thread.run.in_progress"
    assert "transfer-encoding" not in got and "content-length" not in got
