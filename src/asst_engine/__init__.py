"""asst_engine: the project's own stateful Assistants-protocol server.

It keeps assistants, threads, messages, runs, run steps, files and vector stores and speaks
three dialects at once, chosen by path prefix. It records the test cassettes and is growing into
a real server, so it is laid out by concern, arrows pointing one way
(http → resources, runs → models, tools → store):

- ``engine``: the kernel, where the seams are injected (store, responder, driver, faults);
- ``http/``: the HTTP adapter: server, dispatch, routing, dialects, SSE streams, multipart;
- ``resources/``: assistants, threads, messages, files, vector stores and their files, batches;
- ``runs/``: run operations, the lifecycle, steps, replies, and the ``Driver`` seam;
- ``models/``: the turn-level ``Responder`` seam and the keyword-scripted responder;
- ``tools/``: what hosted tools do (file search behind ``retrieval``, which tools run, files made);
- ``store/``: the ``Store`` interface, the in-memory and SQLite stores, blobs on disk, paging;
- ``testing/``: faults, seeded ids, the stepping clock; only ever injected.

Runs may be streamed (``"stream": true`` on create, create-and-run and submit tool outputs):
the answer is then ``text/event-stream`` with the protocol's events (see ``http/streams``).

Options for client tests (``Engine(..., poll_after_ms=...)``, flags of ``asst-engine``): the
poll hint, and injected faults (latency, every Nth request 429 / 500 / dropped); see ``options``
and ``testing/faults``.

Test hooks:
- credential ``rejected`` (api key or bearer token) → 401 "Incorrect API key provided";
  credential ``forbidden`` → 403.
- user-message keywords that choose a run's lifecycle: ``call <fname> {json}``, ``please fail``,
  ``please expire``, ``please stop early``, ``please hang``, ``please queue for N polls``, and
  replies with annotations and files: ``please cite``, ``please make a file`` (see
  ``models/scripted``).

Python standard library only.
"""

from __future__ import annotations

from typing import Any

from asst_engine.engine import Engine
from asst_engine.errors import ConnectionDropped, EngineError
from asst_engine.http.dispatch import Response, dispatch
from asst_engine.http.server import EngineServer, make_server, serve

__all__ = [
    "ConnectionDropped",
    "Engine",
    "EngineError",
    "EngineServer",
    "Response",
    "SeededIds",
    "SteppingClock",
    "dispatch",
    "make_server",
    "serve",
]


def __getattr__(name: str) -> Any:
    """The deterministic ids and clock load on first use: the server never imports ``testing``."""
    if name in ("SeededIds", "SteppingClock"):
        from asst_engine.testing import determinism

        return getattr(determinism, name)
    raise AttributeError(f"module 'asst_engine' has no attribute {name!r}")
