"""Faults that must lose or duplicate nothing: lost answers, repeated cursors, hostile replies.

These talk to servers on 127.0.0.1 (tests/loopback.py): an answer that never arrives, or a
server that misbehaves in one precise way, cannot be held in a cassette.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness import Runner
from loopback import Stub


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stub]:
    """A server whose answers each test sets with ``stub.answer``."""
    server = Stub(lambda method, path: {})
    monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-live-test-0000")
    try:
        yield server
    finally:
        server.stop()


def test_all_stops_when_the_server_repeats_a_page_cursor(cli: Runner, stub: Stub) -> None:
    def same_page(method: str, path: str) -> dict[str, Any]:
        item = {"id": "asst_1", "object": "assistant", "name": "a", "model": "m", "created_at": 0}
        # "More" every time, for long enough that a client that does not notice is caught.
        more = len(stub.seen) < 5
        return {"object": "list", "data": [item], "has_more": more, "last_id": "asst_1"}

    stub.answer = same_page
    result = cli("assistants", "list", "--all", "-o", "id")
    assert result.exit_code == 1
    assert result.stdout == "asst_1\nasst_1\n"
    assert result.stderr == (
        "Error: the server repeated the page cursor asst_1 while listing /assistants "
        "(list one page at a time with --after instead of --all)\n"
    )
    assert stub.seen == [
        "GET /v1/assistants?limit=100",
        "GET /v1/assistants?limit=100&after=asst_1",
    ]
