"""Messages as people read them: text with numbered citations and footnotes naming files.

An annotation's text inside a message (``【13†source】``, ``sandbox:/mnt/data/file.csv``) becomes
``[n]``; footnote n names the cited file (and quote) or the produced file, and where it was saved.
Rendering sends no request: the names and saved copies come in a ``Files`` (transfer/mentioned.py
looks them up and saves them before anything is rendered).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Files:
    """What footnotes say about files: their names, and where produced files were saved."""

    names: dict[str, str] = field(default_factory=dict)
    saved: dict[str, str] = field(default_factory=dict)

    def name(self, file_id: str) -> str:
        return self.names.get(file_id, file_id)


@dataclass(frozen=True)
class Mention:
    file_id: str
    produced: bool  # a file the run made (image, file_path), not one it cited


@dataclass
class Rendered:
    text: str = ""
    notes: list[str] = field(default_factory=list)

    def plain(self) -> str:
        if not self.notes:
            return self.text
        return self.text + "\n\n" + "\n".join(self.notes)


def _file_id(annotation: dict[str, Any]) -> str:
    kind = annotation.get("type")
    detail = annotation.get(str(kind), {}) if kind else {}
    return str(detail.get("file_id", ""))


def _note(annotation: dict[str, Any], files: Files) -> str:
    kind = annotation.get("type")
    file_id = _file_id(annotation)
    if kind == "file_citation":
        quote = annotation.get("file_citation", {}).get("quote")
        return f"{files.name(file_id)} ({file_id})" + (f': "{quote}"' if quote else "")
    saved = files.saved.get(file_id)
    where = f"saved to {saved}" if saved else f"download with 'asst files download {file_id}'"
    return f"{files.name(file_id)} ({file_id}), {where}"


def _shown(value: str, text: dict[str, Any]) -> Iterator[tuple[dict[str, Any], int, int]]:
    """The annotations whose marker is in the text, in order, with where each marker is."""
    annotations = sorted(
        (a for a in text.get("annotations") or [] if isinstance(a, dict)),
        key=lambda a: int(a.get("start_index", 0)),
    )
    cursor = 0
    for annotation in annotations:
        marker = annotation.get("text", "")
        start = value.find(marker, cursor) if marker else -1
        if start < 0:
            continue
        cursor = start + len(marker)
        yield annotation, start, cursor


def _text_part(part: dict[str, Any], out: Rendered, files: Files) -> str:
    text = part.get("text", {})
    value = str(text.get("value", ""))
    pieces, cursor = [], 0
    for annotation, found, found_end in _shown(value, text):
        start, end = found, found_end
        out.notes.append(f"[{len(out.notes) + 1}] {_note(annotation, files)}")
        label = _link_label(value, cursor, start, end)
        if label is not None:
            # "[Download data.csv](sandbox:/mnt/data/data.csv)" reads "Download data.csv[2]".
            start, end, shown = label[0], end + 1, label[1]
        else:
            shown = ""
        pieces.append(value[cursor:start] + f"{shown}[{len(out.notes)}]")
        cursor = end
    pieces.append(value[cursor:])
    return "".join(pieces)


def _link_label(value: str, cursor: int, start: int, end: int) -> tuple[int, str] | None:
    """Where a Markdown link whose target is the marker begins, and its label."""
    if not value.startswith("](", start - 2) or value[end : end + 1] != ")":
        return None
    opening = value.rfind("[", cursor, start - 2)
    if opening < 0:
        return None
    return opening, value[opening + 1 : start - 2]


def _image_part(part: dict[str, Any], out: Rendered, files: Files) -> str:
    file_id = str(part.get("image_file", {}).get("file_id", ""))
    note = _note({"type": "image_file", "image_file": {"file_id": file_id}}, files)
    out.notes.append(f"[{len(out.notes) + 1}] image {note}")
    return f"[image {len(out.notes)}]"


def render_message(message: dict[str, Any], files: Files) -> Rendered:
    """The readable form of one message; footnotes are numbered per message."""
    out = Rendered()
    blocks: list[str] = []
    for part in message.get("content") or []:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "text":
            blocks.append(_text_part(part, out, files))
        elif part.get("type") == "image_file":
            blocks.append(_image_part(part, out, files))
        elif part.get("type") == "image_url":
            blocks.append(f"[image {part.get('image_url', {}).get('url', '')}]")
    out.text = "\n\n".join(blocks)
    return out


def render_messages(messages: list[dict[str, Any]], files: Files) -> list[Rendered]:
    return [render_message(m, files) for m in messages]


def mentions(messages: list[dict[str, Any]]) -> list[Mention]:
    """The files the footnotes of these messages will name, in order, each once."""
    found: dict[str, Mention] = {}
    for message in messages:
        for part in message.get("content") or []:
            if not isinstance(part, dict):
                continue
            if part.get("type") == "image_file":
                file_id = str(part.get("image_file", {}).get("file_id", ""))
                found.setdefault(file_id, Mention(file_id, produced=True))
            elif part.get("type") == "text":
                text = part.get("text", {})
                for annotation, _, _ in _shown(str(text.get("value", "")), text):
                    file_id = _file_id(annotation)
                    produced = annotation.get("type") != "file_citation"
                    found.setdefault(file_id, Mention(file_id, produced))
    return list(found.values())


def produced_files(messages: list[dict[str, Any]]) -> list[str]:
    """Ids of the files the messages produced (images and file_path outputs), in order."""
    found: list[str] = []
    for message in messages:
        for part in message.get("content") or []:
            if not isinstance(part, dict):
                continue
            if part.get("type") == "image_file":
                found.append(str(part.get("image_file", {}).get("file_id", "")))
            for annotation in (part.get("text") or {}).get("annotations") or []:
                if isinstance(annotation, dict) and annotation.get("type") == "file_path":
                    found.append(str(annotation.get("file_path", {}).get("file_id", "")))
    return [file_id for file_id in dict.fromkeys(found) if file_id]
