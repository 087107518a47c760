"""asst_engine: the project's own stateful Assistants-protocol server.

It keeps assistants, threads, messages, runs, run steps, files and vector stores and speaks
three dialects at once, chosen by path prefix. It records the test cassettes and is growing into
a real server, so it is laid out by concern, arrows pointing one way
(http → resources, runs → models, tools → store):

- ``engine``: the kernel, where the seams are injected (store, responder, driver, faults);
- ``http/``: the HTTP adapter: the ASGI app of ``asst serve``, dispatch, routing, dialects,
  SSE streams, multipart, API keys;
- ``process/``: the ``asst serve`` process (its data dir's lock and ``server.json``, uvicorn);
- ``assemble``: ``asst serve``'s options → a wired ``Engine``;
- ``resources/``: assistants, threads, messages, files, vector stores and their files, batches;
- ``runs/``: run operations, the lifecycle, steps, replies, and the ``Driver`` seam;
- ``models/``: the turn-level ``Responder`` seam and the keyword-scripted responder;
- ``tools/``: what hosted tools do (file search behind ``retrieval``, which tools run, files made);
- ``store/``: the ``Store`` interface, the in-memory and SQLite stores, blobs on disk, paging;
- ``testing/``: faults, seeded ids, the stepping clock, the stdlib test server (``asst-engine``,
  cassette recording, dropped connections); only ever injected or used by tests.

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

The engine is Python standard library only; ``asst serve`` adds the ``serve`` extra (uvicorn,
python-multipart), imported only by ``http/asgi``, ``http/uploads`` and ``process/``.
"""

from __future__ import annotations

from typing import Any

from asst_engine.engine import Engine
from asst_engine.errors import ConnectionDropped, EngineError
from asst_engine.http.dispatch import Response, dispatch

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
    """The test tools (deterministic ids and clock, the stdlib test server) load on first use:
    the server path never imports ``testing``."""
    if name in ("SeededIds", "SteppingClock"):
        from asst_engine.testing import determinism

        return getattr(determinism, name)
    if name in ("EngineServer", "make_server", "serve"):
        from asst_engine.testing import server

        return getattr(server, name)
    raise AttributeError(f"module 'asst_engine' has no attribute {name!r}")
