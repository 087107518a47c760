"""The root command: global options, one sub-command group per resource, and the error boundary."""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Literal

import typer

# typer vendors click (as typer._click); its usage errors carry the context we need for hints.
from typer import _click as click
from typer._click import exceptions as click_errors

from . import __version__, api, errors, render, settings
from .argv import hoist_globals
from .commands import completion
from .errors import AsstError, ExitCode
from .lazy import Lazy, LazyGroup, coerce_only_given_values


def _lazy(module: str, help: str, attribute: str = "app") -> Lazy:
    return Lazy(f"asst_cli.commands.{module}:{attribute}", help)


class Root(LazyGroup):
    """The root group: each command's module is imported only when that command is used.

    The help here is what 'asst --help' lists; a test checks it against each module's own.
    """

    lazy = {  # noqa: RUF012
        "run": _lazy(
            "run",
            "Ask an assistant: new thread (or --thread/--continue), message, run; --wait for "
            "the reply.",
            "run",
        ),
        "apply": _lazy(
            "apply",
            "Create what is missing, update what differs, leave the rest; one line per object.",
            "apply",
        ),
        "diff": _lazy(
            "apply",
            "Show how the live objects differ from their definitions (exit 0 none, 1 some, 2+ "
            "error).",
            "diff",
        ),
        "export": _lazy(
            "apply", "Write live objects as YAML definitions that 'asst apply' accepts.", "export"
        ),
        "import": _lazy("history", "Import a thread bundle into the current backend.", "import_"),
        "convert": _lazy("history", "Write a bundle as OpenAI Conversations bodies.", "convert"),
        "completion": _lazy("completion", "Print or install shell completion.", "completion"),
        "assistants": _lazy("assistants", "Create, list, inspect, update and delete assistants."),
        "threads": _lazy(
            "threads",
            "Create, list, inspect, update and delete threads; start a run on a new thread.",
        ),
        "messages": _lazy(
            "messages", "Add, list, inspect, update and delete the messages of a thread."
        ),
        "runs": _lazy(
            "runs",
            "Start, list, inspect, update, cancel and wait for runs; submit tool outputs.",
        ),
        "steps": _lazy("steps", "List and inspect the steps of a run."),
        "files": _lazy("files", "Upload, list, inspect, download and delete files."),
        "vector-stores": _lazy(
            "vector_stores",
            "Create, list, inspect, update and delete vector stores (file search).",
        ),
        "config": _lazy(
            "config",
            "Manage profiles: named sets of backend, endpoint and credential settings.",
        ),
        "auth": _lazy("auth", "Inspect the resolved backend and credential."),
        "serve": _lazy(
            "serve",
            "Serve the Assistants API (OpenAI /v1, Azure /openai, Foundry /api/projects/P) here.",
        ),
    }


app = typer.Typer(
    cls=Root,
    name="asst",
    help="A scriptable client for the Assistants protocol: Foundry classic agents, Azure OpenAI, "
    "OpenAI and compatible servers.",
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"asst {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    profile: Annotated[
        str | None,
        typer.Option("--profile", "-p", help="Profile from the config file (env: ASST_PROFILE)"),
    ] = None,
    backend: Annotated[
        Literal["openai", "azure", "foundry", "local"] | None,
        typer.Option(
            "--backend",
            help="openai, azure, foundry or local (env: ASST_BACKEND; default: inferred, else "
            "local)",
        ),
    ] = None,
    endpoint: Annotated[
        str | None, typer.Option("--endpoint", metavar="URL", help="Base URL (env: ASST_ENDPOINT)")
    ] = None,
    api_version: Annotated[
        str | None,
        typer.Option("--api-version", help="api-version query value (env: ASST_API_VERSION)"),
    ] = None,
    max_retries: Annotated[
        int | None,
        typer.Option("--max-retries", min=0, help="Retries on 429/5xx/network errors (default: 2)"),
    ] = None,
    data_dir: Annotated[
        str | None,
        typer.Option(
            "--data-dir",
            metavar="DIR",
            help="The local backend's data dir (env: ASST_DATA_DIR; default: the user data dir)",
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and HTTP details")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version")
    ] = False,
) -> None:
    """Global options go before or after the command: asst --profile work assistants list."""
    if debug:
        _debug_logging()
    env_format = os.environ.get("ASST_OUTPUT")
    problem = render.format_problem(env_format) if env_format else None
    if problem:
        raise errors.UsageError(f"ASST_OUTPUT: {problem}")
    api.configure(
        settings.GlobalOptions(
            profile, backend, endpoint, api_version, max_retries, debug, data_dir
        )
    )


def _debug_logging() -> None:
    """Requests, responses and retries on stderr (the SDK's and HTTP client's own logs, which
    leave credentials out)."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
    for name in ("openai", "httpx2", "azure"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)


def _argv_format(argv: list[str]) -> None:
    """Honour -o json for errors raised before the option itself was parsed."""
    for index, arg in enumerate(argv):
        if arg in ("-o", "--output") and index + 1 < len(argv):
            render.remember_format(argv[index + 1])
        elif arg.startswith("--output="):
            render.remember_format(arg.split("=", 1)[1])


def _usage(exc: click_errors.UsageError) -> AsstError:
    path = exc.ctx.command_path if exc.ctx else "asst"
    message = exc.format_message()
    commands = getattr(exc.ctx.command, "commands", None) if exc.ctx else None
    if message == "Missing command." and commands:
        message = f"missing command; choose one of: {', '.join(commands)}"
    return errors.UsageError(message, f"see '{path} --help'")


@functools.cache
def _command() -> click.Command:
    """The command tree, built once per process: turning every signature into click parameters
    is pure, and a process that runs several commands (the tests, a script) need not repeat it."""
    return typer.main.get_command(app)


def _reader_gone() -> int:
    """The reader went away (`asst ... | head`): what it wanted was written; end quietly, 0."""
    sys.stdout = Path(os.devnull).open("w")  # noqa: SIM115
    real = sys.__stdout__
    if real is not None:
        with suppress(OSError, ValueError):
            # The interpreter flushes the real stdout at exit; it must not fail a second time.
            os.dup2(os.open(os.devnull, os.O_WRONLY), real.fileno())
    return ExitCode.OK


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; every exception is mapped here and only here."""
    # A bare 'asst' is someone looking for what it can do.
    args = hoist_globals(sys.argv[1:] if argv is None else argv) or ["--help"]
    render.remember_format(None)
    render.remember_profile_format(None)
    debug = "--debug" in args
    if completion.COMPLETE_VAR in os.environ:
        # A TAB press: typer answers it (and exits) once its completion classes are registered.
        from typer._completion_classes import completion_init

        completion_init()
    coerce_only_given_values()
    with _sigterm_as_interrupt() as terminated:
        return _invoke(args, debug, terminated)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[list[int]]:
    """SIGTERM raises errors.Terminated, so it is handled wherever Ctrl-C is (and exits 143);
    the list yielded records that it came."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received  # signal handlers can only be set from the main thread
        return

    def terminate(signum: int, frame: object) -> None:
        received.append(signum)
        raise errors.Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


def _invoke(args: list[str], debug: bool, terminated: list[int]) -> int:
    """The command's exit code; every exception is mapped here and only here."""
    errors.take_deferred()  # none left from an earlier command of this process
    try:
        result = _command().main(args=args, prog_name="asst", standalone_mode=False)
        errors.raise_deferred(ended_well=result in (None, ExitCode.OK))
        if result == ExitCode.INTERRUPTED:
            # typer turns Ctrl-C (or SIGTERM) outside asst's own handlers into a bare status.
            print("Terminated." if terminated else "Interrupted.", file=sys.stderr)
            return ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED
        return result if isinstance(result, int) else ExitCode.OK
    except BrokenPipeError:
        return _reader_gone()
    except SystemExit as exc:
        # typer turns a closed pipe into sys.exit(1); asst ends it like git instead.
        if isinstance(exc.__context__, BrokenPipeError):
            return _reader_gone()
        raise
    except (KeyboardInterrupt, typer.Abort) as stop:
        word, code = errors.stopped_by(stop)
        print(f"{word.capitalize()}.", file=sys.stderr)
        return code
    except click_errors.UsageError as exc:
        _argv_format(args)
        failure = _usage(exc)
    except Exception as exc:
        if debug:  # the traceback is added; the exit code stays the one without --debug
            traceback.print_exc(file=sys.stderr)
        failure = errors.translate(exc) or AsstError(
            f"unexpected {type(exc).__name__}: {exc}", "rerun with --debug for details"
        )
    render.error(failure)
    return failure.code


def main() -> None:
    sys.exit(run())
