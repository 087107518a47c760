"""When runs move on: the ``Driver`` seam, and the poll-stepped driver the engine uses today.

The lifecycle says how a run changes; a driver says when. ``PollDriver`` moves a run one step
each time a client retrieves it, which keeps polling clients and cassettes deterministic (a run
is as far along as it has been observed). A background driver for a real server takes the
other path: ``wake`` queues the run for a worker, which calls ``lifecycle.settle`` in a unit of
work of its own (events go to the run's event log for streams), and ``observe`` does nothing.
Streamed requests settle their run themselves, whatever the driver (``http/streams.py``).
"""

from __future__ import annotations

from typing import Protocol

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.runs import lifecycle


class Driver(Protocol):
    def wake(self, engine: Engine, run: JSON) -> None:
        """The run has work to do: it was created, got its tool outputs, or is cancelling."""
        ...

    def observe(self, engine: Engine, run: JSON) -> None:
        """A client retrieved the run (inside the request's unit of work)."""
        ...


class PollDriver:
    """Runs advance when observed, one step per retrieval."""

    def wake(self, engine: Engine, run: JSON) -> None:
        """Nothing to do now: the run waits to be observed."""

    def observe(self, engine: Engine, run: JSON) -> None:
        lifecycle.advance(engine, run)
