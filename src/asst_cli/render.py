"""Every output format asst prints, in one place.

Commands hand over data (one object, or an iterable of objects for lists) plus the columns their
resource shows in tables; this module applies ``--query`` and writes the chosen format to stdout.
Lists stream: json, jsonl, id and tsv print each object as it arrives, so ``--all`` over thousands
of objects holds one page in memory (a query or a table needs the whole list and collects it).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .present import table

if TYPE_CHECKING:
    from .errors import AsstError

# Commands and present/ reach these through render.
Column = table.Column
human_time, iso_time, terminal_width = table.human_time, table.iso_time, table.terminal_width

FORMATS = ("table", "json", "yaml", "tsv", "jsonl", "id", "text", "none")
# "format": what -o said; "profile": the output of the profile in use (set once it is resolved).
_state: dict[str, str | None] = {"format": None, "profile": None}


@dataclass(frozen=True)
class Choice:
    """The output choice, as one object from the command to here: the format asked for (None:
    the default) and the --query expression. Only this module decides what a format prints."""

    format: str | None = None
    query: str | None = None

    def resolved(self) -> str:
        return chosen_format(self.format)

    def reads_as_text(self) -> bool:
        """Replies and transcripts print as text for people (table, text) rather than as data."""
        return self.resolved() in ("table", "text") and not self.query

    def markdown(self) -> bool:
        """Text rendered as Markdown: a table format on a terminal."""
        return self.resolved() == "table" and sys.stdout.isatty()

    def event_lines(self) -> bool:
        """A stream prints every event as it comes, one JSON line each."""
        return self.resolved() == "jsonl"

    def stream_view(self) -> str:
        """How a streamed reply shows: "events" (JSON lines), "live" (text as it is written, for
        a person at a terminal), "messages" (each message once complete, exactly as without
        --stream: footnotes, images, links) or "data" (the whole outcome at the end)."""
        if self.event_lines():
            return "events"
        if not self.reads_as_text():
            return "data"
        return "live" if self.markdown() else "messages"


AS_CONFIGURED = Choice()  # no -o, no -q: the profile's or the terminal's default format


def format_problem(value: str) -> str | None:
    """What is wrong with a format name, in the same words for -o, ASST_OUTPUT and the config."""
    if value in FORMATS:
        return None
    return f"unknown format '{value}'; use one of: {', '.join(FORMATS)}"


def remember_format(value: str | None) -> None:
    """Record the format asked for, so that errors can be printed in it too."""
    _state["format"] = value


def remember_profile_format(value: str | None) -> None:
    """The config profile's ``output``: the default after -o and ASST_OUTPUT."""
    _state["profile"] = value


def _asked() -> str | None:
    return _state["format"] or os.environ.get("ASST_OUTPUT") or _state["profile"]


def chosen_format(explicit: str | None = None) -> str:
    value = explicit or _asked()
    if value:
        return value
    return "table" if sys.stdout.isatty() else "json"


def wants_json() -> bool:
    """True when JSON was asked for (-o, ASST_OUTPUT or the profile), not merely defaulted to
    for a pipe."""
    return _asked() in ("json", "jsonl")


def _print_table(rows: list[Any], columns: Sequence[Column], single: bool) -> None:
    _write(table.table(rows, columns, single))


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
    return table.cell(value, None, False)


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


def _tsv(items: Iterable[Any], columns: Sequence[Column]) -> None:
    for item in items:
        if isinstance(item, list):
            # A queried list of lists ("[].[id, name]"): each inner list is a row.
            cells = [table.cell(value, None, False) for value in item]
        else:
            chosen = table.columns_for([item], [c for c in columns if not c.detail])
            cells = table.row(item, chosen, False)
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
            _print_table(rows, columns, single=False)
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


def emit(data: Any, columns: Sequence[Column] = (), choice: Choice = Choice()) -> None:
    """Print one object (or any queried value) in the chosen format."""
    chosen = choice.resolved()
    if choice.query:
        data = _query(data, choice.query)
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
            _print_table([data], columns, single=True)
        elif data is not None:
            _write(table.cell(data, None, True) + "\n")


def emit_list(
    items: Iterable[dict[str, Any]],
    columns: Sequence[Column],
    choice: Choice = Choice(),
    empty: str = "No results.",
) -> int:
    """Print a list of objects; returns how many there were."""
    chosen = choice.resolved()
    if choice.query:
        data = _query(list(items), choice.query)
        emit(data, (), Choice(chosen))
        return len(data) if isinstance(data, list) else 1
    return _emit_many(items, chosen, columns, empty)


def emit_outcome(
    whole: dict[str, Any], run: dict[str, Any], columns: Sequence[Column], choice: Choice
) -> None:
    """A waited run as data: json, yaml and jsonl print the whole outcome (thread id, run,
    messages); id and tsv print the run itself, as ``runs get`` does; a query sees the whole."""
    if choice.query or choice.resolved() not in ("id", "tsv"):
        emit(whole, (), choice)
    else:
        emit(run, columns, choice)


def more_pages(what: str, last_id: str) -> None:
    """Say that a list stopped at one page while more exist, in every format: a script that
    pipes ``-o id`` to ``xargs`` would otherwise act on the first page alone, unaware."""
    progress(
        f"More {what} exist: repeat with --after {last_id} for the next page, "
        "or with --all for every page."
    )


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
