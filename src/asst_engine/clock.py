"""Unix seconds, from the wall clock by default."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Unix seconds. ``now`` is read once per timestamp the engine stores."""

    def now(self) -> int: ...

    def peek(self) -> int: ...

    def reset(self) -> None: ...


class SystemClock:
    """Wall-clock seconds."""

    def now(self) -> int:
        return int(time.time())

    def peek(self) -> int:
        return int(time.time())

    def reset(self) -> None:
        """Wall time cannot be reset."""
