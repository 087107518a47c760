"""``WorkerDriver``: runs move on in background threads, in wall-clock time, polled or not.

``wake`` queues a run; one of ``workers`` threads takes it: queued → in_progress, then the
responder's events one at a time. Each event is fetched outside the engine's lock (a model call
may take seconds, and many runs proceed at once) and applied under the lock in a unit of work
of its own. A run is worked on by one thread at a time: waking a busy run (a cancel) only makes
its thread look again once done. A cancel sets the run's cancel event, which ends the model
call; the thread then finds the run ``cancelling`` and cancels it.

Events go to the run's event log (``events.py``), which streamed requests follow.

A sweeper thread expires active runs past their ``expires_at`` every ``sweep_seconds`` by the
engine's clock (``sweep()`` does one pass; tests call it with an injected clock). On ``attach``
the runs a previous process left active are recovered (``recovery.py``).

Construct with ``WorkerDriver(workers=64, sweep_seconds=1.0)`` and give it to
``Engine(driver=...)``; ``Engine.close()`` stops its threads.
"""

from __future__ import annotations

import copy
import queue
import sys
import threading
import traceback
from collections.abc import Callable, Iterator

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.models.turn import Failed, TurnEvent
from asst_engine.runs import lifecycle, plans, recovery
from asst_engine.runs.events import Event, EventLogs

WORKERS = 64
SWEEP_SECONDS = 1.0
Key = tuple[str, str]  # (thread id, run id)


class WorkerDriver:
    def __init__(self, workers: int = WORKERS, sweep_seconds: float = SWEEP_SECONDS) -> None:
        self.workers = workers
        self.sweep_seconds = sweep_seconds
        self.logs = EventLogs()
        self._jobs: queue.Queue[Key | None] = queue.Queue()
        self._lock = threading.Lock()
        self._busy: set[str] = set()
        self._again: set[str] = set()
        # Active runs this driver knows of (run id -> thread id), which the sweeper checks.
        self._active: dict[str, str] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._engine: Engine | None = None

    def attach(self, engine: Engine) -> None:
        """Recover what a previous process left active, then start the threads."""
        self._engine = engine
        for run in recovery.recover(engine):
            self.wake(engine, run)
        for number in range(self.workers):
            self._spawn(self._serve, f"asst-run-worker-{number}")
        self._spawn(self._sweep_forever, "asst-run-sweeper")

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def close(self, timeout: float = 5.0) -> None:
        """Stop taking work; cancel model calls in flight; wait for the threads."""
        self._stop.set()
        engine = self._engine
        if engine is not None:
            for plan in list(engine.run_plans.values()):
                if isinstance(plan, plans.RunPlan):
                    plan.cancel.set()
        for _ in range(self.workers):
            self._jobs.put(None)
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def wake(self, engine: Engine, run: JSON) -> None:
        with self._lock:
            self._active[run["id"]] = run["thread_id"]
            if run["id"] in self._busy:
                self._again.add(run["id"])
                return
            self._busy.add(run["id"])
        self._jobs.put((run["thread_id"], run["id"]))

    def observe(self, engine: Engine, run: JSON) -> None:
        """Nothing: the run moves on by itself."""

    def working(self) -> int:
        """How many runs are queued for a worker thread or held by one (a server stopping
        when idle waits for them)."""
        with self._lock:
            return len(self._busy)

    def follow(self, engine: Engine, run: JSON) -> Iterator[Event]:
        thread_id, run_id, epoch = run["thread_id"], run["id"], engine.epoch

        def recheck() -> list[Event] | None:
            with engine.lock, engine.store.unit_of_work():
                current = engine.store.runs.get(run_id, thread_id)
                if current is None or engine.epoch != epoch:
                    return []
                if current["status"] in (*lifecycle.TERMINAL, "requires_action"):
                    return [(f"thread.run.{current['status']}", copy.deepcopy(current))]
                return None

        return self.logs.follow(run_id, recheck)

    def _serve(self) -> None:
        while True:
            key = self._jobs.get()
            if key is None:
                return
            try:
                self._work(*key)
            except Exception:  # one run's defect must not end the thread serving them all
                traceback.print_exc(file=sys.stderr)
            with self._lock:
                if key[1] in self._again and not self._stop.is_set():
                    self._again.discard(key[1])
                    self._jobs.put(key)
                else:
                    self._busy.discard(key[1])

    def _work(self, thread_id: str, run_id: str) -> None:
        engine = self._engine
        assert engine is not None
        emit = self.logs.emitter(run_id)
        with engine.lock, engine.store.unit_of_work():
            run = engine.store.runs.get(run_id, thread_id)
            if run is None or run_id not in engine.run_plans:
                self._forget(run_id)
                return
            plan = plans.plan_of(engine, run)
            if run["status"] in ("queued", "cancelling"):
                plan.queued_polls = 0  # only polling clients are held back
                lifecycle.advance(engine, run, emit)
            if run["status"] != "in_progress" or plan.stalled:
                self._settled(run)
                return
            taker = lifecycle.Taker(engine, run, plan, emit)
        while not self._stop.is_set():
            event = _next(plan.events)  # outside the lock: this may wait on a model
            with engine.lock, engine.store.unit_of_work():
                run = engine.store.runs.get(run_id, thread_id)
                if run is None:
                    self._forget(run_id)
                    return
                taker.rebind(run)
                if run["status"] != "in_progress":
                    stopped = run["status"] in ("cancelling", "cancelled")
                    taker.interrupt("run_cancelled" if stopped else "run_expired")
                    if run["status"] == "cancelling":
                        lifecycle.advance(engine, run, emit)
                    self._settled(run)
                    return
                if taker.take(event):
                    self._settled(run)
                    return

    def _settled(self, run: JSON) -> None:
        if run["status"] in lifecycle.TERMINAL:
            self._forget(run["id"])

    def _forget(self, run_id: str) -> None:
        with self._lock:
            self._active.pop(run_id, None)
        engine = self._engine
        if engine is not None:
            engine.run_plans.pop(run_id, None)
        self.logs.drop(run_id)

    def sweep(self) -> None:
        """Expire the active runs past their ``expires_at``, by the engine's clock."""
        engine = self._engine
        assert engine is not None
        with self._lock:
            active = list(self._active.items())
        for run_id, thread_id in active:
            with engine.lock, engine.store.unit_of_work():
                run = engine.store.runs.get(run_id, thread_id)
                if run is None or run["status"] in lifecycle.TERMINAL:
                    self._forget(run_id)
                elif run["expires_at"] is not None and engine.clock.peek() >= run["expires_at"]:
                    lifecycle.expire(engine, run, self.logs.emitter(run_id))
                    self._forget(run_id)

    def _sweep_forever(self) -> None:
        while not self._stop.wait(self.sweep_seconds):
            try:
                self.sweep()
            except Exception:  # the sweeper must outlive one bad pass
                traceback.print_exc(file=sys.stderr)


def _next(events: Iterator[TurnEvent]) -> TurnEvent | None:
    """The responder's next event; None when it has no more. A responder that raises fails
    the run rather than the worker thread."""
    try:
        return next(events, None)
    except Exception as error:
        return Failed("server_error", f"The run failed unexpectedly: {type(error).__name__}.")
