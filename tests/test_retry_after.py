"""A server's Retry-After is honoured within the time --timeout leaves, never past it.

A server on 127.0.0.1 answers 429 or 503 with Retry-After; the clock (conftest's) skips every
sleep asst asks for and records it, so what is asserted is the wait asked for, not time taken.
"""

from __future__ import annotations

from typing import Any

from harness import Runner
from loopback import Stub

MESSAGE = {"id": "msg_1", "object": "thread.message", "thread_id": "thread_1", "created_at": 0}
RUN = {"id": "run_1", "object": "thread.run", "thread_id": "thread_1", "status": "queued"}
# Ask in a thread (a message, then a run): creates bounded by --timeout.
ASK = ("run", "-a", "asst_1", "--thread", "thread_1", "--timeout", "10", "-o", "id", "hi")
ADD = "POST /v1/threads/thread_1/messages"
LOOK = "GET /v1/threads/thread_1/messages?limit=20&order=desc"
START = "POST /v1/threads/thread_1/runs"


def refused(status: int, retry_after: str) -> tuple[int, dict[str, str], dict[str, Any]]:
    error = {"message": "busy", "type": "server_error", "code": None, "param": None}
    return status, {"Retry-After": retry_after}, {"error": error}


def first_refused(stub: Stub, status: int, retry_after: str) -> None:
    """The first create is refused; lookups find nothing, the next create succeeds."""

    def answer(method: str, path: str) -> Any:
        if method == "GET":
            return {"object": "list", "data": [], "has_more": False}
        if len(stub.seen) == 1:
            return refused(status, retry_after)
        return RUN if path.endswith("/runs") else MESSAGE

    stub.answer = answer


def test_a_429_is_sent_again_after_its_retry_after(cli: Runner, stub: Stub, clock: Any) -> None:
    first_refused(stub, 429, "2")
    result = cli(*ASK)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "run_1\n", "")
    assert clock.slept == [2.0]
    assert stub.seen == [ADD, ADD, START]  # a 429 made nothing: no lookup


def test_a_503_create_is_looked_for_then_sent_after_its_retry_after(
    cli: Runner, stub: Stub, clock: Any
) -> None:
    first_refused(stub, 503, "3")
    result = cli(*ASK)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "run_1\n", "")
    assert clock.slept == [3.0]
    assert stub.seen == [ADD, LOOK, ADD, START]


BUSY = (
    "Error: server answered 429: busy (the server is rate limiting; wait, or raise --max-retries)\n"
)
UNAVAILABLE = "Error: server answered 503: busy (try again later, or raise --max-retries)\n"


def test_a_retry_after_beyond_the_time_left_ends_at_once(
    cli: Runner, stub: Stub, clock: Any
) -> None:
    first_refused(stub, 429, "30")
    result = cli(*ASK)
    assert (result.exit_code, result.stdout, result.stderr) == (75, "", BUSY)
    assert clock.slept == []
    assert stub.seen == [ADD]


def test_a_lookup_that_takes_the_time_left_sends_nothing_again(
    cli: Runner, stub: Stub, clock: Any
) -> None:
    def answer(method: str, path: str) -> Any:
        if method == "GET":
            clock.skipped += 8  # a slow lookup: 2 of the 10 s are left, Retry-After asks 3
            return {"object": "list", "data": [], "has_more": False}
        return refused(503, "3")

    stub.answer = answer
    result = cli(*ASK)
    assert (result.exit_code, result.stdout, result.stderr) == (75, "", UNAVAILABLE)
    assert clock.slept == []
    assert stub.seen == [ADD, LOOK]
