"""Known-good bodies of each dialect, written by hand from the shapes its spec declares, and
helpers that build exchanges and cassettes from them.

The conformance tests break copies of these (drop a required field, change a type, use a
value outside an enum) and expect the checker to name the field.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vcr.request import Request
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

from .validate import check_interaction

JSON = Any
HOST = "http://127.0.0.1:8787"
AZURE_VERSION = "2024-05-01-preview"


@dataclass(frozen=True)
class Samples:
    dialect: str
    base: str  # URL up to the spec's own paths
    query: str  # query string every call carries
    create_assistant: JSON
    assistant: JSON
    run: JSON
    error: JSON

    def url(self, path: str, query: str = "") -> str:
        both = "&".join(q for q in (self.query, query) if q)
        return f"{self.base}{path}" + (f"?{both}" if both else "")

    def assistant_list(self) -> JSON:
        return {
            "object": "list",
            "data": [copy.deepcopy(self.assistant)],
            "first_id": self.assistant["id"],
            "last_id": self.assistant["id"],
            "has_more": False,
        }


_FUNCTION = {
    "type": "function",
    "function": {
        "name": "add",
        "description": "Add two numbers.",
        "parameters": {"type": "object", "properties": {"a": {"type": "number"}}},
    },
}

_CREATE = {
    "model": "gpt-4o",
    "name": "Helper",
    "instructions": "Answer briefly.",
    "tools": [{"type": "code_interpreter"}, _FUNCTION],
    "metadata": {"team": "docs"},
    "temperature": 0.5,
}

_ASSISTANT = {
    "id": "asst_abc123",
    "object": "assistant",
    "created_at": 1714000000,
    "name": "Helper",
    "description": None,
    "model": "gpt-4o",
    "instructions": "Answer briefly.",
    "tools": [{"type": "code_interpreter"}],
    "tool_resources": {"code_interpreter": {"file_ids": []}},
    "metadata": {},
    "temperature": 1.0,
    "top_p": 1.0,
    "response_format": "auto",
}

_RUN = {
    "id": "run_abc123",
    "object": "thread.run",
    "created_at": 1714000000,
    "thread_id": "thread_abc123",
    "assistant_id": "asst_abc123",
    "status": "completed",
    "required_action": None,
    "last_error": None,
    "expires_at": 1714003600,
    "started_at": 1714000001,
    "cancelled_at": None,
    "failed_at": None,
    "completed_at": 1714000002,
    "incomplete_details": None,
    "model": "gpt-4o",
    "instructions": "Answer briefly.",
    "tools": [],
    "metadata": {},
    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    "temperature": 1.0,
    "top_p": 1.0,
    "max_prompt_tokens": None,
    "max_completion_tokens": None,
    "truncation_strategy": {"type": "auto", "last_messages": None},
    "tool_choice": "auto",
    "parallel_tool_calls": True,
    "response_format": "auto",
}

_ERROR = {
    "error": {
        "message": "No assistant found with id 'asst_missing'.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
}

OPENAI = Samples("openai", f"{HOST}/v1", "", _CREATE, _ASSISTANT, _RUN, _ERROR)
AZURE = Samples(
    "azure",
    f"{HOST}/openai",
    f"api-version={AZURE_VERSION}",
    _CREATE,
    _ASSISTANT,
    _RUN,
    {"error": {"code": "404", "message": "Assistant not found.", "type": "invalid_request_error"}},
)
FOUNDRY = Samples(
    "foundry",
    f"{HOST}/api/projects/proj1",
    "api-version=v1",
    _CREATE,
    _ASSISTANT,
    _RUN,
    _ERROR,
)
ALL = (OPENAI, AZURE, FOUNDRY)

FILE_OBJECT = {
    "id": "file-abc123", "object": "file", "bytes": 3, "created_at": 1714000000,
    "filename": "notes.txt", "purpose": "assistants", "status": "processed",
}  # fmt: skip

# -- building exchanges ------------------------------------------------------------------------

JSON_HEADERS = {"Content-Type": "application/json"}
DROP = object()  # for changed(): remove the value instead of replacing it


def call(
    s: Samples,
    method: str,
    path: str,
    body: JSON = None,
    status: int = 200,
    response: JSON = None,
    query: str = "",
) -> list[str]:
    """Check one JSON exchange of a dialect."""
    return check_interaction(
        method,
        s.url(path, query),
        JSON_HEADERS if body is not None else {},
        json.dumps(body) if body is not None else None,
        status,
        JSON_HEADERS,
        json.dumps(response) if response is not None else None,
    )


def changed(body: JSON, path: tuple[Any, ...], value: JSON) -> JSON:
    """A copy of body with the value at path replaced (or dropped, with DROP)."""
    out = copy.deepcopy(body)
    node = out
    for key in path[:-1]:
        node = node[key]
    if value is DROP:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


def multipart(*parts: tuple[str, bytes, str | None]) -> tuple[dict[str, str], bytes]:
    """Headers and body of a multipart/form-data upload of (name, value, filename) parts."""
    body = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--BOUNDARY\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value
        body += b"\r\n"
    return {"Content-Type": "multipart/form-data; boundary=BOUNDARY"}, body + b"--BOUNDARY--\r\n"


def sse(*events: tuple[str, JSON]) -> str:
    """A text/event-stream body of (event, data) pairs; data that is not a str becomes JSON."""
    return "".join(
        f"event: {name}\ndata: {data if isinstance(data, str) else json.dumps(data)}\n\n"
        for name, data in events
    )


def exchange(
    method: str,
    url: str,
    body: JSON,
    status: int,
    response: JSON,
    headers: dict[str, str] | None = None,
) -> tuple[Request, dict[str, Any]]:
    """A vcrpy request and recorded response of a JSON exchange."""
    request_body = json.dumps(body).encode() if body is not None else None
    request = Request(method, url, request_body, {**JSON_HEADERS, **(headers or {})})
    reply = {
        "status": {"code": status, "message": "OK"},
        "headers": {"Content-Type": ["application/json"]},
        "body": {"string": json.dumps(response).encode()},
    }
    return request, reply


def write_cassette(path: Path, *exchanges: tuple[Request, dict[str, Any]]) -> Path:
    """Write a cassette exactly as vcrpy does."""
    cassette = {"requests": [r for r, _ in exchanges], "responses": [r for _, r in exchanges]}
    path.write_text(serialize(cassette, yamlserializer), encoding="utf-8")
    return path
