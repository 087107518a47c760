"""The project's engine, serving on loopback for the benchmarks, with a log of every request.

Each answered request appends one JSON line to --log: when it arrived and when its answer was
fully sent (``time.monotonic()``, which on Linux is one clock for every process), its method,
path and status, and for a run the status the answer reported. A streamed answer is logged once
its last event is out. --messages N first creates a thread holding N messages (straight through
the engine's dispatch, no HTTP) and prints its id after the URL.

Run by bench/common.py; by hand: python bench/engine_probe.py --log /tmp/log.jsonl --latency-ms 50
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

from asst_engine import Engine, Response, dispatch, make_server
from asst_engine.testing.server import EngineHandler

HEADERS = {
    "Authorization": "Bearer sk-bench",
    "OpenAI-Beta": "assistants=v2",
    "Content-Type": "application/json",
}


class LoggingHandler(EngineHandler):
    log_lock = threading.Lock()
    log_path = ""

    def _answer(self) -> None:
        self._arrived = time.monotonic()
        super()._answer()

    def _send(self, response: Response) -> None:
        super()._send(response)
        entry: dict[str, Any] = {
            "t0": self._arrived,
            "t1": time.monotonic(),
            "method": self.command,
            "path": self.path.split("?")[0],
            "status": response.status,
            "run": _run_status(response),
        }
        with self.log_lock, Path(self.log_path).open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")


def _run_status(response: Response) -> str | None:
    if response.headers.get("Content-Type", "").startswith("text/event-stream"):
        return "streamed"
    try:
        body = json.loads(response.body)
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("object") == "thread.run":
        return str(body.get("status"))
    return None


def seed_thread(engine: Engine, messages: int) -> str:
    """A thread holding ``messages`` user messages, made without HTTP."""
    answer = dispatch(engine, "POST", "/v1/threads", HEADERS, b"{}")
    thread_id = str(json.loads(answer.body)["id"])
    for number in range(messages):
        body = json.dumps({"role": "user", "content": f"message {number}: " + "x" * 200})
        sent = dispatch(engine, "POST", f"/v1/threads/{thread_id}/messages", HEADERS, body.encode())
        assert sent.status == 200, sent.body
    return thread_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--log", required=True)
    parser.add_argument("--messages", type=int, default=0)
    for option in ("poll-after-ms", "latency-ms", "fail-every-429", "fail-every-500"):
        parser.add_argument(f"--{option}", type=int)
    args = parser.parse_args()
    engine = Engine(
        poll_after_ms=args.poll_after_ms,
        latency_ms=args.latency_ms,
        fail_every_429=args.fail_every_429,
        fail_every_500=args.fail_every_500,
    )
    thread_id = seed_thread(engine, args.messages) if args.messages else ""
    server = make_server("127.0.0.1", 0, engine)
    server.RequestHandlerClass = LoggingHandler
    LoggingHandler.log_path = args.log
    print(server.url, thread_id, flush=True)
    try:
        server.serve_forever(0.05)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.exit(0)


if __name__ == "__main__":
    main()
