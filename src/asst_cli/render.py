"""Every output format asst prints, in one place.

Commands hand over data (one object, or an iterable of objects for lists) plus the columns their
resource shows in tables; this module applies ``--query`` and writes the chosen format to stdout.
Lists stream: json, jsonl, id and tsv print each object as it arrives, so ``--all`` over thousands
of objects holds one page in memory (a query or a table needs the whole list and collects it).
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import AsstError

FORMATS = ("table", "json", "yaml", "tsv", "jsonl", "id", "text", "none")
_state: dict[str, str | None] = {"format": None}


@dataclass(frozen=True)
class Column:
    header: str
    key: str | Callable[[dict[str, Any]], Any]
    time: bool = False
    detail: bool = False  # shown only when a single object is printed as a table

    def value(self, obj: dict[str, Any]) -> Any:
        if callable(self.key):
            return self.key(obj)
        found: Any = obj
        for part in self.key.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        return found


def remember_format(value: str | None) -> None:
    """Record the format asked for, so that errors can be printed in it too."""
    _state["format"] = value


def chosen_format(explicit: str | None = None) -> str:
    value = explicit or _state["format"] or os.environ.get("ASST_OUTPUT")
    if value:
        return value
    return "table" if sys.stdout.isatty() else "json"


def wants_json() -> bool:
    """True when JSON was asked for (-o or ASST_OUTPUT), not merely defaulted to for a pipe."""
    asked = _state["format"] or os.environ.get("ASST_OUTPUT")
    return asked in ("json", "jsonl")


def iso_time(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "" if value is None else str(value)
    return datetime.fromtimestamp(value, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def human_time(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "" if value is None else str(value)
    return datetime.fromtimestamp(value).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _cell(value: Any, column: Column | None, human: bool) -> str:
    if column is not None and column.time:
        return human_time(value) if human else iso_time(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _write(text: str) -> None:
    sys.stdout.write(text)


def _json(value: Any, indent: int | None = 2) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False)


def _yaml(value: Any) -> str:
    import yaml

    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100)


def _id_of(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("id", ""))
    return _cell(value, None, False)


def _stream_json(items: Iterable[Any]) -> None:
    count = 0
    for count, item in enumerate(items, start=1):
        body = "\n".join("  " + line for line in _json(item).splitlines())
        _write(("[\n" if count == 1 else ",\n") + body)
    _write("\n]\n" if count else "[]\n")


def _stream_yaml(items: Iterable[Any]) -> None:
    empty = True
    for item in items:
        _write(_yaml([item]))
        empty = False
    if empty:
        _write("[]\n")


def _columns_for(rows: Sequence[Any], columns: Sequence[Column]) -> list[Column]:
    """The configured columns, or for queried data the keys it actually has."""
    if columns:
        return list(columns)
    first = rows[0] if rows else None
    if isinstance(first, dict):
        return [Column(str(key).upper(), str(key)) for key in first]
    return [Column("VALUE", lambda row: row)]


def _row(item: Any, columns: Sequence[Column], human: bool) -> list[str]:
    if not isinstance(item, dict):
        return [_cell(item, None, human)]
    return [_cell(c.value(item), c, human) for c in columns]


def _table(rows: list[Any], columns: Sequence[Column], single: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    width = terminal_width()
    console = Console(file=buffer, highlight=False, soft_wrap=False, width=width, no_color=True)
    if single and rows and isinstance(rows[0], dict) and columns:
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        for column in columns:
            table.add_row(column.header, _cell(column.value(rows[0]), column, True))
    else:
        chosen = _columns_for(rows, [c for c in columns if not c.detail])
        table = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
        for column in chosen:
            table.add_column(column.header, overflow="fold")
        for item in rows:
            table.add_row(*_row(item, chosen, True))
    console.print(table)
    # Rich pads every cell to its column's width; trailing blanks are noise in a terminal and
    # in anything that captures the output.
    _write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))


def terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 24)).columns


def _tsv(items: Iterable[Any], columns: Sequence[Column]) -> None:
    for item in items:
        chosen = _columns_for([item], [c for c in columns if not c.detail])
        cells = _row(item, chosen, False)
        _write("\t".join(c.replace("\t", " ").replace("\n", " ") for c in cells) + "\n")


def _emit_many(items: Iterable[Any], fmt: str, columns: Sequence[Column], empty: str) -> int:
    counted = _Counter(items)
    if fmt == "json":
        _stream_json(counted)
    elif fmt == "jsonl":
        for item in counted:
            _write(_json(item, None) + "\n")
    elif fmt == "yaml":
        _stream_yaml(counted)
    elif fmt == "id":
        for item in counted:
            _write(_id_of(item) + "\n")
    elif fmt in ("tsv", "text"):
        _tsv(counted, columns)
    elif fmt == "table":
        rows = list(counted)
        if rows:
            _table(rows, columns, single=False)
    else:
        for _ in counted:
            pass
    if fmt == "table" and not counted.count and empty:
        print(empty, file=sys.stderr)
    return counted.count


class _Counter:
    def __init__(self, items: Iterable[Any]) -> None:
        self._items = items
        self.count = 0

    def __iter__(self) -> Iterator[Any]:
        for item in self._items:
            self.count += 1
            yield item


def _query(data: Any, query: str) -> Any:
    import jmespath

    return jmespath.search(query, data)


def emit(
    data: Any, columns: Sequence[Column] = (), fmt: str | None = None, query: str | None = None
) -> None:
    """Print one object (or any queried value) in the chosen format."""
    chosen = chosen_format(fmt)
    if query:
        data = _query(data, query)
        columns = ()
    if isinstance(data, list):
        _emit_many(data, chosen, columns, "")
    elif chosen == "json":
        _write(_json(data) + "\n")
    elif chosen == "jsonl":
        _write(_json(data, None) + "\n")
    elif chosen == "yaml":
        _write(_yaml(data))
    elif chosen == "id":
        _write(_id_of(data) + "\n")
    elif chosen in ("tsv", "text"):
        _tsv([data], columns)
    elif chosen == "table":
        if isinstance(data, dict):
            _table([data], columns, single=True)
        elif data is not None:
            _write(_cell(data, None, True) + "\n")


def emit_list(
    items: Iterable[dict[str, Any]],
    columns: Sequence[Column],
    fmt: str | None = None,
    query: str | None = None,
    empty: str = "No results.",
) -> int:
    """Print a list of objects; returns how many there were."""
    chosen = chosen_format(fmt)
    if query:
        data = _query(list(items), query)
        emit(data, (), chosen)
        return len(data) if isinstance(data, list) else 1
    return _emit_many(items, chosen, columns, empty)


def progress(message: str) -> None:
    """A note for people, never for pipes: stderr only."""
    print(message, file=sys.stderr)


def error(failure: AsstError) -> None:
    """One error on stderr: a JSON object when JSON output was asked for, else one line."""
    if wants_json():
        print(_json(failure.as_dict(), None), file=sys.stderr)
        return
    message = failure.message.rstrip(".")
    line = f"Error: {message}" + (f" ({failure.hint})" if failure.hint else "")
    print(" ".join(line.split()), file=sys.stderr)


def binary(chunks: Iterable[bytes]) -> int:
    """Raw bytes to stdout (a file's content with ``-O -``); returns how many were written."""
    sys.stdout.flush()
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        from .errors import AsstError

        raise AsstError("stdout does not accept bytes here", "save to a file with -O PATH")
    size = 0
    for chunk in chunks:
        stream.write(chunk)
        size += len(chunk)
    stream.flush()
    return size


def text(value: str) -> None:
    """Plain text exactly as given (scripts, file contents): no formatting, no query."""
    _write(value)
