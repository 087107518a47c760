"""Every response the engine gives, in each dialect, validates against that dialect's spec.

A scenario touching every operation (and some error paths) runs through ``dispatch`` without
sockets; each exchange is then checked by the project's spec checker (tests/spec_check), the
same one that checks the recorded cassettes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from asst_engine import Engine, dispatch

# spec_check lives in tests/, which pytest puts on sys.path only for modules directly in tests/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from spec_check import check_interaction

PREFIXES = {"openai": "/v1", "azure": "/openai", "foundry": "/api/projects/demo"}
VERSIONS = {"azure": "2024-05-01-preview", "foundry": "v1"}
FUNCTION = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


class Session:
    """Sends requests in one dialect and keeps the spec checker's complaints."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.engine = Engine.deterministic(dialect)
        self.problems: list[str] = []

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
        response = dispatch(self.engine, method, target, headers, raw)
        assert response.status == status, (method, path, response.body)
        response_headers = {**response.headers, "Content-Length": str(len(response.body))}
        where = f"{method} {path} -> {response.status}"
        found = check_interaction(
            method,
            f"http://127.0.0.1{target}",
            headers,
            raw,
            response.status,
            response_headers,
            response.body,
        )
        if status >= 400:
            # Error paths send invalid requests on purpose; only the response is of interest.
            found = [problem for problem in found if not problem.startswith("request")]
        self.problems += [f"{where}: {problem}" for problem in found]
        is_json = response.headers.get("Content-Type") == "application/json"
        return json.loads(response.body) if is_json else response.body

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


def files_and_stores(s: Session) -> tuple[Any, Any]:
    file = s.upload("notes.txt", b"hello world")
    s.call("GET", "/files")
    s.call("GET", f"/files/{file['id']}")
    s.call("GET", f"/files/{file['id']}/content")
    expiry = {"anchor": "last_active_at", "days": 2}
    store = s.call(
        "POST", "/vector_stores", {"name": "kb", "file_ids": [file["id"]], "expires_after": expiry}
    )
    other = s.call("POST", "/vector_stores", {})
    s.call("GET", "/vector_stores")
    s.call("POST", f"/vector_stores/{store['id']}", {"name": "kb2", "metadata": {"a": "b"}})
    second = s.upload("b.md", b"# b")
    files = f"/vector_stores/{other['id']}/files"
    s.call("POST", files, {"file_id": second["id"]})
    s.call("GET", files)
    s.call("GET", f"{files}/{second['id']}")
    batches = f"/vector_stores/{other['id']}/file_batches"
    batch = s.call("POST", batches, {"file_ids": [file["id"]]})
    s.call("GET", f"/vector_stores/{other['id']}")
    s.call("GET", f"{batches}/{batch['id']}/files")
    s.call("GET", f"{batches}/{batch['id']}")
    cancelled = s.call("POST", batches, {"file_ids": [second["id"]]})
    s.call("POST", f"{batches}/{cancelled['id']}/cancel")
    s.call("DELETE", f"{files}/{second['id']}")
    s.call("DELETE", f"/vector_stores/{other['id']}")
    return file, store


def assistants(s: Session, file: Any, store: Any) -> Any:
    resources = {
        "file_search": {"vector_store_ids": [store["id"]]},
        "code_interpreter": {"file_ids": [file["id"]]},
    }
    tools = [FUNCTION, {"type": "file_search"}, {"type": "code_interpreter"}]
    body = {"model": "gpt-4o", "name": "A", "tools": tools, "tool_resources": resources}
    assistant = s.call("POST", "/assistants", body)
    spare = s.call("POST", "/assistants", {"model": "gpt-4o"})
    s.call("GET", "/assistants", query="limit=1&order=asc")
    s.call("GET", f"/assistants/{assistant['id']}")
    s.call("POST", f"/assistants/{spare['id']}", {"instructions": "Be nice.", "temperature": 0.5})
    s.call("DELETE", f"/assistants/{spare['id']}")
    s.call("GET", f"/assistants/{spare['id']}", status=404)
    s.call("POST", "/assistants", {"model": "gpt-4o", "top_p": 3}, status=400)
    return assistant


def conversation(s: Session, assistant: Any) -> Any:
    thread = s.call("POST", "/threads", {"messages": [{"role": "user", "content": "hi"}]})
    base = f"/threads/{thread['id']}"
    s.call("GET", base)
    s.call("POST", base, {"metadata": {"k": "v"}})
    message = s.call("POST", f"{base}/messages", {"role": "user", "content": "more"})
    s.call("GET", f"{base}/messages/{message['id']}")
    s.call("POST", f"{base}/messages/{message['id']}", {"metadata": {"q": "1"}})
    prompts = ["hello", "please fail", "please expire", "please stop early", "call get_weather"]
    for prompt in prompts:
        s.call("POST", f"{base}/messages", {"role": "user", "content": prompt})
        run = s.call("POST", f"{base}/runs", {"assistant_id": assistant["id"]})
        run_path = f"{base}/runs/{run['id']}"
        for _ in range(2):
            run = s.call("GET", run_path)
        if run["status"] == "requires_action":
            calls = run["required_action"]["submit_tool_outputs"]["tool_calls"]
            outputs = [{"tool_call_id": call["id"], "output": "sunny"} for call in calls]
            s.call("POST", f"{run_path}/submit_tool_outputs", {"tool_outputs": outputs})
            s.call("GET", run_path)
        for step in s.call("GET", f"{run_path}/steps")["data"]:
            s.call("GET", f"{run_path}/steps/{step['id']}")
    run = s.call("POST", f"{base}/runs", {"assistant_id": assistant["id"]})
    s.call("POST", f"{base}/runs/{run['id']}/cancel")
    s.call("GET", f"{base}/runs/{run['id']}")
    s.call("POST", f"{base}/runs/{run['id']}", {"metadata": {"a": "b"}})
    s.call("GET", f"{base}/runs")
    s.call("GET", f"{base}/messages", query="order=asc&limit=2")
    return thread


@pytest.mark.parametrize("dialect", ["openai", "azure", "foundry"])
def test_every_response_conforms(dialect: str) -> None:
    s = Session(dialect)
    file, store = files_and_stores(s)
    assistant = assistants(s, file, store)
    thread = conversation(s, assistant)
    body = {
        "assistant_id": assistant["id"],
        "thread": {"messages": [{"role": "user", "content": "x"}]},
    }
    s.call("POST", "/threads/runs", body)
    s.call("DELETE", f"/threads/{thread['id']}")
    s.call("GET", f"/threads/{thread['id']}", status=404)
    s.call("DELETE", f"/vector_stores/{store['id']}")
    s.call("DELETE", f"/files/{file['id']}")
    s.call("GET", "/files/file-gone", status=404)
    unknown = [p for p in s.problems if "no path of the spec matches" in p or "method not in" in p]
    # Operations a dialect's spec lacks (served anyway, as the real services did) can't be checked.
    assert [p for p in s.problems if p not in unknown] == []
