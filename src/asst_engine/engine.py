"""The engine: what it is wired with, and the lock around every request.

Objects are stored as the JSON dictionaries the OpenAI dialect returns; dialect differences are
applied on the way out (``http/dialects.py``), so the store has one canonical shape.

The engine is where the seams meet, each injected with a default:
- ``store``: where objects live (``store/``; in memory by default);
- ``responder``: what decides a run's outcome, one turn at a time (``models/turn.py``; the
  keyword-scripted one by default);
- ``driver``: when runs move on (``runs/driver.py``; when polled, by default);
- ``index``, ``indexer``: where file search keeps chunks (``tools/index.py``; SQLite FTS5 in
  memory by default) and how files get there (``tools/indexing.py``; inline by default, so a file
  is indexed within the request that attached it);
- ``ids``, ``clock``: random ids and wall time, or the seeded and stepping ones of
  ``testing/determinism.py`` for cassettes (``Engine.deterministic``);
- ``faults``: injected failures for robustness tests (``testing/faults.py``); by default those
  the fault options ask for, read on each request.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol

from asst_engine.clock import Clock, SystemClock
from asst_engine.errors import EngineError
from asst_engine.ids import IdSource, RandomIds
from asst_engine.models.scripted_turns import ScriptedResponder
from asst_engine.models.turn import Responder
from asst_engine.options import EngineOptions, Options
from asst_engine.store.base import Store
from asst_engine.store.memory import MemoryStore
from asst_engine.tools.index import FtsIndex, Index
from asst_engine.tools.indexing import Indexer

if TYPE_CHECKING:
    # Type checking only (3.10's typing lacks it); nothing is imported at run time.
    from typing_extensions import Unpack

    from asst_engine.runs.driver import Driver


class Faults(Protocol):
    def arrive(self, count: int) -> EngineError | None:
        """Decide for the ``count``-th request: None lets it through, an error refuses it; it
        may also raise ``ConnectionDropped``."""
        ...


class Engine:
    """The protocol's state and its seams. Callers hold ``lock`` around every operation and
    work inside ``store.unit_of_work()`` (the HTTP layer does both)."""

    def __init__(
        self,
        ids: IdSource | None = None,
        clock: Clock | None = None,
        *,
        store: Store | None = None,
        responder: Responder | None = None,
        driver: Driver | None = None,
        faults: Faults | None = None,
        index: Index | None = None,
        indexer: Indexer | None = None,
        **options: Unpack[EngineOptions],
    ) -> None:
        self.ids: IdSource = ids or RandomIds()
        self.clock: Clock = clock or SystemClock()
        self.options = Options(**options)
        self.store: Store = store or MemoryStore()
        self.responder: Responder = responder or ScriptedResponder()
        self.driver: Driver = driver or _poll_driver()
        self.index: Index = index or FtsIndex()
        self.indexer = indexer or Indexer()
        # Injected faults; without them, those the options ask for (which may change later).
        self.faults = faults
        # Runs in flight: what the engine knows of each that clients must not see (the turn
        # being produced, the calls awaited). Kept with the engine, never stored nor sent.
        self.run_plans: dict[str, object] = {}
        # Bumped by ``reset``: a stream still open from before knows its run is gone.
        self.epoch = 0
        self.lock = threading.RLock()
        # Requests received so far: the count injected faults go by.
        self.requests = 0
        self.driver.attach(self)

    def close(self) -> None:
        """Stop the background work (the worker driver's threads, indexing jobs), then the
        index."""
        self.driver.close()
        self.indexer.shutdown()
        self.index.close()

    @classmethod
    def deterministic(cls, seed: str = "asst", **options: Unpack[EngineOptions]) -> Engine:
        """Seeded ids and a clock from 2026-01-01 stepping 1 s per reading: for cassettes."""
        from asst_engine.testing.determinism import SeededIds, SteppingClock

        return cls(SeededIds(seed), SteppingClock(), **options)

    def reset(self) -> None:
        """Forget every object and restart ids and clock, as if freshly constructed.

        The options stay as they were given."""
        with self.lock:
            self.store.clear()
            self.index.clear()
            self.run_plans.clear()
            self.end_streams()
            self.ids.reset()
            self.clock.reset()
            self.requests = 0

    def end_streams(self) -> None:
        """End the event streams still waiting on hung runs: they end when the epoch moves, as
        after a reset. A stopping server calls this rather than leave them polling forever."""
        with self.lock:
            self.epoch += 1

    def arrive(self) -> EngineError | None:
        """Count a request (in the order it takes the lock); faults may refuse or drop it."""
        with self.lock:
            self.requests += 1
            count = self.requests
        faults = self.faults if self.faults is not None else _faults(self.options)
        return None if faults is None else faults.arrive(count)

    def new_id(self, prefix: str) -> str:
        return self.ids.new(prefix)

    def now(self) -> int:
        return self.clock.now()


def _poll_driver() -> Driver:
    # Imported here: the runs package builds on this module.
    from asst_engine.runs.driver import PollDriver

    return PollDriver()


def _faults(options: Options) -> Faults | None:
    """The faults the options ask for; test machinery is imported only when some are."""
    wanted = (options.latency_ms, options.fail_every_429, options.fail_every_500)
    if not any(wanted) and not options.drop_every:
        return None
    from asst_engine.testing.faults import OptionFaults

    return OptionFaults(options)
