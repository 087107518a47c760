"""What an engine may be asked to do beyond the protocol itself, for client tests.

- ``poll_after_ms``: add ``openai-poll-after-ms: <n>`` to run retrievals, the hint the real
  service gave polling clients. ``None`` (the default) sends no hint.

Passed as keywords: ``Engine(poll_after_ms=500)``, ``Engine.deterministic(seed, ...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


class EngineOptions(TypedDict, total=False):
    """The keywords ``Engine`` accepts (see ``Options``)."""

    poll_after_ms: int | None


@dataclass(frozen=True)
class Options:
    poll_after_ms: int | None = None

    def __post_init__(self) -> None:
        if self.poll_after_ms is not None and self.poll_after_ms < 0:
            raise ValueError(f"poll_after_ms must not be negative, got {self.poll_after_ms}")
