"""Messages for people to read: a run's reply, or a whole thread oldest first.

On a terminal the text is rendered as Markdown; anywhere else (and with ``-o text``) it is plain
text. Citations are numbered footnotes (see reply.py). This is the renderer's text side: it writes
only through render.text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import render
from . import reply, steps

# The other columns take 92 characters (ids, role, time, run id): 28 keep a row on one line of a
# 120-column terminal. One message shown as a table has its whole text.
TEXT_WIDTH = 28


def _text(message: dict[str, Any]) -> str:
    """The first text part on one line, shortened for a table cell."""
    for part in message.get("content") or []:
        if isinstance(part, dict) and part.get("type") == "text":
            text = part.get("text")
            value = text.get("value", "") if isinstance(text, dict) else str(text or "")
            line = " ".join(str(value).split())
            return line if len(line) <= TEXT_WIDTH else line[: TEXT_WIDTH - 1] + "…"
    return ""


def _whole_text(message: dict[str, Any]) -> str:
    """Every text part of the message, as written."""
    values = []
    for part in message.get("content") or []:
        if isinstance(part, dict) and part.get("type") == "text":
            text = part.get("text")
            values.append(str(text.get("value", "") if isinstance(text, dict) else text or ""))
    return "\n\n".join(values)


def _attachments(message: dict[str, Any]) -> str:
    items = message.get("attachments") or []
    return ", ".join(str(a.get("file_id")) for a in items if isinstance(a, dict))


MESSAGE_COLUMNS = (
    render.Column("ID", "id"),
    render.Column("ROLE", "role"),
    render.Column("CREATED", "created_at", time=True),
    render.Column("TEXT", _text, brief=True),
    render.Column("TEXT", _whole_text, detail=True),
    render.Column("RUN", "run_id"),
    render.Column("THREAD", "thread_id", detail=True),
    render.Column("STATUS", "status", detail=True),
    render.Column("ATTACHMENTS", _attachments, detail=True),
    render.Column("METADATA", "metadata", detail=True),
)


def _markdown(text: str) -> str:
    """``text`` rendered as Markdown for the terminal it will be shown on."""
    import io

    from rich.console import Console
    from rich.markdown import Markdown

    buffer = io.StringIO()
    width = render.terminal_width()
    # Markdown is only asked for when stdout is a terminal (render.Choice.markdown).
    console = Console(file=buffer, width=width, force_terminal=True)
    console.print(Markdown(text))
    return buffer.getvalue()


def _show(body: str, rich_text: bool) -> str:
    if not body:
        return ""
    return _markdown(body) if rich_text else body.rstrip("\n") + "\n"


def reply_text(messages: list[dict[str, Any]], files: reply.Files, rich_text: bool) -> str:
    """The assistant's messages of a run, oldest first, each with its footnotes."""
    blocks = []
    for rendered in reply.render_messages(messages, files):
        blocks.append(_show(rendered.text, rich_text))
        if rendered.notes:
            blocks.append("\n" + "\n".join(rendered.notes) + "\n")
    return "".join(blocks)


def print_reply(messages: list[dict[str, Any]], files: reply.Files, rich_text: bool) -> None:
    render.text(reply_text(messages, files, rich_text))


def _header(message: dict[str, Any]) -> str:
    role = str(message.get("role", "?"))
    when = render.human_time(message.get("created_at"))
    run = message.get("run_id")
    return f"── {role} · {when}" + (f" · {run}" if run else "") + " ──\n"


def print_thread(
    messages: list[dict[str, Any]],
    files: reply.Files,
    rich_text: bool,
    run_steps: Mapping[str, list[dict[str, Any]]] | None = None,
) -> None:
    """A conversation, oldest first: role, time and run, then the text and its footnotes.
    With ``run_steps`` (by run id), each run's tool calls come before its first message."""
    rendered = reply.render_messages(messages, files)
    parts = []
    shown_runs: set[str] = set()
    for message, shown in zip(messages, rendered, strict=True):
        run = message.get("run_id")
        if run_steps is not None and run and run not in shown_runs:
            shown_runs.add(run)
            for call in steps.tool_calls(run_steps.get(run, [])):
                parts.append(f"── tool call · {run} ──\n")
                parts.append(_show(steps.markdown(call), rich_text) + "\n")
        parts.append(_header(message))
        parts.append(_show(shown.text, rich_text))
        if shown.notes:
            parts.append("\n".join(shown.notes) + "\n")
        parts.append("\n")
    render.text("".join(parts))
