"""asst serve: run the Assistants server (the engine) here; see whether one runs; stop it.

The engine and its HTTP server are imported inside ``serve`` only, when it starts one: help,
completion, ``status`` and ``stop`` never load them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import __version__, render
from ..errors import AsstError, ExitCode, UsageError
from ..local import server_state
from ..options import output_choice

app = typer.Typer(rich_markup_mode=None, add_completion=False)
KEYS_ENV = "ASST_SERVE_API_KEYS"
STOP_TIMEOUT = 15.0  # seconds: the server's grace period for requests in flight, and then some
# Without a hint the SDKs poll once a second: a run a model answers in 0.3 s would wait for 1 s.
POLL_AFTER_MS = 50
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        metavar="DIR",
        help="Where the server keeps its state (env: ASST_DATA_DIR; default: the user data dir)",
    ),
]
STATUS_COLUMNS = (
    render.Column("url", "url"),
    render.Column("pid", "pid"),
    render.Column("uptime", lambda info: f"{info['uptime']} s"),
    render.Column("version", "version"),
    render.Column("data dir", "data_dir"),
)


@app.callback(invoke_without_command=True)
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; not loopback needs --api-key")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on; 0 picks a free one")
    ] = 8787,
    data_dir: DataDir = None,
    api_key: Annotated[
        list[str] | None,
        typer.Option(
            "--api-key", metavar="KEY",
            help=f"A key clients must send (repeatable; env: {KEYS_ENV})",
        ),
    ] = None,
    api_key_file: Annotated[
        Path | None,
        typer.Option("--api-key-file", metavar="FILE", help="More keys, one per line"),
    ] = None,
    scripted: Annotated[
        bool,
        typer.Option("--scripted", help="Reply by keyword rules, not a model (tests, demos)"),
    ] = False,
    model_base_url: Annotated[
        str | None,
        typer.Option(
            "--model-base-url", metavar="URL", help="The model's OpenAI-compatible base URL "
            "(env: ASST_MODEL_BASE_URL), e.g. http://localhost:11434/v1",
        ),
    ] = None,
    model_api_key: Annotated[
        str | None,
        typer.Option("--model-api-key", metavar="KEY", help="The model's API key "
                     "(prefer the env: ASST_MODEL_API_KEY)"),
    ] = None,
    model_map: Annotated[
        Path | None,
        typer.Option("--model-map", metavar="FILE", help="An assistant's model -> provider "
                     "and model name (env: ASST_MODEL_MAP)"),
    ] = None,
    code_timeout: Annotated[
        float,
        typer.Option("--code-timeout", metavar="SECONDS", min=1,
                     help="How long one code_interpreter cell may run"),
    ] = 60.0,
    unsafe_code_without_sandbox: Annotated[
        bool,
        typer.Option("--unsafe-code-without-sandbox",
                     help="Run code_interpreter code without isolation where bubblewrap is "
                     "missing (only for code you trust)"),
    ] = False,
    idle_timeout: Annotated[
        float | None,
        typer.Option("--idle-timeout", metavar="SECONDS", min=0,
                     help="Stop after this long without a request or a run at work "
                     "(default: never)"),
    ] = None,
    tls_cert: Annotated[
        Path | None,
        typer.Option("--tls-cert", metavar="FILE", exists=True, dir_okay=False,
                     help="Serve https with this PEM certificate (with --tls-key)"),
    ] = None,
    tls_key: Annotated[
        Path | None,
        typer.Option("--tls-key", metavar="FILE", exists=True, dir_okay=False,
                     help="The certificate's PEM private key"),
    ] = None,
    log_level: Annotated[
        str, typer.Option("--log-level", help="debug, info (an access line per request), "
                          "warning or error")
    ] = "info",
    poll_after_ms: Annotated[
        int,
        typer.Option("--poll-after-ms", metavar="MS", min=0,
                     help="Tell polling clients to wait this long (openai-poll-after-ms); "
                     "0 sends no hint"),
    ] = POLL_AFTER_MS,
) -> None:  # fmt: skip
    """Serve the Assistants API (OpenAI /v1, Azure /openai, Foundry /api/projects/P) here.

    With keys, every request needs one and each key sees only its own objects. Stop it with
    Ctrl-C, SIGTERM or 'asst serve stop'.

    Example: asst serve --port 8787 --api-key "$(cat ~/.asst-key)"
    """
    if ctx.invoked_subcommand is not None:
        return
    if log_level not in ("debug", "info", "warning", "error"):
        raise UsageError(f"unknown log level '{log_level}'", "use debug, info, warning or error")
    options = {
        "host": host,
        "port": port,
        "data_dir": server_state.data_dir(data_dir),
        "keys": _keys(api_key or [], api_key_file),
        "scripted": scripted,
        "model_base_url": model_base_url or os.environ.get("ASST_MODEL_BASE_URL"),
        "model_api_key": model_api_key or os.environ.get("ASST_MODEL_API_KEY"),
        "model_map": model_map or _path(os.environ.get("ASST_MODEL_MAP")),
        "code_timeout": code_timeout,
        "unsafe_code_without_sandbox": unsafe_code_without_sandbox,
        "idle_timeout": idle_timeout,
        "tls_cert": tls_cert,
        "tls_key": tls_key,
        "log_level": log_level,
        "poll_after_ms": poll_after_ms or None,
    }
    _run(options)


def _run(options: dict[str, Any]) -> None:
    try:
        from asst_engine.assemble import ServeConfig
        from asst_engine.process.run import serve
        from asst_engine.process.state import ServeError
    except ImportError as error:
        raise AsstError(
            f"asst serve needs the server's packages ({error.name} is missing)",
            "install them with: pip install 'asst-cli[serve]'",
        ) from None
    try:
        serve(ServeConfig(**options), __version__)
    except ServeError as error:
        raise UsageError(str(error)) from None


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _keys(given: list[str], key_file: Path | None) -> tuple[str, ...]:
    """--api-key values, then ASST_SERVE_API_KEYS (comma-separated), then the key file's lines."""
    keys = [*given, *os.environ.get(KEYS_ENV, "").split(",")]
    if key_file is not None:
        try:
            keys += key_file.read_text().splitlines()
        except OSError as error:
            raise UsageError(f"cannot read the key file {key_file}: {error.strerror}") from None
    return tuple(dict.fromkeys(key.strip() for key in keys if key.strip()))


@app.command()
@output_choice
def status(data_dir: DataDir = None, choice: render.Choice = render.AS_CONFIGURED) -> None:
    """Print the url, pid, uptime and data dir of the running server (exit 3 if none runs).

    Example: asst serve status -o json
    """
    path = server_state.data_dir(data_dir)
    info = _running(path)
    info["uptime"] = max(0, int(time.time()) - int(info.get("started_at", 0)))
    render.emit(info, STATUS_COLUMNS, choice)


@app.command()
def stop(data_dir: DataDir = None) -> None:
    """Stop the running server (SIGTERM) and wait until it has (exit 3 if none runs).

    Example: asst serve stop --data-dir ~/.local/share/asst
    """
    path = server_state.data_dir(data_dir)
    info = _running(path)
    if not server_state.stop(path, int(info["pid"]), STOP_TIMEOUT):
        raise AsstError(
            f"the server (pid {info['pid']}) did not stop within {STOP_TIMEOUT:.0f} s",
            f"end it with: kill -9 {info['pid']}",
            ExitCode.DEADLINE,
        )
    render.progress(f"Stopped the server at {info['url']} (pid {info['pid']}).")


def _running(path: Path) -> dict[str, Any]:
    info = server_state.running(path)
    if info is None:
        raise AsstError(
            f"no server is running for the data dir {path}",
            f"start one with 'asst serve --data-dir {path}'",
            ExitCode.NOT_FOUND,
        )
    return info
