"""The engine: its store, id factory, clock, options and the lock around every request.

Objects are stored as the JSON dictionaries the OpenAI dialect returns; dialect differences are
applied on the way out (``http/dialects.py``), so the store has one canonical shape. What is
stored where is the ``Store``'s business (``store/``); the in-memory one is the default.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from asst_engine.clock import Clock, SystemClock
from asst_engine.ids import IdSource, RandomIds
from asst_engine.options import EngineOptions, Options
from asst_engine.store.base import Store
from asst_engine.store.memory import MemoryStore
from asst_engine.testing.determinism import SeededIds, SteppingClock

if TYPE_CHECKING:
    # Type checking only (3.10's typing lacks it); nothing is imported at run time.
    from typing_extensions import Unpack

__all__ = ["Engine", "SeededIds", "SteppingClock"]


class Engine:
    """The protocol's state. Callers hold ``lock`` around every operation (the HTTP layer does)."""

    def __init__(
        self,
        ids: IdSource | None = None,
        clock: Clock | None = None,
        *,
        store: Store | None = None,
        **options: Unpack[EngineOptions],
    ) -> None:
        self.ids: IdSource = ids or RandomIds()
        self.clock: Clock = clock or SystemClock()
        self.options = Options(**options)
        self.store: Store = store or MemoryStore()
        # Runs in flight: what the engine knows of each that clients must not see (the turn
        # being produced, the calls awaited). Kept with the engine, never stored nor sent.
        self.run_plans: dict[str, object] = {}
        # Bumped by ``reset``: a stream still open from before knows its run is gone.
        self.epoch = 0
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
            self.store.clear()
            self.run_plans.clear()
            self.epoch += 1
            self.ids.reset()
            self.clock.reset()
            self.requests = 0

    def new_id(self, prefix: str) -> str:
        return self.ids.new(prefix)

    def now(self) -> int:
        return self.clock.now()
