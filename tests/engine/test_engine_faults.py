"""Injected faults: which requests they hit, what they answer, and that they change nothing."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from engine_sessions import Session

from asst_engine import Engine, EngineServer, SeededIds, dispatch, serve
from asst_engine.testing.faults import ConnectionDropped

DIALECTS = ["openai", "azure", "foundry"]
HEADERS = {"Authorization": "Bearer k", "OpenAI-Beta": "assistants=v2"}
EPOCH = 1767225600
# One request of every kind, with ids that need not exist: a faulted request is never handled.
EVERY_KIND = [
    ("GET", "/assistants", None),
    ("POST", "/assistants", {"model": "m"}),
    ("DELETE", "/assistants/asst_x", None),
    ("GET", "/files/file-x/content", None),
    ("POST", "/threads/runs", {"assistant_id": "asst_x", "stream": True}),
    ("POST", "/threads/thread_x/runs", {"assistant_id": "asst_x"}),
    ("GET", "/threads/thread_x/runs/run_x", None),
    ("GET", "/threads/thread_x/runs/run_x/steps", None),
    ("POST", "/vector_stores", {"name": "kb"}),
]


def expected_error(dialect: str, status: int) -> dict[str, Any]:
    if status == 429:
        error = {
            "message": "Rate limit reached for requests. Please try again in 0s.",
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    else:
        error = {
            "message": "The server had an error while processing your request. Sorry about that!",
            "type": "server_error",
            "param": None,
            "code": None,
        }
    if dialect == "azure":  # no null code/param in Azure's envelopes
        error = {key: value for key, value in error.items() if value is not None}
    return {"error": error}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("option", "status"), [("fail_every_429", 429), ("fail_every_500", 500)])
def test_faulted_answers_conform_in_every_dialect(dialect: str, option: str, status: int) -> None:
    s = Session(dialect, **{option: 1})  # every request is faulted
    for method, path, body in EVERY_KIND:
        assert s.call(method, path, body, status) == expected_error(dialect, status)
        assert s.last is not None
        assert s.last.headers.get("Retry-After") == ("0" if status == 429 else None)
    unchecked = [p for p in s.problems if "no path of the spec" in p or "method not in" in p]
    assert [p for p in s.problems if p not in unchecked] == []
    assert s.engine.requests == len(EVERY_KIND)
    assert s.engine.store.assistants == {} and s.engine.store.threads == {}


def test_every_nth_request_and_which_fault_wins() -> None:
    engine = Engine(fail_every_429=2, fail_every_500=3, drop_every=5)
    seen: list[Any] = []
    for count in range(1, 13):
        # Refused requests count too: the 7th has a bad credential.
        headers = {**HEADERS, "Authorization": "Bearer rejected"} if count == 7 else HEADERS
        try:
            seen.append(dispatch(engine, "GET", "/v1/assistants", headers, b"").status)
        except ConnectionDropped:
            seen.append("dropped")
    assert seen == [200, 429, 500, 429, "dropped", 500, 401, 429, 500, "dropped", 200, 500]
    engine.reset()
    assert engine.requests == 0
    assert dispatch(engine, "GET", "/v1/assistants", HEADERS, b"").status == 200


def test_a_faulted_request_changes_nothing() -> None:
    s = Session("openai", fail_every_500=2)
    assistant = s.call("POST", "/assistants", {"model": "m"})
    s.call("POST", "/threads", {"metadata": {"k": "v"}}, 500)
    thread = s.call("POST", "/threads", {})
    # The same id and time a fault-free engine would give its first thread: nothing was used up.
    assert thread["id"] == SeededIds("openai").new("thread_")
    assert (assistant["created_at"], thread["created_at"]) == (EPOCH, EPOCH + 1)
    assert thread["metadata"] == {}
    s.call("POST", f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]}, 500)
    assert s.call("GET", f"/threads/{thread['id']}/runs")["data"] == []


def test_latency_delays_every_answer() -> None:
    engine = Engine(latency_ms=40, fail_every_429=2)
    for _ in range(2):
        began = time.monotonic()
        dispatch(engine, "GET", "/v1/assistants", HEADERS, b"")
        assert time.monotonic() - began >= 0.04


@pytest.fixture
def dropping() -> Iterator[EngineServer]:
    server = serve("127.0.0.1", 0, Engine.deterministic("drops", drop_every=2))
    yield server
    server.stop()


def call(server: EngineServer, method: str, body: Any = None) -> Any:
    """``/v1/assistants`` over HTTP: the JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    headers = {**HEADERS, "Content-Type": "application/json"}
    request = urllib.request.Request(
        f"{server.url}/v1/assistants", data, headers=headers, method=method
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_a_dropped_request_gets_no_answer_over_http(dropping: EngineServer) -> None:
    assert call(dropping, "GET")["data"] == []
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        call(dropping, "POST", {"model": "m"})
    assert call(dropping, "GET")["data"] == []  # the dropped POST created nothing
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        call(dropping, "GET")
    assert call(dropping, "POST", {"model": "m"})["object"] == "assistant"
