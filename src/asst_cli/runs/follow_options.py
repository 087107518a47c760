"""Flags for following a run, shared by `asst run`, `runs wait` and the streaming commands."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import typer

from .. import api, errors, options, render
from ..errors import AsstError, ExitCode, UsageError
from ..transfer import downloads, mentioned
from . import handlers, outcome

Timeout = options.Timeout
Interval = Annotated[
    float | None,
    typer.Option(
        "--interval",
        min=0.05,
        metavar="SECONDS",
        help="Fixed polling interval (default: the server's hint, else 0.5 s backing off to 5 s)",
    ),
]
CancelOnTimeout = Annotated[
    bool, typer.Option("--cancel-on-timeout", help="Cancel the run when the deadline is reached")
]
CancelOnInterrupt = Annotated[
    bool, typer.Option("--cancel-on-interrupt", help="Cancel the run on Ctrl-C (default: leave it)")
]
Tool = Annotated[
    list[str] | None,
    typer.Option(
        "--tool",
        metavar="NAME=COMMAND",
        help="Answer function NAME by running COMMAND (no shell; the call arrives as JSON on "
        "stdin); repeatable",
    ),
]
ToolHandler = Annotated[
    str | None,
    typer.Option(
        "--tool-handler", metavar="COMMAND", help="Answer every function without its own command"
    ),
]
ToolTimeout = Annotated[
    float,
    typer.Option("--tool-timeout", min=0.1, metavar="SECONDS", help="Time limit per tool call"),
]
ToolErrors = Annotated[
    Literal["continue", "abort"],
    typer.Option(
        "--tool-errors",
        help="continue: a failed tool's output says so and the run goes on; abort: cancel, exit 1",
    ),
]
DownloadDir = Annotated[
    Path | None,
    typer.Option(
        "--download-dir",
        metavar="DIR",
        help="Save the images and files the reply produced here (never overwrites without --force)",
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Overwrite existing files in --download-dir")]
Stream = Annotated[
    bool,
    typer.Option("--stream", help="Use server-sent events: the reply appears as it is written"),
]


def saver(directory: Path | None, force: bool) -> mentioned.Saver | None:
    """Saves produced files into ``directory`` (checked now, before any request).

    A file that is already there is kept (a warning says so) unless ``force``: the reply is
    still printed, nothing the user had is overwritten, and the command then exits 1 (a run
    that ended badly keeps its own code).
    """
    if directory is None:
        return None
    downloads.usable_directory(directory, f"--download-dir {directory}")
    skipped: list[str] = []

    def save(file_id: str) -> str | None:
        try:
            target, _ = downloads.fetch(file_id, downloads.Target(directory=directory), force)
            return str(target)
        except UsageError as exc:
            render.progress(f"Warning: {exc.message}; not saved (pass --force to replace it)")
            skipped.append(file_id)
            if len(skipped) == 1:  # one closing error, however many were kept
                errors.defer(lambda: _not_saved(len(skipped), directory))
            return None

    return save


def _not_saved(count: int, directory: Path) -> AsstError:
    return AsstError(
        f"{count} produced file(s) not saved: a file of the same name is in {directory}",
        "pass --force to replace them",
        ExitCode.ERROR,
    )


def follow(
    timeout: float | None = None,
    interval: float | None = None,
    cancel_on_timeout: bool = False,
    cancel_on_interrupt: bool = False,
    tool: list[str] | None = None,
    tool_handler: str | None = None,
    tool_timeout: float = handlers.DEFAULT_TIMEOUT,
    tool_errors: str = "continue",
    download_dir: Path | None = None,
    force: bool = False,
) -> outcome.Follow:
    return outcome.Follow(
        # The deadline starts here, as the command starts: before its first request.
        deadline=api.start_deadline(timeout),
        interval=interval,
        cancel_on_timeout=cancel_on_timeout,
        cancel_on_interrupt=cancel_on_interrupt,
        tool_config=handlers.from_flags(tool, tool_handler, tool_timeout, tool_errors == "abort"),
        save=saver(download_dir, force),
    )


def _tool_flags_given(
    tool: list[str] | None, handler: str | None, timeout: float, errors: str
) -> str | None:
    """The first tool flag given a value of its own, or None."""
    for flag, given in (
        ("--tool", bool(tool)),
        ("--tool-handler", handler is not None),
        ("--tool-timeout", timeout != handlers.DEFAULT_TIMEOUT),
        ("--tool-errors", errors != "continue"),
    ):
        if given:
            return flag
    return None


@dataclass
class Answering:
    """The stream and tool flags of 'runs create' and 'runs submit-tool-outputs': how to follow
    the run with --stream, and the handlers (which submit-tool-outputs also uses for the calls
    the run waits for now). ``given`` names a flag only a followed run can use."""

    follow: outcome.Follow
    stream: bool
    given: str | None

    def streamed(self) -> outcome.Follow | None:
        return self.follow if self.stream else None

    def only_streamed(self) -> outcome.Follow | None:
        """As streamed(), but a flag that needs a followed run is refused without --stream."""
        if not self.stream and self.given:
            raise UsageError(
                f"{self.given} applies only to a run asst follows",
                "add --stream, or start the run and follow it with 'asst runs wait' and the "
                "same flag",
            )
        return self.streamed()


def answering(
    stream: bool = False,
    timeout: float | None = None,
    tool: list[str] | None = None,
    tool_handler: str | None = None,
    tool_timeout: float = handlers.DEFAULT_TIMEOUT,
    tool_errors: str = "continue",
) -> Answering:
    given = _tool_flags_given(tool, tool_handler, tool_timeout, tool_errors)
    if given is None and timeout is not None:
        given = "--timeout"
    tools = follow(timeout, None, False, False, tool, tool_handler, tool_timeout, tool_errors)
    return Answering(tools, stream, given)


UNSET = outcome.Follow()
_TOOL_FLAGS = {
    "tool": Tool,
    "tool_handler": ToolHandler,
    "tool_timeout": ToolTimeout,
    "tool_errors": ToolErrors,
}
# The flags of the commands that wait for a run ('asst run', 'runs wait'), declared once: in
# place of their ``follow`` parameter, which receives them as built by follow().
follow_flags = options.bundled(
    "follow",
    follow,
    {
        "timeout": Timeout,
        "interval": Interval,
        "cancel_on_timeout": CancelOnTimeout,
        "cancel_on_interrupt": CancelOnInterrupt,
        **_TOOL_FLAGS,
        "download_dir": DownloadDir,
        "force": Force,
    },
)
# The flags of the commands that may stream a run ('runs create', 'runs submit-tool-outputs'),
# in place of their ``answer`` parameter, which receives them as built by answering().
answer_flags = options.bundled(
    "answer", answering, {"stream": Stream, "timeout": Timeout, **_TOOL_FLAGS}
)
