"""The engine's state: every stored object, the id factory, the clock and the lock.

Objects are stored as the JSON dictionaries the OpenAI dialect returns; dialect differences are
applied on the way out (``dialects.py``), so the state has one canonical shape. Dicts keep
insertion order, which is creation order: listing sorts by ``created_at`` with a stable sort, so
ties are broken by creation order as the real service does.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asst_engine.clock import Clock, SystemClock
from asst_engine.ids import IdSource, RandomIds
from asst_engine.json_types import JSON
from asst_engine.options import EngineOptions, Options
from asst_engine.testing.determinism import SeededIds, SteppingClock

if TYPE_CHECKING:
    # Type checking only (3.10's typing lacks it); nothing is imported at run time.
    from typing_extensions import Unpack

__all__ = ["JSON", "Engine", "SeededIds", "SteppingClock", "Store"]


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
