"""Each run's events as the background worker produces them, for the streams that follow it.

A log holds one stretch of a run: from when it was woken to the event that ends the stretch (a
terminal status, or ``requires_action``); submitting tool outputs starts a new log. Events are
appended under the engine's lock, as deep copies (the stored objects go on changing), and a
condition wakes the readers, which wait outside the engine's lock. A reader that joins late
starts from the log's end: the stream's request itself has already told what came before.
A reader whose run is gone, or ends without news in the log (the engine was reset, a restart),
learns it from the store (``Recheck``), every ``RECHECK_SECONDS`` at most.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator

from asst_engine.json_types import JSON

# Events after which a stretch of a run has nothing more to say.
FINAL = frozenset(
    f"thread.run.{status}"
    for status in ("completed", "failed", "cancelled", "expired", "incomplete", "requires_action")
)
RECHECK_SECONDS = 0.25
Event = tuple[str, JSON]
# What the store says of a run a reader waits on: None while it is still going, else the
# events that end its stream ([] when it is gone).
Recheck = Callable[[], list[Event] | None]


class EventLog:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.final = False
        self.changed = threading.Condition()

    def append(self, name: str, data: JSON) -> None:
        with self.changed:
            self.events.append((name, copy.deepcopy(data)))
            self.final = self.final or name in FINAL
            self.changed.notify_all()

    def follow(self, start: int, recheck: Recheck) -> Iterator[Event]:
        """The events from ``start`` on, as they come, until the final one."""
        position = start
        timeout = 0.0  # the store first: the run may have ended before anyone followed it
        while True:
            with self.changed:
                if position >= len(self.events) and not self.final:
                    self.changed.wait(timeout)
                batch = self.events[position:]
                position += len(batch)
                final = self.final
            yield from batch
            if final:
                return
            if not batch:
                ending = recheck()
                with self.changed:
                    # Events are appended under the engine's lock, which ``recheck`` took:
                    # any the run sent before it ended are in the log now.
                    caught_up = position >= len(self.events)
                if ending is not None and caught_up:
                    yield from ending
                    return
            timeout = RECHECK_SECONDS


class EventLogs:
    """The open log of each run being worked on."""

    def __init__(self) -> None:
        self._logs: dict[str, EventLog] = {}
        self._lock = threading.Lock()

    def _log(self, run_id: str) -> EventLog:
        with self._lock:
            log = self._logs.get(run_id)
            if log is None or log.final:
                log = self._logs[run_id] = EventLog()
            return log

    def emitter(self, run_id: str) -> Callable[[str, JSON], None]:
        """The ``Emit`` of the worker for ``run_id``: into its open log."""

        def emit(name: str, data: JSON) -> None:
            log = self._log(run_id)
            log.append(name, data)
            if log.final:
                self.drop(run_id, log)

        return emit

    def follow(self, run_id: str, recheck: Recheck) -> Iterator[Event]:
        """What the run says from now on. Call it under the engine's lock (no event can slip
        in between the request's own events and the log's), consume it outside."""
        log = self._log(run_id)
        return log.follow(len(log.events), recheck)

    def drop(self, run_id: str, log: EventLog | None = None) -> None:
        with self._lock:
            if log is None or self._logs.get(run_id) is log:
                self._logs.pop(run_id, None)
