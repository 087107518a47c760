"""A streamed run's opening request whose answer is lost makes nothing twice (create-and-run:
test_lossless.py, in both modes).

The engine does the work; the proxy (tests/loopback.py) closes the connection instead of passing
the stream on, so asst hears nothing of the run it started.
"""

from __future__ import annotations

from typing import Any

import test_lossless
from test_lossless import made, ok

from harness import Runner

# The engine and the proxy that loses answers, as in test_lossless.py.
engine = test_lossless.engine
losing = test_lossless.losing


def test_a_lost_streamed_run_on_a_thread_makes_one_run(cli: Runner, losing: Any) -> None:
    aid = ok(cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-o", "id"))
    thread = ok(cli("threads", "create", "-o", "id")).stdout.strip()
    proxy = losing("POST /v1/threads/*/runs")
    result = cli("run", "--stream", "--thread", thread, "-a", aid.stdout.strip(), "hello")
    assert proxy.lost == [f"POST /v1/threads/{thread}/runs"]
    assert made(proxy, f"POST /v1/threads/{thread}/runs") == 1  # found, never sent again
    runs = ok(cli("runs", "list", thread, "-o", "id")).stdout.split()
    assert len(runs) == 1
    assert result.exit_code == 75
    assert result.stderr == (
        f"Error: POST /threads/{thread}/runs: the answer was lost; the server started run "
        f"{runs[0]} all the same (asst did not send it again, so nothing was made twice; "
        f"resume with 'asst runs wait {thread} {runs[0]}')\n"
    )
    waited = ok(cli("runs", "wait", thread, runs[0], "-o", "json")).json()
    assert waited["status"] == "completed"
