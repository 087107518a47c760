"""Fixtures for the engine's tests: a deterministic engine served on a loopback port.

Every test gets a fresh ``Engine.deterministic()`` behind one shared server (``reset()``
between tests), so ids and timestamps are predictable and tests stay independent and fast.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from engine_sessions import error
from stores import opened

from asst_engine import Engine, EngineServer, serve
from asst_engine.store.sqlite import SqliteStore
from asst_engine.testing.determinism import SeededIds, SteppingClock

EPOCH = 1767225600
PREFIXES = {"openai": "/v1", "azure": "/openai", "foundry": "/api/projects/demo"}


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


class Client:
    """A tiny urllib client that speaks one dialect with valid credentials by default."""

    def __init__(self, base: str, dialect: str = "openai") -> None:
        self.base = base
        self.dialect = dialect

    def using(self, dialect: str) -> Client:
        return Client(self.base, dialect)

    def default_headers(self) -> dict[str, str]:
        if self.dialect == "openai":
            return {"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"}
        if self.dialect == "azure":
            return {"api-key": "azure-key"}
        return {"Authorization": "Bearer entra-token"}

    def url(self, path: str, query: str = "") -> str:
        if self.dialect != "openai":
            query = "&".join(part for part in ("api-version=v1", query) if part)
        return self.base + PREFIXES[self.dialect] + path + (f"?{query}" if query else "")

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: str = "",
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        url: str | None = None,
    ) -> Answer:
        sent = self.default_headers() if headers is None else headers
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent = {**sent, "Content-Type": "application/json"}
        target = url or self.url(path, query)
        request = urllib.request.Request(target, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return _answer(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return _answer(error.code, error.read(), dict(error.headers))

    def get(self, path: str, query: str = "", **kwargs: Any) -> Answer:
        return self.request("GET", path, query=query, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.request("POST", path, {} if body is None else body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Answer:
        return self.request("DELETE", path, **kwargs)

    def ok(self, method: str, path: str, body: Any = None, query: str = "") -> Any:
        """The JSON body of a request that must succeed."""
        answer = self.request(method, path, body, query=query)
        assert answer.status == 200, answer.body
        return answer.body

    def upload(self, name: str, data: bytes, purpose: str = "assistants") -> Answer:
        boundary = "engine-test-boundary"
        parts = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n{purpose}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {
            **self.default_headers(),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        }
        return self.request("POST", "/files", raw=parts, headers=headers)


def _answer(status: int, data: bytes, headers: dict[str, str]) -> Answer:
    is_json = headers.get("Content-Type") == "application/json"
    return Answer(status, json.loads(data) if is_json else data, headers)


@pytest.fixture(scope="session")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EngineServer]:
    """The shared server; on the memory store unless a test asks for another (``stores``)."""
    kind = getattr(request, "param", "memory")
    store = opened(kind, tmp_path_factory.mktemp(f"engine-{kind}"))
    running = serve("127.0.0.1", 0, Engine(SeededIds("engine-tests"), SteppingClock(), store=store))
    yield running
    running.stop()
    if isinstance(store, SqliteStore):
        store.close()


@pytest.fixture
def engine(server: EngineServer) -> Engine:
    server.engine.reset()
    return server.engine


@pytest.fixture
def api(server: EngineServer, engine: Engine) -> Client:
    return Client(server.url)


@pytest.fixture
def err() -> Any:
    """Build the expected error envelope: ``err(message, param, code)``."""
    return error
