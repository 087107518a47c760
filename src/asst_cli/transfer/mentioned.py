"""The files a reply mentions, made ready before it is rendered: each one's name looked up once,
each produced file saved once (with --download-dir). Rendering itself sends no request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import api, errors, paths
from ..present import reply

# file id -> local path of a saved copy, or None when the file was not saved
Saver = Callable[[str], "str | None"]


def _name(file_id: str) -> str:
    """The file's name; when it cannot be looked up, its id stands in."""
    try:
        found = api.get(paths.file(file_id))
    except Exception as exc:
        if errors.translate(exc) is None:
            raise
        return file_id
    name = found.get("filename") if isinstance(found, dict) else None
    return str(name) if name else file_id


def gather(messages: list[dict[str, Any]], save: Saver | None) -> reply.Files:
    """Names and saved copies of every file the messages' footnotes will name."""
    files = reply.Files()
    for mention in reply.mentions(messages):
        if not mention.file_id:
            continue
        if mention.produced and save is not None:
            saved = save(mention.file_id)
            if saved:
                files.saved[mention.file_id] = saved
        files.names[mention.file_id] = _name(mention.file_id)
    return files


def save_produced(messages: list[dict[str, Any]], save: Saver | None) -> None:
    """Save every file the messages produced (for the data formats, which name no files)."""
    if save is not None:
        for file_id in reply.produced_files(messages):
            save(file_id)
