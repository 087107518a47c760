"""The ``thread.message.delta`` objects a stream sends while a reply is written.

A text delta carries the piece of text that arrived and the annotations that piece completes,
each with its ``index`` among the part's annotations, as the real service sends them. Other
parts (``image_file``) arrive whole in one delta.
"""

from __future__ import annotations

import copy

from asst_engine.json_types import JSON


def of_part(message_id: str, index: int, part: JSON) -> JSON:
    """A whole content part (``image_file``) at ``index`` of the message's content."""
    return _delta(message_id, {"index": index, **copy.deepcopy(part)})


def of_text(message_id: str, index: int, piece: str, notes: list[JSON], first: int) -> JSON:
    """A piece of the text part at ``index``; ``notes`` are numbered from ``first``."""
    numbered = [{"index": first + i, **copy.deepcopy(note)} for i, note in enumerate(notes)]
    text = {"value": piece, "annotations": numbered}
    return _delta(message_id, {"index": index, "type": "text", "text": text})


def _delta(message_id: str, part: JSON) -> JSON:
    return {"id": message_id, "object": "thread.message.delta", "delta": {"content": [part]}}
