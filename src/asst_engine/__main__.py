"""``python -m asst_engine`` / ``asst-engine``: serve the engine until Ctrl-C."""

from __future__ import annotations

import argparse
import sys

from asst_engine.engine import Engine
from asst_engine.options import EngineOptions
from asst_engine.testing.server import make_server


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="asst-engine",
        description="A stateful in-memory Assistants-protocol server (openai, azure and foundry "
        "dialects), e.g. asst-engine --port 8787 --seed cassettes",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port to bind (default 8787)")
    parser.add_argument(
        "--seed",
        help="deterministic mode: seeded ids and a clock from 2026-01-01 (for recording cassettes)",
    )
    parser.add_argument(
        "--poll-after-ms",
        type=_whole,
        metavar="MS",
        help="send the openai-poll-after-ms header with this value on run retrievals",
    )
    faults = parser.add_argument_group(
        "faults", "for robustness tests; requests are counted from 1, whatever they ask"
    )
    faults.add_argument(
        "--latency-ms", type=_whole, metavar="MS", help="wait this long before every answer"
    )
    for flag, what in FAULT_FLAGS.items():
        faults.add_argument(flag, type=_whole, metavar="N", help=f"every Nth request {what}")
    return parser.parse_args(argv)


FAULT_FLAGS = {
    "--fail-every-429": "answers 429 (rate limited, Retry-After: 0)",
    "--fail-every-500": "answers 500 (server_error)",
    "--drop-every": "gets no answer: the connection is closed",
}


def _whole(text: str) -> int:
    """A whole number, zero or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value}")
    return value


def options(args: argparse.Namespace) -> EngineOptions:
    """The engine options the flags ask for."""
    return {
        "poll_after_ms": args.poll_after_ms,
        "latency_ms": args.latency_ms,
        "fail_every_429": args.fail_every_429,
        "fail_every_500": args.fail_every_500,
        "drop_every": args.drop_every,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    chosen = options(args)
    engine = (
        Engine.deterministic(args.seed, **chosen) if args.seed is not None else Engine(**chosen)
    )
    server = make_server(args.host, args.port, engine)
    print(f"asst-engine serving on {server.url} (Ctrl-C to stop)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
