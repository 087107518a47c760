"""Text into overlapping chunks, counted in estimated tokens (no tokenizer is downloaded).

The estimate: a token is a run of up to four letters or digits, or one other visible character
(``\\w{1,4}|[^\\w\\s]``). English prose comes out near the 4-characters-per-token rule of thumb the
service's tokenizers give, long words and numbers count as several tokens, and punctuation
counts alone, so estimated chunks stay near the service's sizes. A chunk is the verbatim text
from its first token to its last: it keeps the document's spacing and line breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from asst_engine.json_types import JSON

TOKEN = re.compile(r"\w{1,4}|[^\w\s]")
DEFAULT_SIZE = 800
DEFAULT_OVERLAP = 400


@dataclass(frozen=True)
class Chunking:
    """A static strategy: at most ``size`` tokens a chunk, ``overlap`` shared with the last."""

    size: int = DEFAULT_SIZE
    overlap: int = DEFAULT_OVERLAP

    @classmethod
    def of(cls, strategy: JSON | None) -> Chunking:
        """From a stored ``chunking_strategy`` (``auto`` or absent: the defaults)."""
        static = (strategy or {}).get("static")
        if not static:
            return cls()
        return cls(int(static["max_chunk_size_tokens"]), int(static["chunk_overlap_tokens"]))


def count_tokens(text: str) -> int:
    return sum(1 for _ in TOKEN.finditer(text))


def chunks(text: str, chunking: Chunking) -> list[str]:
    """``text`` cut into chunks of at most ``chunking.size`` tokens, each starting
    ``size - overlap`` tokens after the one before; empty text has none."""
    spans = [match.span() for match in TOKEN.finditer(text)]
    step = chunking.size - chunking.overlap
    found: list[str] = []
    for first in range(0, len(spans), step):
        last = min(first + chunking.size, len(spans)) - 1
        found.append(text[spans[first][0] : spans[last][1]])
        if last == len(spans) - 1:
            break
    return found
