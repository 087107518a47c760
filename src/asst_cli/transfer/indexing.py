"""What the vector-store commands share: their options and columns, and following indexing.

``--wait`` polls the store, batch or store file (GET) until it leaves ``in_progress`` or the
command's deadline (``--timeout``) passes, with the one polling loop runs use (polling.py: the
server's hint, else 0.5 s backing off to 5 s). It then fails (exit 1) when files did not index,
naming each on stderr; the data still goes to stdout.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import typer

from .. import api, errors, options, polling, render
from ..errors import AsstError, ExitCode
from ..present import progress

PENDING = "in_progress"

Wait = Annotated[
    bool,
    typer.Option("--wait", "-w", help="Follow indexing to its end; exit 1 if any file failed"),
]


@dataclass
class Waiting:
    """--wait and the command's deadline (--timeout), started as the command starts."""

    wait: bool = False
    deadline: polling.Deadline = field(default_factory=lambda: polling.Deadline(None))


def waiting(wait: bool = False, timeout: float | None = None) -> Waiting:
    return Waiting(wait, api.start_deadline(timeout))


NO_WAIT = Waiting()
# The flags of the commands that may follow indexing, in place of their ``waiting`` parameter.
wait_flags = options.bundled("waiting", waiting, {"wait": Wait, "timeout": options.Timeout})
Chunking = Annotated[
    str | None,
    typer.Option(
        "--chunking",
        metavar="auto|static:MAX:OVERLAP",
        help="How files are split into chunks, in tokens, e.g. static:800:400 (default: auto)",
    ),
]
FileStatus = Annotated[
    Literal["in_progress", "completed", "failed", "cancelled"] | None,
    typer.Option("--status", help="Only files in this state"),
]
StoreId = Annotated[str, typer.Argument(metavar="VS", help="Vector store id")]
Refs = Annotated[
    list[str],
    typer.Argument(metavar="PATH_OR_ID...", help="Local files (uploaded first) or file ids"),
]


def counts(obj: dict[str, Any]) -> str:
    """``completed/total``, e.g. ``3/4``."""
    found = obj.get("file_counts") or {}
    return f"{found.get('completed', 0)}/{found.get('total', 0)}"


def detailed_counts(obj: dict[str, Any]) -> str:
    """``completed/total`` and whatever did not complete, e.g. ``3/4, 1 failed``."""
    found = obj.get("file_counts") or {}
    extra = [
        f"{found[key]} {key.replace('_', ' ')}"
        for key in ("failed", "cancelled", "in_progress")
        if found.get(key)
    ]
    return ", ".join([counts(obj), *extra])


FILE_COLUMNS = (
    render.Column("ID", "id"),
    render.Column("STATUS", "status"),
    render.Column("USAGE", "usage_bytes"),
    render.Column("CREATED", "created_at", time=True),
    render.Column("LAST ERROR", "last_error.message"),
    render.Column("VECTOR STORE", "vector_store_id", detail=True),
    render.Column("CHUNKING", "chunking_strategy", detail=True),
)


def follow(path: str, label: str, check_again: str, deadline: polling.Deadline) -> dict[str, Any]:
    """GET ``path`` until it is no longer in progress; Ctrl-C or the deadline stops waiting, not
    the indexing."""
    fetch = functools.partial(api.get_polled, path)
    try:
        with progress.spinner(f"Indexing {label}") as status:
            for found in polling.poll(fetch, deadline):
                if found.get("status") != PENDING:
                    return found
                shown = f": {counts(found)} files" if "file_counts" in found else ""
                status.update(f"Indexing {label}{shown}")
    except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (errors.Terminated)
        word, code = errors.stopped_by(stop)
        raise AsstError(f"{word}; indexing goes on", f"check with '{check_again}'", code) from None
    except polling.DeadlinePassed:
        raise AsstError(
            f"no end of indexing within {deadline.seconds:g} s; indexing goes on",
            f"check with '{check_again}'",
            ExitCode.DEADLINE,
        ) from None
    raise AssertionError("polling.poll ends only by raising")


def _file_problem(file: dict[str, Any]) -> AsstError:
    error = file.get("last_error") or {}
    reason = error.get("message") or f"ended {file.get('status')}"
    return AsstError(f"{file.get('id')}: {reason}")


def check_indexed(found: dict[str, Any], files_path: str, listed_by: str) -> None:
    """Fail when a finished store or batch has files that did not index, naming each.

    ``files_path`` lists the store's (or batch's) files; ``listed_by`` is the command that
    lists the failed ones, for the hint.
    """
    file_counts = found.get("file_counts") or {}
    failed = int(file_counts.get("failed") or 0)
    status = found.get("status")
    if not failed and status in ("completed", None):
        return
    if failed:
        for file in api.iterate(files_path, {"filter": "failed"}):
            render.error(_file_problem(file))
    total = file_counts.get("total", 0)
    message = f"{failed} of {total} files failed to index" if failed else f"{found['id']} {status}"
    if failed and status not in ("completed", None):
        message += f"; {found['id']} {status}"
    raise AsstError(message, f"list them with '{listed_by}'")


def settled(files: list[dict[str, Any]]) -> list[AsstError]:
    """The files that ended other than completed, each named on stderr."""
    problems = [_file_problem(file) for file in files if file.get("status") != "completed"]
    for problem in problems:
        render.error(problem)
    return problems
