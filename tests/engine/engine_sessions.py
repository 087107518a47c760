"""Talking to an engine through ``dispatch`` (no sockets) with every exchange spec-checked.

``Session`` keeps the spec checker's complaints in ``problems``; ``events`` reads a
``text/event-stream`` body back into (name, data) pairs; ``error`` builds an error envelope.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from asst_engine import Engine, Response, dispatch

# spec_check lives in tests/, which pytest puts on sys.path only for modules directly in tests/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from spec_check import check_interaction

PREFIXES = {"openai": "/v1", "azure": "/openai", "foundry": "/api/projects/demo"}
VERSIONS = {"azure": "2024-05-01-preview", "foundry": "v1"}


class Session:
    """Sends requests in one dialect and keeps the spec checker's complaints.

    ``options`` are the engine's (``poll_after_ms``...); ``last`` is the latest response.
    """

    def __init__(self, dialect: str, **options: Any) -> None:
        self.dialect = dialect
        self.engine = Engine.deterministic(dialect, **options)
        self.problems: list[str] = []
        self.last: Response | None = None

    def call(
        self, method: str, path: str, body: Any = None, status: int = 200, **extra: Any
    ) -> Any:
        headers = {"Authorization": "Bearer token", "OpenAI-Beta": "assistants=v2"}
        raw = extra.get("raw", b"")
        if body is not None:
            raw = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        headers.update(extra.get("headers", {}))
        query = extra.get("query", "")
        if self.dialect in VERSIONS:
            query = "&".join(q for q in (f"api-version={VERSIONS[self.dialect]}", query) if q)
        target = PREFIXES[self.dialect] + path + (f"?{query}" if query else "")
        response = self.last = dispatch(self.engine, method, target, headers, raw)
        body = response.body
        if not response.headers.get("Content-Type", "").startswith("text/event-stream"):
            body += b"".join(response.later or ())  # a download's pieces
        assert response.status == status, (method, path, body)
        response_headers = {**response.headers, "Content-Length": str(len(body))}
        where = f"{method} {path} -> {response.status}"
        found = check_interaction(
            method,
            f"http://127.0.0.1{target}",
            headers,
            raw,
            response.status,
            response_headers,
            body,
        )
        if status >= 400:
            # Error paths send invalid requests on purpose; only the response is of interest.
            found = [problem for problem in found if not problem.startswith("request")]
        self.problems += [f"{where}: {problem}" for problem in found]
        is_json = response.headers.get("Content-Type") == "application/json"
        return json.loads(body) if is_json else body

    def upload(self, name: str, data: bytes) -> Any:
        boundary = "conformance"
        raw = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: text/plain\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        content_type = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.call("POST", "/files", raw=raw, headers=content_type)


def error(message: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    """The envelope of a 400-style ``invalid_request_error``, as every dialect sends it."""
    return {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    }


def unknown(param: str) -> dict[str, Any]:
    """The error for a field the dialect's body does not have."""
    return error(f"Unrecognized request argument supplied: {param}", param, "unknown_parameter")


def events(body: bytes) -> list[tuple[str, Any]]:
    """(event name, data) of each event; data is parsed JSON, or the text (``[DONE]``)."""
    out = []
    for block in body.decode().split("\n\n"):
        if not block:
            continue
        name_line, data_line = block.split("\n")
        assert name_line.startswith("event: ") and data_line.startswith("data: "), block
        data = data_line.removeprefix("data: ")
        out.append(
            (name_line.removeprefix("event: "), data if data == "[DONE]" else json.loads(data))
        )
    return out
