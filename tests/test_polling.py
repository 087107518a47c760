"""The one polling loop and the command's deadline, on a stepping clock (no real time passes)."""

from __future__ import annotations

from typing import Any

import pytest

from asst_cli import polling
from asst_cli.errors import AsstError, ExitCode


class SteppingClock:
    """Time moves only when asst sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def script(*answers: Any) -> tuple[polling.Fetch, list[float | None]]:
    """A fetch answering from ``answers`` (an exception is raised), recording the time left."""
    pending = list(answers)
    asked: list[float | None] = []

    def fetch(within: float | None) -> tuple[dict[str, Any], float | None]:
        asked.append(within)
        answer = pending.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    return fetch, asked


def test_the_server_hint_then_the_backoff() -> None:
    clock = SteppingClock()
    fetch, _ = script(({"n": 1}, 0.02), ({"n": 2}, None), ({"n": 3}, None), ({"n": 4}, None))
    seen = []
    for found in polling.poll(fetch, polling.Deadline(None, clock)):
        seen.append(found["n"])
        if found["n"] == 4:
            break
    assert seen == [1, 2, 3, 4]
    assert clock.slept == [0.02, 0.5, 0.75]


def test_a_fixed_interval_yields_only_to_a_longer_hint() -> None:
    clock = SteppingClock()
    fetch, _ = script(({}, 0.02), ({}, 3.0), ({}, None), ({}, None))
    polls = polling.poll(fetch, polling.Deadline(None, clock), interval=1.0)
    for _ in range(4):
        next(polls)
    assert clock.slept == [1.0, 3.0, 1.0]


def test_the_deadline_caps_every_sleep_and_every_request() -> None:
    clock = SteppingClock()
    fetch, asked = script(({}, 2.0), ({}, 2.0), ({}, 2.0))
    with pytest.raises(polling.DeadlinePassed) as passed:
        for _ in polling.poll(fetch, polling.Deadline(4.5, clock)):
            pass
    assert passed.value.unavailable is None
    assert clock.slept == [2.0, 2.0, 0.5]
    assert asked == [4.5, 2.5, 0.5]
    assert clock.now == 104.5


def test_transient_failures_are_polled_through() -> None:
    clock = SteppingClock()
    busy = AsstError("server answered 503: busy", None, ExitCode.TEMPORARY)
    fetch, _ = script(busy, busy, ({"done": True}, None))
    assert next(polling.poll(fetch, polling.Deadline(None, clock))) == {"done": True}
    assert clock.slept == [0.5, 0.75]


def test_a_deadline_among_failures_says_the_server_was_unavailable() -> None:
    clock = SteppingClock()
    busy = AsstError("server answered 503: busy", None, ExitCode.TEMPORARY)
    fetch, _ = script(busy, busy, busy)
    with pytest.raises(polling.DeadlinePassed) as passed:
        next(polling.poll(fetch, polling.Deadline(1.5, clock)))
    assert passed.value.unavailable is busy


def test_too_many_failures_in_a_row_end_the_wait() -> None:
    clock = SteppingClock()
    busy = AsstError("server answered 503: busy", None, ExitCode.TEMPORARY)
    fetch, _ = script(*[busy] * polling.MAX_TRANSIENT)
    with pytest.raises(AsstError) as ended:
        next(polling.poll(fetch, polling.Deadline(None, clock)))
    assert ended.value is busy
    assert len(clock.slept) == polling.MAX_TRANSIENT - 1


def test_other_failures_end_the_wait_at_once() -> None:
    clock = SteppingClock()
    fetch, _ = script(AsstError("no such run", None, ExitCode.NOT_FOUND))
    with pytest.raises(AsstError, match="no such run"):
        next(polling.poll(fetch, polling.Deadline(None, clock)))
    assert clock.slept == []


def rate_limited(retry_after: str) -> Exception:
    import httpx2
    from openai import RateLimitError

    request = httpx2.Request("POST", "http://127.0.0.1/v1/threads/runs")
    response = httpx2.Response(429, headers={"retry-after": retry_after}, request=request)
    return RateLimitError("rate limited", response=response, body=None)


def test_a_request_is_retried_after_the_servers_retry_after() -> None:
    clock = SteppingClock()
    call, sent = failing(rate_limited("2"), rate_limited("3"), "done")
    assert polling.send(call, {}, polling.Deadline(10, clock), retries=2) == "done"
    assert clock.slept == [2.0, 3.0]
    assert [o["timeout"] for o in sent] == [10.0, 8.0, 5.0]
    assert {o["max_retries"] for o in sent} == {0}


def test_a_retry_after_beyond_the_deadline_ends_at_once() -> None:
    clock = SteppingClock()
    refused = rate_limited("30")

    def call(options: dict[str, Any]) -> str:
        raise refused

    with pytest.raises(Exception) as ended:
        polling.send(call, {}, polling.Deadline(10, clock), retries=5)
    assert ended.value is refused
    assert getattr(refused, "asst_retries", None) == 0
    assert clock.slept == []


def failing(*answers: Any) -> tuple[Any, list[dict[str, Any]]]:
    """A call answering from ``answers`` (an exception is raised), recording its options."""
    pending, sent = list(answers), []

    def call(options: dict[str, Any]) -> Any:
        sent.append(options)
        answer = pending.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return call, sent


def test_what_settle_finds_is_returned_instead_of_sending_again() -> None:
    clock = SteppingClock()
    call, sent = failing(rate_limited("2"), "made twice")
    asked: list[Exception] = []

    def settle(exc: Exception) -> Any:
        asked.append(exc)
        return "made once"

    deadline = polling.Deadline(10, clock)
    assert polling.send(call, {}, deadline, retries=2, settle=settle) == "made once"
    assert (len(sent), len(asked), clock.slept) == (1, 1, [])


def test_settle_raising_the_failure_ends_the_request_with_its_retries_counted() -> None:
    clock = SteppingClock()
    first, second = rate_limited("1"), rate_limited("1")
    call, sent = failing(first, second)
    calls = iter([None])

    def settle(exc: Exception) -> Any:
        if next(calls, "raise") == "raise":
            raise exc
        return None

    with pytest.raises(Exception) as ended:
        polling.send(call, {}, polling.Deadline(10, clock), retries=5, settle=settle)
    assert ended.value is second
    assert (getattr(second, "asst_retries", None), len(sent), clock.slept) == (1, 2, [1.0])
