"""Messages as people read them: text with numbered citations and footnotes naming files.

An annotation's text inside a message (``【13†source】``, ``sandbox:/mnt/data/file.csv``) becomes
``[n]``; footnote n names the cited file (and quote) or the produced file, and where it was saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import api, errors, paths

# file id -> local path of a saved copy, or None when the file was not saved
Saver = Callable[[str], "str | None"]


class FileNames:
    """File names by id, looked up once each; a failed lookup falls back to the id."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    def __call__(self, file_id: str) -> str:
        if file_id not in self._names:
            self._names[file_id] = self._lookup(file_id)
        return self._names[file_id]

    @staticmethod
    def _lookup(file_id: str) -> str:
        try:
            found = api.get(paths.file(file_id))
        except Exception as exc:
            if errors.translate(exc) is None:
                raise
            return file_id
        name = found.get("filename") if isinstance(found, dict) else None
        return str(name) if name else file_id


@dataclass
class Rendered:
    text: str = ""
    notes: list[str] = field(default_factory=list)

    def plain(self) -> str:
        if not self.notes:
            return self.text
        return self.text + "\n\n" + "\n".join(self.notes)


def _note(annotation: dict[str, Any], names: FileNames, save: Saver | None) -> str:
    kind = annotation.get("type")
    detail = annotation.get(str(kind), {}) if kind else {}
    file_id = str(detail.get("file_id", ""))
    if kind == "file_citation":
        quote = detail.get("quote")
        return f"{names(file_id)} ({file_id})" + (f': "{quote}"' if quote else "")
    saved = save(file_id) if save and file_id else None
    where = f"saved to {saved}" if saved else f"download with 'asst files download {file_id}'"
    return f"{names(file_id)} ({file_id}), {where}"


def _text_part(part: dict[str, Any], out: Rendered, names: FileNames, save: Saver | None) -> str:
    text = part.get("text", {})
    value = str(text.get("value", ""))
    annotations = sorted(
        (a for a in text.get("annotations") or [] if isinstance(a, dict)),
        key=lambda a: int(a.get("start_index", 0)),
    )
    pieces, cursor = [], 0
    for annotation in annotations:
        marker = annotation.get("text", "")
        start = value.find(marker, cursor) if marker else -1
        if start < 0:
            continue
        end = start + len(marker)
        out.notes.append(f"[{len(out.notes) + 1}] {_note(annotation, names, save)}")
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


def _image_part(part: dict[str, Any], out: Rendered, names: FileNames, save: Saver | None) -> str:
    file_id = str(part.get("image_file", {}).get("file_id", ""))
    note = _note({"type": "image_file", "image_file": {"file_id": file_id}}, names, save)
    out.notes.append(f"[{len(out.notes) + 1}] image {note}")
    return f"[image {len(out.notes)}]"


def render_message(
    message: dict[str, Any], names: FileNames, save: Saver | None = None
) -> Rendered:
    """The readable form of one message; footnotes are numbered per message."""
    out = Rendered()
    blocks: list[str] = []
    for part in message.get("content") or []:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "text":
            blocks.append(_text_part(part, out, names, save))
        elif part.get("type") == "image_file":
            blocks.append(_image_part(part, out, names, save))
        elif part.get("type") == "image_url":
            blocks.append(f"[image {part.get('image_url', {}).get('url', '')}]")
    out.text = "\n\n".join(blocks)
    return out


def render_messages(messages: list[dict[str, Any]], save: Saver | None = None) -> list[Rendered]:
    names = FileNames()
    return [render_message(m, names, save) for m in messages]


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
