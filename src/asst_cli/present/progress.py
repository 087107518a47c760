"""Progress for people: a spinner or bar on stderr, only when stdout and stderr are terminals.

Nothing here ever writes to stdout, and nothing is shown when output is piped or captured.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Status(Protocol):
    def update(self, message: str) -> None: ...


class _Silent:
    def update(self, message: str) -> None:
        return None


def interactive() -> bool:
    return sys.stdout.isatty() and sys.stderr.isatty()


def _console() -> Any:
    from rich.console import Console

    return Console(file=sys.stderr)


@contextmanager
def spinner(message: str) -> Iterator[Status]:
    """A spinner with a changing message while a block runs (silent when not interactive)."""
    if not interactive():
        yield _Silent()
        return
    with _console().status(message) as status:
        yield _Spinner(status)


class _Spinner:
    def __init__(self, status: Any) -> None:
        self._status = status

    def update(self, message: str) -> None:
        self._status.update(message)


class Counter(Protocol):
    def advance(self, label: str) -> None: ...


class _SilentCounter:
    def advance(self, label: str) -> None:
        return None


@contextmanager
def bar(description: str, total: int) -> Iterator[Counter]:
    """A progress bar over ``total`` items (silent when not interactive)."""
    if not interactive():
        yield _SilentCounter()
        return
    from rich.progress import Progress

    with Progress(console=_console(), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield _Bar(progress, task)


class _Bar:
    def __init__(self, progress: Any, task: Any) -> None:
        self._progress = progress
        self._task = task

    def advance(self, label: str) -> None:
        self._progress.update(self._task, advance=1, description=label)
