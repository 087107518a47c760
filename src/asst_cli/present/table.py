"""Cells, rows and tables: how values look in the table and tsv formats (render.py decides
which format is printed; this module only draws)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any


@dataclass(frozen=True)
class Column:
    header: str
    key: str | Callable[[dict[str, Any]], Any]
    time: bool = False
    detail: bool = False  # shown only when a single object is printed as a table
    brief: bool = False  # shown in lists only: a single object shows a detail column instead

    def value(self, obj: dict[str, Any]) -> Any:
        if callable(self.key):
            return self.key(obj)
        found: Any = obj
        for part in self.key.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        return found


def iso_time(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "" if value is None else str(value)
    return datetime.fromtimestamp(value, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def human_time(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "" if value is None else str(value)
    return datetime.fromtimestamp(value).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def cell(value: Any, column: Column | None, human: bool) -> str:
    if column is not None and column.time:
        return human_time(value) if human else iso_time(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def columns_for(rows: Sequence[Any], columns: Sequence[Column]) -> list[Column]:
    """The configured columns, or for queried data the keys it actually has."""
    if columns:
        return list(columns)
    first = rows[0] if rows else None
    if isinstance(first, dict):
        return [Column(str(key).upper(), str(key)) for key in first]
    return [Column("VALUE", lambda row: row)]


def row(item: Any, columns: Sequence[Column], human: bool) -> list[str]:
    if not isinstance(item, dict):
        return [cell(item, None, human)]
    return [cell(c.value(item), c, human) for c in columns]


def _is_id(column: Column) -> bool:
    return isinstance(column.key, str) and (column.key == "id" or column.key.endswith("_id"))


def _ids_width(rows: list[Any], columns: Sequence[Column]) -> list[int]:
    """The width each id column needs to show its longest id whole (0: not an id column)."""
    widths = []
    for column in columns:
        cells = [cell(column.value(r), column, True) for r in rows if isinstance(r, dict)]
        longest = max((len(text) for text in [column.header, *cells]), default=0)
        widths.append(longest if _is_id(column) else 0)
    return widths


def table(rows: list[Any], columns: Sequence[Column], single: bool) -> str:
    """Rows as an aligned table without borders, or one object as field/value pairs.

    An id is never cut or split, whatever the width: id columns keep their widest id (the table
    grows past a narrow terminal rather than split one); other long cells end in "…"."""
    from rich.table import Table

    if single and rows and isinstance(rows[0], dict) and columns:
        shown = [c for c in columns if not c.brief]
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        for column in shown:
            table.add_row(column.header, cell(column.value(rows[0]), column, True))
        fields = max(len(c.header) for c in shown) + 2  # the widest field and the gap after it
        needed = fields + max(_ids_width(rows, shown), default=0)
    else:
        chosen = columns_for(rows, [c for c in columns if not c.detail])
        cells = [row(item, chosen, True) for item in rows]
        widths, needed = _widths(chosen, cells)
        table = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
        for column, width in zip(chosen, widths, strict=True):
            table.add_column(column.header, no_wrap=True, overflow="ellipsis", width=width)
        for values in cells:
            table.add_row(*values)
    return _print(table, max(terminal_width(), needed))


def _widths(columns: list[Column], cells: list[list[str]]) -> tuple[list[int], int]:
    """Each column's width, and the width of the whole table. An id column keeps its widest id;
    the other columns give way, widest first, down to their header (their cells then end in
    "…"); if even that is too wide for the terminal the table grows past it."""
    room = terminal_width() - 2 * (len(columns) - 1)
    widths, floors = [], []
    for index, column in enumerate(columns):
        longest = max((len(values[index]) for values in cells), default=0)
        if _is_id(column):
            widths.append(max(len(column.header), longest))
            floors.append(widths[-1])
            continue
        widths.append(max(len(column.header), min(longest, room)))
        floors.append(min(widths[-1], max(len(column.header), 4)))
    while sum(widths) > room:
        widest = max(range(len(widths)), key=lambda k: widths[k] - floors[k])
        if widths[widest] <= floors[widest]:
            break
        widths[widest] -= 1
    return widths, sum(widths) + 2 * (len(columns) - 1)


def _print(table: Any, width: int) -> str:
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, highlight=False, soft_wrap=False, width=width, no_color=True)
    console.print(table)
    # Rich pads every cell to its column's width; trailing blanks are noise in a terminal and
    # in anything that captures the output.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 24)).columns
