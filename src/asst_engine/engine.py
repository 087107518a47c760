"""The engine's state: every stored object, the id factory, the clock and the lock.

Objects are stored as the JSON dictionaries the OpenAI dialect returns; dialect differences are
applied on the way out (``dialects.py``), so the state has one canonical shape. Dicts keep
insertion order, which is creation order: listing sorts by ``created_at`` with a stable sort, so
ties are broken by creation order as the real service does.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from asst_engine.options import EngineOptions, Options

if TYPE_CHECKING:
    # Type checking only (3.10's typing lacks it); nothing is imported at run time.
    from typing_extensions import Unpack

JSON = dict[str, Any]

ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 24
# 2026-01-01T00:00:00Z: where the deterministic clock starts, so cassettes re-record identically.
DETERMINISTIC_EPOCH = 1767225600


class IdSource(Protocol):
    """Makes object ids such as ``asst_`` + 24 alphanumerics."""

    def new(self, prefix: str) -> str: ...

    def reset(self) -> None: ...


class Clock(Protocol):
    """Unix seconds. ``now`` is read once per timestamp the engine stores."""

    def now(self) -> int: ...

    def peek(self) -> int: ...

    def reset(self) -> None: ...


class RandomIds:
    """Ids from the OS's randomness, like the real services."""

    def new(self, prefix: str) -> str:
        return prefix + "".join(secrets.choice(ALPHABET) for _ in range(ID_LENGTH))

    def reset(self) -> None:
        """Nothing to reset: random ids never repeat anyway."""


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


class SystemClock:
    """Wall-clock seconds."""

    def now(self) -> int:
        return int(time.time())

    def peek(self) -> int:
        return int(time.time())

    def reset(self) -> None:
        """Wall time cannot be reset."""


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


@dataclass
class Store:
    """Every collection, keyed by id; child collections are keyed by their parent's id first."""

    assistants: dict[str, JSON] = field(default_factory=dict)
    files: dict[str, JSON] = field(default_factory=dict)
    file_bytes: dict[str, bytes] = field(default_factory=dict)
    threads: dict[str, JSON] = field(default_factory=dict)
    messages: dict[str, dict[str, JSON]] = field(default_factory=dict)
    runs: dict[str, dict[str, JSON]] = field(default_factory=dict)
    # Engine-private run state (the responder's plan, pending tool calls); never sent.
    run_plans: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, dict[str, JSON]] = field(default_factory=dict)
    vector_stores: dict[str, JSON] = field(default_factory=dict)
    store_files: dict[str, dict[str, JSON]] = field(default_factory=dict)
    batches: dict[str, dict[str, JSON]] = field(default_factory=dict)
    batch_files: dict[str, list[str]] = field(default_factory=dict)


class Engine:
    """The protocol's state. Callers hold ``lock`` around every operation (the HTTP layer does)."""

    def __init__(
        self,
        ids: IdSource | None = None,
        clock: Clock | None = None,
        **options: Unpack[EngineOptions],
    ) -> None:
        self.ids: IdSource = ids or RandomIds()
        self.clock: Clock = clock or SystemClock()
        self.options = Options(**options)
        self.store = Store()
        self.lock = threading.RLock()
        # Requests received so far: the count injected faults go by (see ``faults``).
        self.requests = 0

    @classmethod
    def deterministic(cls, seed: str = "asst", **options: Unpack[EngineOptions]) -> Engine:
        """Seeded ids and a clock from 2026-01-01 stepping 1 s per reading: for cassettes."""
        return cls(SeededIds(seed), SteppingClock(), **options)

    def reset(self) -> None:
        """Forget every object and restart ids and clock, as if freshly constructed.

        The options stay as they were given."""
        with self.lock:
            self.store = Store()
            self.ids.reset()
            self.clock.reset()
            self.requests = 0

    def new_id(self, prefix: str) -> str:
        return self.ids.new(prefix)

    def now(self) -> int:
        return self.clock.now()
