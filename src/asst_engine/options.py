"""What an engine may be asked to do beyond the protocol itself, for client tests.

- ``poll_after_ms``: add ``openai-poll-after-ms: <n>`` to run retrievals, the hint the real
  service gave polling clients. ``None`` (the default) sends no hint.
- Faults, for robustness tests (see ``faults``): ``latency_ms`` (wait before answering each
  request), ``fail_every_429``, ``fail_every_500`` and ``drop_every`` (every Nth request is
  refused, or its connection closed without an answer). ``None`` or 0 turns a fault off.

Passed as keywords: ``Engine(poll_after_ms=500)``, ``Engine.deterministic(seed, drop_every=3)``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TypedDict


class EngineOptions(TypedDict, total=False):
    """The keywords ``Engine`` accepts (see ``Options``)."""

    poll_after_ms: int | None
    latency_ms: int | None
    fail_every_429: int | None
    fail_every_500: int | None
    drop_every: int | None


@dataclass(frozen=True)
class Options:
    poll_after_ms: int | None = None
    latency_ms: int | None = None
    fail_every_429: int | None = None
    fail_every_500: int | None = None
    drop_every: int | None = None

    def __post_init__(self) -> None:
        for option in fields(self):
            value = getattr(self, option.name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise TypeError(f"{option.name} must be a whole number, got {value!r}")
            if value is not None and value < 0:
                raise ValueError(f"{option.name} must not be negative, got {value}")
