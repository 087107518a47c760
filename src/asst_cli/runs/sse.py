"""Server-sent events of the Assistants protocol: parsing, and following a streamed run.

A streamed run ends like a polled one (see waiting.py for the exit codes); a ``requires_action``
event is answered by the tool handlers and the stream goes on with the submitted outputs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .. import api, paths, polling
from ..errors import AsstError, ExitCode
from ..wire import once
from . import waiting

RUN_EVENT = "thread.run."
DELTA_EVENT = "thread.message.delta"


@dataclass
class Event:
    name: str
    data: Any

    def as_dict(self) -> dict[str, Any]:
        return {"event": self.name, "data": self.data}


def parse(lines: Iterable[str]) -> Iterator[Event]:
    """Events from the lines of a text/event-stream body (multi-line data joined by newlines)."""
    name = ""
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield _event(name or "message", "\n".join(data))
            name, data = "", []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
    if data:
        yield _event(name or "message", "\n".join(data))


def _event(name: str, text: str) -> Event:
    if text == "[DONE]":
        return Event("done", None)
    try:
        return Event(name, json.loads(text))
    except json.JSONDecodeError:
        return Event(name, text)


def numbered_delta_text(event: Event, counter: list[int]) -> str:
    """A delta's text with each annotation marker replaced by ``[n]``, as footnotes number them.

    ``counter`` holds the last number used in the current message.
    """
    delta = event.data.get("delta", {}) if isinstance(event.data, dict) else {}
    pieces = []
    for part in delta.get("content") or []:
        if not isinstance(part, dict) or part.get("type") != "text":
            continue
        text = part.get("text", {})
        value = str(text.get("value", ""))
        for annotation in text.get("annotations") or []:
            marker = annotation.get("text") if isinstance(annotation, dict) else None
            if marker and marker in value:
                counter[0] += 1
                value = value.replace(marker, f"[{counter[0]}]", 1)
        pieces.append(value)
    return "".join(pieces)


class _Watchdog:
    """Closes the stream when the deadline passes, so a silent server cannot outlast it."""

    def __init__(self, deadline: polling.Deadline, response: Any) -> None:
        self.fired = False
        remaining = deadline.remaining()
        self._timer = None
        if remaining is not None:
            self._timer = threading.Timer(remaining, self._fire, args=(response,))
            self._timer.daemon = True
            self._timer.start()

    def _fire(self, response: Any) -> None:
        self.fired = True
        response.close()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


class _DeadlineHit(Exception):
    """The deadline ended the stream (a silent server, or no answer in time)."""


def _events(path: str, body: dict[str, Any], deadline: polling.Deadline) -> Iterator[Event]:
    try:
        with api.stream_post(path, {**body, "stream": True}, deadline.remaining()) as response:
            watchdog = _Watchdog(deadline, response)
            try:
                yield from parse(response.iter_lines())
            except Exception:
                if not watchdog.fired:
                    raise
            finally:
                watchdog.stop()
            if watchdog.fired:
                raise _DeadlineHit
    except Exception as exc:
        # A server too slow to answer (or to go on) within the deadline is cut off by it.
        if isinstance(exc, polling.DeadlineCut) or polling.cut_by_deadline(
            exc, deadline.remaining()
        ):
            raise _DeadlineHit from None
        raise


def _lost(exc: BaseException) -> AsstError | None:
    """A connection lost mid-stream, as the error it maps to (None: not that)."""
    if not type(exc).__module__.startswith("httpx"):
        return None
    import httpx2

    if not isinstance(exc, httpx2.TransportError):
        return None
    return AsstError(f"the connection was lost while streaming: {exc}", None, ExitCode.TEMPORARY)


class _Stream:
    """One streamed run, followed through its tool rounds; ``run`` is the last state seen."""

    def __init__(
        self,
        options: waiting.WaitOptions,
        on_event: Callable[[Event], None],
        on_run: Callable[[dict[str, Any]], None] | None,
    ) -> None:
        self.options = options
        self.on_event = on_event
        self.on_run = on_run
        self.run: dict[str, Any] = {}

    def ids(self) -> tuple[str, str]:
        return str(self.run["thread_id"]), str(self.run["id"])

    def read(self, path: str, body: dict[str, Any]) -> None:
        try:
            self._read(path, body)
        except once.Found as found:
            self._seen(path, found.made)
            raise AsstError(
                f"POST {path}: the answer was lost; the server started run "
                f"{found.made.get('id')} all the same",
                "asst did not send it again, so nothing was made twice; "
                + waiting.resume_hint(*self.ids()),
                ExitCode.TEMPORARY,
            ) from None

    def _seen(self, path: str, run: dict[str, Any]) -> None:
        first = not self.run
        self.run = run
        if first:
            api.created(path, self.run)
        if first and self.on_run is not None:
            self.on_run(self.run)  # e.g. -c remembers the thread at once

    def _read(self, path: str, body: dict[str, Any]) -> None:
        for event in _events(path, body, self.options.deadline):
            self.on_event(event)
            if event.name.startswith(RUN_EVENT) and isinstance(event.data, dict):
                if event.data.get("object") == "thread.run":
                    self._seen(path, event.data)
            elif event.name == "error":
                raise AsstError(f"the stream reported an error: {_message(event.data)}")

    def follow(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        while True:
            self.read(path, body)
            if self.run.get("status") != "requires_action":
                return self.run
            run_path = waiting.run_path(*self.ids())
            outputs = waiting.answer(run_path, self.run, self.options)
            if outputs is None:
                return self.run
            path, body = paths.submit_tool_outputs(run_path), {"tool_outputs": outputs}


def follow(
    path: str,
    body: dict[str, Any],
    options: waiting.WaitOptions,
    on_event: Callable[[Event], None],
    on_run: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Stream a run (created by POSTing ``body`` to ``path``) to its end; returns the last run.

    ``on_run`` gets the run as soon as it exists. Once it does, a deadline, Ctrl-C, SIGTERM or
    a lost connection end the command as they would a polled wait: cancelling when asked,
    naming the run and how to resume.
    """
    stream = _Stream(options, on_event, on_run)
    try:
        return stream.follow(path, body)
    except _DeadlineHit:
        if not stream.run:
            raise polling.DeadlineCut(options.deadline) from None
        raise waiting.timed_out(stream.ids(), stream.run, options) from None
    except KeyboardInterrupt as stop:
        if not stream.run:
            raise
        raise waiting.interrupted(stop, stream.ids(), options) from None
    except Exception as exc:
        lost = _lost(exc)
        if lost is None or not stream.run:
            raise
        raise waiting.went_away(lost, stream.ids()) from exc


def _message(data: Any) -> str:
    if isinstance(data, dict):
        inner = data.get("error", data)
        if isinstance(inner, dict):
            return str(inner.get("message", inner))
    return str(data)
