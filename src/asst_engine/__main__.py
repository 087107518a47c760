"""``python -m asst_engine`` / ``asst-engine``: serve the engine until Ctrl-C."""

from __future__ import annotations

import argparse
import sys

from asst_engine.http import make_server
from asst_engine.options import EngineOptions
from asst_engine.state import Engine


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
    return parser.parse_args(argv)


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
    return {"poll_after_ms": args.poll_after_ms}


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
