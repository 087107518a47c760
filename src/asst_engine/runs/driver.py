"""When runs move on: the ``Driver`` seam, and the poll-stepped driver the engine uses today.

The lifecycle says how a run changes; a driver says when. ``PollDriver`` moves a run one step
each time a client retrieves it, which keeps polling clients and cassettes deterministic (a run
is as far along as it has been observed). A background driver for a real server takes the
other path (``worker.WorkerDriver``): ``wake`` queues the run for a worker thread, which takes
the responder's events in units of work of its own and writes the stream events to the run's
event log; ``observe`` does nothing, and ``follow`` gives a streamed request the run's events as
they come. With ``PollDriver``, ``follow`` gives None: a streamed request settles its run itself
(``http/streams.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.runs import lifecycle


class Driver(Protocol):
    def attach(self, engine: Engine) -> None:
        """The engine is built (its store may hold runs a previous process left active)."""
        ...

    def close(self) -> None:
        """The engine is shutting down: stop working on runs."""
        ...

    def wake(self, engine: Engine, run: JSON) -> None:
        """The run has work to do: it was created, got its tool outputs, or is cancelling."""
        ...

    def observe(self, engine: Engine, run: JSON) -> None:
        """A client retrieved the run (inside the request's unit of work)."""
        ...

    def follow(self, engine: Engine, run: JSON) -> Iterator[tuple[str, JSON]] | None:
        """The run's stream events from now on, as the driver produces them (called under
        the engine's lock, consumed outside it); None if the request is to settle the run."""
        ...


class PollDriver:
    """Runs advance when observed, one step per retrieval."""

    def attach(self, engine: Engine) -> None:
        """Nothing to start."""

    def close(self) -> None:
        """Nothing runs in the background."""

    def wake(self, engine: Engine, run: JSON) -> None:
        """Nothing to do now: the run waits to be observed."""

    def observe(self, engine: Engine, run: JSON) -> None:
        lifecycle.advance(engine, run)

    def follow(self, engine: Engine, run: JSON) -> Iterator[tuple[str, JSON]] | None:
        return None
