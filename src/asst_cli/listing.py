"""Lists with the same options everywhere: one page by default, every page with --all."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from . import api, errors, options, render
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
    output: str | None,
    query: str | None,
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
        _list_before(path, columns, paging, (output, query), what, params)
        return
    if paging.every:
        items = tapped(api.iterate(path, params), tap)
        render.emit_list(items, columns, output, query, f"No {what} found.")
        return
    page = api.page(path, params)
    render.emit_list(tapped(page.data, tap), columns, output, query, f"No {what} found.")
    if page.has_more and render.chosen_format(output) == "table" and page.last_id:
        render.progress(
            f"More {what} exist: repeat with --after {page.last_id} for the next page, "
            "or with --all for every page."
        )


def _list_before(
    path: str,
    columns: Sequence[render.Column],
    paging: Paging,
    output: tuple[str | None, str | None],
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
    render.emit_list(found, columns, *output, f"No {what} found.")


def tapped(
    items: Iterable[dict[str, Any]], tap: Callable[[dict[str, Any]], None] | None
) -> Iterator[dict[str, Any]]:
    for item in items:
        if tap is not None:
            tap(item)
        yield item


DELETE_COLUMNS = (render.Column("ID", "id"), render.Column("DELETED", "deleted"))


def delete_objects(path: str, ids: list[str], output: str | None, query: str | None) -> None:
    """Delete each id in turn; failures are reported and do not stop the others."""
    results: list[dict[str, Any]] = []
    failures: list[AsstError] = []
    # Where the requests go is settled once: a bad endpoint is one error, not one per id.
    api.current_settings()
    for object_id in ids:
        try:
            results.append(api.delete(f"{path}/{api.segment(object_id)}"))
        except Exception as exc:
            failures.append(errors.known(exc))
            render.error(failures[-1])
    render.emit(results, DELETE_COLUMNS, output, query)
    errors.raise_if_failed(failures, len(ids), "deletions")
