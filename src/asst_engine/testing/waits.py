"""A ``Waiter`` for ``ChatCompletionsModel`` that writes the retry pauses down instead of
waiting them, so tests of retries take no time."""

from __future__ import annotations

import threading


class Waits:
    """Records the pauses between retries instead of sleeping."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float, halt: threading.Event) -> bool:
        self.seconds.append(seconds)
        return False
