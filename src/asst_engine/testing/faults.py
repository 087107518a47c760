"""Faults injected for client robustness tests, chosen by the engine's options.

Every request the engine receives is counted first, in the order it takes the engine's lock,
whatever it asks (even one that would be refused for its credentials). The count decides:

- ``drop_every=N``: every Nth request gets no answer at all, its connection is just closed
  (``dispatch`` raises ``ConnectionDropped``; the HTTP layer closes the socket);
- ``fail_every_500=N``: every Nth request answers 500 with a ``server_error`` envelope;
- ``fail_every_429=N``: every Nth request answers 429, ``Retry-After: 0``, with the rate-limit
  envelope (``code: rate_limit_exceeded``).

When several fall on one request the first listed wins. A faulted request never reaches its
handler, so it changes nothing: no object, id or clock reading. ``latency_ms`` delays every
answer (faulted or not); the wait happens outside the lock, so concurrent requests wait side by
side rather than in turn.
"""

from __future__ import annotations

import time

from asst_engine.errors import ConnectionDropped, EngineError
from asst_engine.options import Options

__all__ = ["ConnectionDropped", "OptionFaults"]

RATE_LIMITED = "Rate limit reached for requests. Please try again in 0s."
SERVER_ERROR = "The server had an error while processing your request. Sorry about that!"


class OptionFaults:
    """The faults the engine's options ask for (``Engine`` builds it when any is set)."""

    def __init__(self, options: Options) -> None:
        self.options = options

    def arrive(self, count: int) -> EngineError | None:
        """Wait out the latency, then drop the request, refuse it, or let it through."""
        options = self.options
        if options.latency_ms:
            time.sleep(options.latency_ms / 1000)
        if _every(options.drop_every, count):
            raise ConnectionDropped(f"request {count} dropped (drop_every={options.drop_every})")
        if _every(options.fail_every_500, count):
            return EngineError(500, SERVER_ERROR, type="server_error")
        if _every(options.fail_every_429, count):
            limited = EngineError(429, RATE_LIMITED, code="rate_limit_exceeded", type="requests")
            limited.headers["Retry-After"] = "0"
            return limited
        return None


def _every(period: int | None, count: int) -> bool:
    return period is not None and period > 0 and count % period == 0
