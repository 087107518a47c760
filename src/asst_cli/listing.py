"""Lists with the same options everywhere: one page by default, every page with --all."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from . import api, errors, ledger, options, paths, render
from .errors import AsstError


@dataclass(frozen=True)
class Paging:
    """What a list command was asked for: page size, order, cursors, every page or one."""

    limit: int | None = None
    order: str | None = None
    after: str | None = None
    before: str | None = None
    every: bool = False


FIRST_PAGE = Paging()
# Every list command's paging options, in place of its ``paging`` parameter.
paged = options.bundled(
    "paging",
    Paging,
    {
        "limit": options.Limit,
        "order": options.Order,
        "after": options.After,
        "before": options.Before,
        "every": options.All,
    },
)


def list_objects(
    path: str,
    columns: Sequence[render.Column],
    paging: Paging,
    choice: render.Choice,
    *,
    what: str,
    extra: dict[str, Any] | None = None,
    tap: Callable[[dict[str, Any]], None] | None = None,
    native_before: bool = True,
) -> None:
    """Print one page, or every page as it arrives; ``tap`` sees each object on its way.

    ``native_before=False``: the list has no ``before`` cursor (files), so --before is asked as
    the opposite order after the same id, and the answer turned round.
    """
    params: dict[str, Any] = {
        "limit": paging.limit,
        "order": paging.order,
        "after": paging.after,
        "before": paging.before,
    }
    params.update(extra or {})
    if paging.before and not native_before:
        _list_before(path, columns, paging, choice, what, params)
        return
    if paging.every:
        items = tapped(api.iterate(path, params), tap)
        render.emit_list(items, columns, choice, f"No {what} found.")
        return
    page = api.page(path, params)
    render.emit_list(tapped(page.data, tap), columns, choice, f"No {what} found.")
    if page.has_more and page.last_id:
        render.more_pages(what, page.last_id)


def _list_before(
    path: str,
    columns: Sequence[render.Column],
    paging: Paging,
    choice: render.Choice,
    what: str,
    params: dict[str, Any],
) -> None:
    """--before where the server has only ``after``: the objects that precede the id in the
    order asked are those that follow it in the opposite order (this holds one list in memory)."""
    if paging.after:
        raise errors.UsageError(
            f"the {what} list takes --after or --before, not both", "give one of them"
        )
    params.update(order="asc" if paging.order in (None, "desc") else "desc")
    params.update(after=paging.before, before=None)
    if paging.every:
        found = list(api.iterate(path, params))
    else:
        page = api.page(path, params)
        found = page.data
        if page.has_more and page.last_id:
            render.progress(
                f"More {what} exist: repeat with --before {page.last_id} for the next page, "
                "or with --all for every page."
            )
    found.reverse()
    render.emit_list(found, columns, choice, f"No {what} found.")


# The backends whose servers list threads themselves (GET /threads: Foundry, and asst serve);
# elsewhere asst's ledger.
NATIVE_THREAD_LIST = frozenset({"foundry", "local"})
LEDGER_PAGE = 20  # the size of a server's first page when no --limit is given


def list_threads(columns: Sequence[render.Column], paging: Paging, choice: render.Choice) -> None:
    """``threads list``: the server's own list where it has one, else the threads asst created
    at this backend and endpoint (the ledger), each fetched so that deleted ones drop out."""
    current = api.current_settings()
    if current.backend in NATIVE_THREAD_LIST:
        render.progress("Threads from the server's own list.")
        list_objects(paths.THREADS, columns, paging, choice, what="threads")
        return
    # Cursors first: a refused one is the command's only line on stderr.
    ids = _after_cursors([e.thread_id for e in ledger.entries(current)], paging)
    render.progress(
        f"Threads asst created at this endpoint, from its local ledger "
        f"({current.backend} has no thread list)."
    )
    limit = None if paging.every else paging.limit or LEDGER_PAGE
    live = _LiveThreads(ids, limit)
    render.emit_list(iter(live), columns, choice, "No threads found.")
    if live.more and live.last:
        render.more_pages("threads", live.last)


def _after_cursors(oldest_first: list[str], paging: Paging) -> list[str]:
    """The ids in the order asked, from --after up to --before."""
    ids = oldest_first if paging.order == "asc" else oldest_first[::-1]
    for cursor, flag in ((paging.after, "--after"), (paging.before, "--before")):
        if cursor is not None and cursor not in ids:
            raise errors.UsageError(
                f"{flag} {shlex.quote(cursor)}: asst created no such thread at this endpoint",
                "list them with 'asst threads list --all -o id'",
            )
    if paging.after is not None:
        ids = ids[ids.index(paging.after) + 1 :]
    if paging.before is not None:
        ids = ids[: ids.index(paging.before)]
    return ids


class _LiveThreads:
    """Up to ``limit`` of the threads ``ids`` names that still exist, fetched one by one as
    they are printed (a thread deleted since asst created it drops out)."""

    def __init__(self, ids: list[str], limit: int | None) -> None:
        self.ids = ids
        self.limit = limit
        self.last: str | None = None
        self.more = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        given = 0
        for thread_id in self.ids:
            if self.limit is not None and given == self.limit:
                self.more = True  # ids remain (some may be deleted threads)
                return
            found = _live_thread(thread_id)
            if found is not None:
                given += 1
                self.last = thread_id
                yield found


def _live_thread(thread_id: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = api.get(paths.thread(thread_id))
    except Exception as exc:
        failure = errors.known(exc)
        if failure.code != errors.ExitCode.NOT_FOUND:
            raise failure from exc
        return None  # deleted since asst created it: no longer a thread to list
    return found


def tapped(
    items: Iterable[dict[str, Any]], tap: Callable[[dict[str, Any]], None] | None
) -> Iterator[dict[str, Any]]:
    for item in items:
        if tap is not None:
            tap(item)
        yield item


DELETE_COLUMNS = (render.Column("ID", "id"), render.Column("DELETED", "deleted"))


def delete_objects(path_of: Callable[[str], str], ids: list[str], choice: render.Choice) -> None:
    """Delete each id in turn; failures are reported and do not stop the others."""
    results: list[dict[str, Any]] = []
    failures: list[AsstError] = []
    # Where the requests go is settled once: a bad endpoint is one error, not one per id.
    api.current_settings()
    for object_id in ids:
        try:
            results.append(api.delete(path_of(object_id)))
        except Exception as exc:
            failures.append(errors.known(exc))
            render.error(failures[-1])
    render.emit(results, DELETE_COLUMNS, choice)
    errors.raise_if_failed(failures, len(ids), "deletions")


def add_delete_command(
    app: typer.Typer, path_of: Callable[[str], str], *, ids_help: str, doc: str
) -> None:
    """Give ``app`` a ``delete ID...`` command: the same outline in every top-level group."""

    def delete(ids: list[str], choice: render.Choice) -> None:
        delete_objects(path_of, ids, choice)

    # The argument's help differs per group, so its annotation is made here, not written out.
    delete.__annotations__["ids"] = Annotated[
        list[str], typer.Argument(metavar="ID...", help=ids_help)
    ]
    delete.__doc__ = doc
    app.command()(options.output_choice(delete))
