"""Reproducible ids and time, so re-recorded cassettes come out byte for byte the same."""

from __future__ import annotations

import hashlib

from asst_engine.ids import ALPHABET, ID_LENGTH

# 2026-01-01T00:00:00Z: where the deterministic clock starts, so cassettes re-record identically.
DETERMINISTIC_EPOCH = 1767225600


class SeededIds:
    """Reproducible ids: sha256(seed, prefix, per-prefix counter) written in base 62.

    The counter is per prefix so that, say, uploading one more file does not shift every
    assistant id in a re-recorded cassette.
    """

    def __init__(self, seed: str) -> None:
        self.seed = seed
        self.counters: dict[str, int] = {}

    def new(self, prefix: str) -> str:
        count = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = count
        digest = hashlib.sha256(f"{self.seed}\0{prefix}\0{count}".encode()).digest()
        number = int.from_bytes(digest, "big")
        chars = []
        for _ in range(ID_LENGTH):
            number, digit = divmod(number, len(ALPHABET))
            chars.append(ALPHABET[digit])
        return prefix + "".join(chars)

    def reset(self) -> None:
        self.counters.clear()


class SteppingClock:
    """A clock that starts at ``start`` and advances one second each time it is read."""

    def __init__(self, start: int = DETERMINISTIC_EPOCH) -> None:
        self.start = start
        self.current = start

    def now(self) -> int:
        value = self.current
        self.current += 1
        return value

    def peek(self) -> int:
        return self.current

    def reset(self) -> None:
        self.current = self.start
