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
    choice: render.Choice,
    *,
    what: str,
    extra: dict[str, Any] | None = None,
    tap: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Print one page, or every page as it arrives; ``tap`` sees each object on its way."""
    params: dict[str, Any] = {
        "limit": paging.limit,
        "order": paging.order,
        "after": paging.after,
        "before": paging.before,
    }
    params.update(extra or {})
    if paging.every:
        items = tapped(api.iterate(path, params), tap)
        render.emit_list(items, columns, choice, f"No {what} found.")
        return
    page = api.page(path, params)
    render.emit_list(tapped(page.data, tap), columns, choice, f"No {what} found.")
    if page.has_more and page.last_id:
        render.more_pages(what, page.last_id)


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
