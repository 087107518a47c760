"""An engine as ``asst serve`` builds it: the background worker and the model responder, over
the fake chat-completions model on loopback. Requests go through ``dispatch`` (no sockets on
the engine's side); streams are read as the worker writes them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asst_engine import Engine, dispatch
from asst_engine.models import providers
from asst_engine.models.base import Model
from asst_engine.models.chat import ChatCompletionsModel, RetryPolicy
from asst_engine.models.responder import ModelResponder
from asst_engine.runs.worker import WorkerDriver
from asst_engine.testing.fake_model import FakeModel
from asst_engine.testing.waits import Waits
from asst_engine.tools.sandbox import Sandbox

HEADERS = {
    "Authorization": "Bearer sk-test",
    "OpenAI-Beta": "assistants=v2",
    "Content-Type": "application/json",
}
WEATHER = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}},
}
CLOCK_START = 1767225600


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.value = CLOCK_START

    def now(self) -> int:
        return self.value

    def peek(self) -> int:
        return self.value

    def reset(self) -> None:
        self.value = CLOCK_START


class Server:
    """One engine (worker + model responder) and its fake model."""

    def __init__(self, fake: FakeModel, engine: Engine, waits: Waits) -> None:
        self.fake = fake
        self.engine = engine
        self.waits = waits
        self.clock = engine.clock

    @property
    def driver(self) -> WorkerDriver:
        assert isinstance(self.engine.driver, WorkerDriver)
        return self.engine.driver

    def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        raw = json.dumps(body).encode() if body is not None else b""
        response = dispatch(self.engine, method, "/v1" + path, HEADERS, raw)
        assert response.status == status, response.body
        return json.loads(response.body)

    def open_stream(self, path: str, body: Any) -> Iterator[tuple[str, Any]]:
        """The events of a streamed request, read as they come."""
        raw = json.dumps({**body, "stream": True}).encode()
        response = dispatch(self.engine, "POST", "/v1" + path, HEADERS, raw)
        assert response.status == 200, response.body
        yield from parse(response.body)
        for chunk in response.later or ():
            yield from parse(chunk)

    def stream(self, path: str, body: Any) -> list[tuple[str, Any]]:
        return list(self.open_stream(path, body))

    def assistant(self, **fields: Any) -> Any:
        return self.call("POST", "/assistants", {"model": "fake-model", **fields})

    def thread(self, *texts: str) -> Any:
        messages = [{"role": "user", "content": text} for text in texts]
        return self.call("POST", "/threads", {"messages": messages})

    def settled(self, run: Any) -> Any:
        """The run once it stops moving (ended, or waiting for tool outputs), waiting on its
        event log: nobody polls it."""
        with self.engine.lock:
            following = self.driver.follow(self.engine, run)
        for _ in following:
            pass
        return self.call("GET", f"/threads/{run['thread_id']}/runs/{run['id']}")

    def sent(self) -> list[Any]:
        """The chat-completions bodies the model received."""
        return [r.body for r in self.fake.requests() if r.path.endswith("/chat/completions")]


def parse(chunk: bytes) -> list[tuple[str, Any]]:
    out = []
    for block in chunk.decode().split("\n\n"):
        if block:
            name, data = (line.split(": ", 1)[1] for line in block.split("\n"))
            out.append((name, data if data == "[DONE]" else json.loads(data)))
    return out


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeModel]:
    with FakeModel() as model:
        yield model


def build(fake: FakeModel, model_map: Path | None = None) -> Server:
    """An engine over ``fake``, with a clock the test moves and retry waits written down."""
    waits = Waits()

    def factory(provider: providers.Provider) -> Model:
        retry = RetryPolicy(max_retries=2)
        return ChatCompletionsModel(provider.base_url, provider.api_key, retry=retry, wait=waits)

    config = providers.load({"ASST_MODEL_BASE_URL": fake.url}, model_map, factory)
    engine = Engine(clock=Clock(), driver=WorkerDriver(workers=4), responder=ModelResponder(config))
    return Server(fake, engine, waits)


@pytest.fixture
def server(fake: FakeModel) -> Iterator[Server]:
    fake.clear()
    built = build(fake)
    try:
        yield built
    finally:
        built.engine.close()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory, font_cache: Path) -> Iterator[Sandbox]:
    opened = Sandbox(tmp_path_factory.mktemp("sandbox"), timeout=30, font_cache=font_cache)
    assert opened.refusal is None, opened.refusal
    yield opened
    opened.close()


@pytest.fixture
def coder(fake: FakeModel, sandbox: Sandbox) -> Iterator[Server]:
    fake.clear()
    built = build(fake)
    assert isinstance(built.engine.responder, ModelResponder)
    built.engine.responder.sandbox = sandbox
    try:
        yield built
    finally:
        built.engine.close()
