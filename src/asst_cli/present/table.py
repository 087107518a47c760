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


def table(rows: list[Any], columns: Sequence[Column], single: bool) -> str:
    """Rows as an aligned table without borders, or one object as field/value pairs."""
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    width = terminal_width()
    console = Console(file=buffer, highlight=False, soft_wrap=False, width=width, no_color=True)
    if single and rows and isinstance(rows[0], dict) and columns:
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        for column in (c for c in columns if not c.brief):
            table.add_row(column.header, cell(column.value(rows[0]), column, True))
    else:
        chosen = columns_for(rows, [c for c in columns if not c.detail])
        table = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
        for column in chosen:
            table.add_column(column.header, overflow="fold")
        for item in rows:
            table.add_row(*row(item, chosen, True))
    console.print(table)
    # Rich pads every cell to its column's width; trailing blanks are noise in a terminal and
    # in anything that captures the output.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 24)).columns
