"""A message's content as the ``thread.message.delta`` objects a stream sends.

Text is split at word boundaries into a few chunks; an annotation travels with the chunk that
completes the text it annotates, carrying its ``index`` among the part's annotations, as the
real service sends them. Other parts (``image_file``) arrive whole in one delta.
"""

from __future__ import annotations

import copy
import re

from asst_engine.json_types import JSON

CHUNKS = 3
_WORD = re.compile(r"\s*\S+\s*|\s+")


def of_content(message_id: str, content: list[JSON]) -> list[JSON]:
    """The deltas that, applied in order, build ``content``."""
    out: list[JSON] = []
    for index, part in enumerate(content):
        if part["type"] == "text":
            pieces = [{"index": index, "type": "text", "text": t} for t in _text(part["text"])]
        else:
            pieces = [{"index": index, **copy.deepcopy(part)}]
        out += [_delta(message_id, piece) for piece in pieces]
    return out


def _delta(message_id: str, part: JSON) -> JSON:
    return {"id": message_id, "object": "thread.message.delta", "delta": {"content": [part]}}


def _text(text: JSON) -> list[JSON]:
    value: str = text["value"]
    notes = [{"index": i, **copy.deepcopy(note)} for i, note in enumerate(text["annotations"])]
    chunks = []
    start = 0
    for piece in split(value):
        end = start + len(piece)
        last = end == len(value)
        done = [n for n in notes if n["end_index"] <= end or last]
        notes = [n for n in notes if n not in done]
        chunks.append({"value": piece, "annotations": done})
        start = end
    return chunks


def split(value: str, count: int = CHUNKS) -> list[str]:
    """``value`` in at most ``count`` consecutive pieces, cut between words."""
    words = _WORD.findall(value) or [value]
    size = -(-len(words) // count)
    return ["".join(words[i : i + size]) for i in range(0, len(words), size)]
