"""asst_engine: the project's own stateful Assistants-protocol server.

It keeps assistants, threads, messages, runs, run steps, files and vector stores in memory and
speaks three dialects at once, chosen by path prefix (see ``dialects``). It records the test
cassettes and is meant to grow into an embedded backend, so state (``state`` and one module per
resource family) is kept apart from HTTP (``dispatch``, ``routes``, ``http``).

Runs may be streamed (``"stream": true`` on create, create-and-run and submit tool outputs):
the answer is then ``text/event-stream`` with the protocol's events (see ``streams``).

Options for client tests (``Engine(..., poll_after_ms=...)``, flags of ``asst-engine``): the
poll hint, and injected faults (latency, every Nth request 429 / 500 / dropped); see ``options``
and ``faults``.

Test hooks:
- credential ``rejected`` (api key or bearer token) → 401 "Incorrect API key provided";
  credential ``forbidden`` → 403.
- user-message keywords that choose a run's lifecycle: ``call <fname> {json}``, ``please fail``,
  ``please expire``, ``please stop early``, ``please hang``, ``please queue for N polls``, and
  replies with annotations and files: ``please cite``, ``please make a file`` (see
  ``responder``).

Python standard library only.
"""

from __future__ import annotations

from asst_engine.engine import Engine
from asst_engine.errors import EngineError
from asst_engine.http.dispatch import Response, dispatch
from asst_engine.http.server import EngineServer, make_server, serve
from asst_engine.testing.determinism import SeededIds, SteppingClock
from asst_engine.testing.faults import ConnectionDropped

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
