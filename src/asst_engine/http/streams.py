"""Streamed runs: ``"stream": true`` answers ``text/event-stream`` instead of the run object.

The run operation hears each change through an ``Emit`` (see ``lifecycle``); a ``Recorder``
renders every object for the dialect at the moment it is announced and writes it as
``event: <name>\\ndata: <json>\\n\\n``. The run is then settled at once, so the stream ends with
its terminal event (or ``thread.run.requires_action``) and ``event: done`` / ``data: [DONE]``,
and later GETs return exactly the state the stream reported.

A run that hangs (``please hang``) stays ``in_progress``: its stream stays open, with no
events, until the run is cancelled (or deleted, or the engine reset).

With a driver that works on runs in the background (``runs/worker.py``), the request does not
settle the run: after the events of the operation itself, the stream follows the run's event
log (``Driver.follow``) and sends each event as the worker produces it, so model tokens reach
the client as ``thread.message.delta`` events as they arrive.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from asst_engine.engine import Engine
from asst_engine.http.dialects import Dialect
from asst_engine.http.exchange import EventStream, Reply, Request
from asst_engine.json_types import JSON
from asst_engine.runs import lifecycle, plans, steps
from asst_engine.runs.lifecycle import Emit
from asst_engine.tools.file_search import without_content

CONTENT_TYPE = "text/event-stream; charset=utf-8"
# How often a hung stream looks whether its run was cancelled.
HANG_POLL_SECONDS = 0.02

Operation = Callable[[Engine, Request, Emit], JSON]
Handler = Callable[[Engine, Request], Any]


class Recorder:
    """Collects a stream's events, each rendered for the dialect when it happens. Run steps
    show their file_search results' content only if the request's ``include[]`` asked."""

    def __init__(self, dialect: Dialect, query: Mapping[str, str]) -> None:
        self.dialect = dialect
        self.with_content = steps.with_content(query)
        self.chunks: list[bytes] = []

    def emit(self, name: str, data: JSON) -> None:
        if name.startswith("thread.run.step.") and not self.with_content:
            data = without_content(data)
        name = self.dialect.renamed_events.get(name, name)
        text = json.dumps(self.dialect.render(data), ensure_ascii=False, separators=(",", ":"))
        self.chunks.append(f"event: {name}\ndata: {text}\n\n".encode())

    def done(self) -> None:
        self.chunks.append(b"event: done\ndata: [DONE]\n\n")

    def take(self) -> bytes:
        """The events recorded since the last ``take``."""
        out = b"".join(self.chunks)
        self.chunks = []
        return out


def streamed(operation: Operation) -> Handler:
    """The handler of a run operation that may be streamed (``"stream": true`` in its body)."""

    def handle(engine: Engine, request: Request) -> Any:
        if request.json().get("stream") is not True:
            return operation(engine, request, lifecycle.silent)
        recorder = Recorder(request.dialect, request.query)
        run = operation(engine, request, recorder.emit)
        following = engine.driver.follow(engine, run)
        later = None
        if following is not None:
            later = _live(following, recorder)
        elif _settle(engine, run, recorder):
            # The epoch now, under the lock: a generator reads it only once first iterated,
            # which may be after an ``end_streams`` meant for it.
            later = _when_unstuck(engine, run, recorder, engine.epoch)
        return Reply(EventStream(recorder.take(), later), headers={"Content-Type": CONTENT_TYPE})

    return handle


def _live(following: Iterator[tuple[str, JSON]], recorder: Recorder) -> Iterator[bytes]:
    """The run's events as they come, each sent at once; then ``done``."""
    for name, data in following:
        recorder.emit(name, data)
        yield recorder.take()
    recorder.done()
    yield recorder.take()


def _settle(engine: Engine, run: JSON, recorder: Recorder) -> bool:
    """Drive the run as far as it goes; True if it is stuck ``in_progress`` (it hangs)."""
    plans.plan_of(engine, run).queued_polls = 0  # polls hold back only polling clients
    lifecycle.settle(engine, run, recorder.emit)
    if run["status"] == "in_progress":
        return True
    recorder.done()
    return False


def _when_unstuck(engine: Engine, run: JSON, recorder: Recorder, epoch: int) -> Iterator[bytes]:
    """The rest of a hung run's stream, once something else (a cancel) has moved it on; it
    ends when the engine's epoch is no longer ``epoch`` (a reset, a stopping server)."""
    while True:
        time.sleep(HANG_POLL_SECONDS)
        with engine.lock, engine.store.unit_of_work():
            current = engine.store.runs.get(run["id"], run["thread_id"])
            if current is None or engine.epoch != epoch:
                return  # deleted, or the engine was reset: the stream just ends
            if current["status"] == "in_progress":
                continue
            recorder.emit(f"thread.run.{current['status']}", current)
            _settle(engine, current, recorder)
            chunk = recorder.take()
        # Yield outside the lock: the client may read slowly.
        yield chunk
        return
