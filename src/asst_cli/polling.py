"""The command's one deadline, the clock it reads, the one polling loop and request retries.

A command that takes ``--timeout`` starts its :class:`Deadline` before its first request; every
request, poll, stream read and tool round after that is bounded by it. Runs, vector-store files
and batches are all followed by :func:`poll`: as fast as the server's ``openai-poll-after-ms``
header asks, else at a fixed ``--interval``, else from 0.5 s backing off to 5 s, never past the
deadline. Every request is retried by :func:`send` (429, 408, 409, 5xx, dropped connections;
``Retry-After`` honoured) as often as ``--max-retries`` allows and the deadline leaves time for.
Time is read and slept through a :class:`Clock`, so tests step it instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from . import errors
from .errors import AsstError, ExitCode

if TYPE_CHECKING:
    import httpx2

FIRST_INTERVAL = 0.5
MAX_INTERVAL = 5.0
BACKOFF = 1.5
POLL_HINT = "openai-poll-after-ms"
MAX_TRANSIENT = 8  # consecutive failed polls (each after the request's own retries) end a wait
RETRY_STATUSES = frozenset({408, 409, 429})  # and every 5xx: what the SDK itself would retry
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0  # a longer Retry-After is taken as a mistake; the backoff applies
T = TypeVar("T")


class Clock(Protocol):
    """Where time comes from: a monotonic reading in seconds, and a way to let it pass."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


# The clock every deadline starts on unless given another (tests replace it).
CLOCK: Clock = SystemClock()


class Deadline:
    """A monotonic deadline for the whole command (``seconds`` None: as long as it takes)."""

    def __init__(self, seconds: float | None, clock: Clock | None = None) -> None:
        self.seconds = seconds
        self.clock = clock or CLOCK
        self._end = None if seconds is None else self.clock.monotonic() + seconds

    def remaining(self) -> float | None:
        return None if self._end is None else max(0.0, self._end - self.clock.monotonic())

    def expired(self) -> bool:
        remaining = self.remaining()
        return remaining is not None and remaining <= 0

    def cap(self, seconds: float) -> float:
        remaining = self.remaining()
        return seconds if remaining is None else min(seconds, remaining)

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds``, or until the deadline if that comes first."""
        self.clock.sleep(self.cap(seconds))


def poll_hint(response: httpx2.Response) -> float | None:
    """The server's ``openai-poll-after-ms`` in seconds, if it sent a usable one."""
    hint = response.headers.get(POLL_HINT)
    try:
        return int(hint) / 1000 if hint else None
    except ValueError:
        return None


class Cadence:
    """How long to sleep between polls: the server's hint, a fixed interval, or a backoff."""

    def __init__(self, fixed: float | None = None) -> None:
        self.fixed = fixed
        self.next = FIRST_INTERVAL

    def delay(self, hint: float | None) -> float:
        if self.fixed is not None:
            return max(self.fixed, hint or 0.0)
        if hint is not None:
            return hint
        delay, self.next = self.next, min(self.next * BACKOFF, MAX_INTERVAL)
        return delay


# One poll, given the seconds left (None: no deadline): the object seen and the server's hint
# for the next poll.
Fetch = Callable[[float | None], "tuple[dict[str, Any], float | None]"]


class DeadlineCut(AsstError):
    """A request the command's deadline ended (or left no time to send)."""

    def __init__(self, deadline: Deadline) -> None:
        seconds = f"of {deadline.seconds:g} s " if deadline.seconds is not None else ""
        super().__init__(f"deadline {seconds}reached", None, ExitCode.DEADLINE)


def retry_delay(exc: BaseException, attempt: int) -> float | None:
    """How long to wait before retrying after ``exc``; None when it is not worth retrying."""
    if not type(exc).__module__.startswith("openai"):
        return None
    from openai import _exceptions as openai

    backoff = min(FIRST_INTERVAL * 2.0**attempt, MAX_BACKOFF)
    if isinstance(exc, openai.APIConnectionError):  # timeouts and dropped connections too
        return backoff
    if not isinstance(exc, openai.APIStatusError):
        return None
    if exc.status_code not in RETRY_STATUSES and exc.status_code < 500:
        return None
    headers = exc.response.headers
    for name, unit in (("retry-after-ms", 1000), ("retry-after", 1)):
        try:
            asked: float = float(headers.get(name, "")) / unit
        except ValueError:
            continue
        if 0 <= asked <= MAX_RETRY_AFTER:
            return asked
    return backoff


# Before a failed request is sent again: what the lost attempt made (returned instead of sending
# again), or None to send again; it may raise instead (see once.py, for creates).
Settle = Callable[[Exception], Any]


def send(
    call: Callable[[dict[str, Any]], T],
    options: dict[str, Any],
    deadline: Deadline,
    retries: int,
    within: float | None = None,
    settle: Settle | None = None,
) -> T:
    """``call(options)`` (one request), retried up to ``retries`` times within the deadline.

    ``within`` caps this request further (seconds); ``settle`` is asked before each repeat.
    A request the deadline cuts off raises :class:`DeadlineCut`; the last failure otherwise,
    with ``asst_retries`` set on it.
    """
    attempt = 0
    while True:
        left = _left(deadline, within)
        if left is not None and left <= 0:
            raise DeadlineCut(deadline)
        sent = {**options, "max_retries": 0}  # asst retries, on its own clock and deadline
        if left is not None:
            sent["timeout"] = left
        try:
            return call(sent)
        except Exception as exc:
            if cut_by_deadline(exc, left):
                raise DeadlineCut(deadline) from exc
            wait = retry_delay(exc, attempt)
            if wait is None or not _worth(wait, attempt, retries, left):
                exc.asst_retries = attempt  # type: ignore[attr-defined]
                raise
            if settle is not None:
                found = _settled(settle, exc, attempt)
                if found is not None:
                    return found  # type: ignore[no-any-return]
                # The lookup took time of its own: the wait must still end before the deadline.
                if not _worth(wait, attempt, retries, _left(deadline, within)):
                    exc.asst_retries = attempt  # type: ignore[attr-defined]
                    raise
            deadline.clock.sleep(wait)
            attempt += 1


def _left(deadline: Deadline, within: float | None) -> float | None:
    return deadline.remaining() if within is None else deadline.cap(within)


def _worth(wait: float, attempt: int, retries: int, left: float | None) -> bool:
    """Whether to send again: retries remain, and the wait (the server's Retry-After, or the
    backoff) ends before the deadline."""
    return attempt < retries and (left is None or wait < left)


def _settled(settle: Settle, exc: Exception, attempt: int) -> Any:
    try:
        return settle(exc)
    except BaseException as failure:
        if failure is exc:
            exc.asst_retries = attempt  # type: ignore[attr-defined]
        raise


class DeadlinePassed(Exception):
    """The deadline passed while polling; ``unavailable`` if the last polls all failed."""

    def __init__(self, unavailable: AsstError | None) -> None:
        super().__init__("deadline passed")
        self.unavailable = unavailable


def cut_by_deadline(exc: BaseException, left: float | None) -> bool:
    """Whether ``exc`` is a request timed out because only ``left`` seconds were left (its
    timeout was the time left, so timing out means the deadline came)."""
    if left is None:
        return False
    if not type(exc).__module__.startswith(("openai", "httpx")):
        return False
    import httpx2
    from openai import _exceptions

    return isinstance(exc, _exceptions.APITimeoutError | httpx2.TimeoutException)


def _transient(exc: Exception) -> AsstError:
    """The error if it is worth another poll; anything else is re-raised at once."""
    failure = errors.translate(exc)
    if failure is None or failure.code != ExitCode.TEMPORARY:
        raise exc
    return failure


def poll(
    fetch: Fetch, deadline: Deadline, interval: float | None = None
) -> Iterator[dict[str, Any]]:
    """Every state ``fetch`` returns, with the cadence's sleep between polls; the caller stops
    iterating once the object is done.

    Transient failures (429, 5xx, dropped connections, after the request's own retries) are
    polled through; MAX_TRANSIENT in a row raise the last. Raises :class:`DeadlinePassed`.
    """
    cadence = Cadence(interval)
    last_failure: AsstError | None = None
    failures = 0
    while True:
        if deadline.expired():
            raise DeadlinePassed(last_failure if failures else None)
        try:
            found, hint = fetch(deadline.remaining())
        except DeadlineCut:
            raise DeadlinePassed(last_failure if failures else None) from None
        except Exception as exc:
            last_failure = _transient(exc)
            failures += 1
            if failures >= MAX_TRANSIENT:
                raise last_failure from exc
            deadline.sleep(cadence.delay(None))
            continue
        failures = 0
        yield found
        deadline.sleep(cadence.delay(hint))
