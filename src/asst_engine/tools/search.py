"""What a file search finds: a stored file and the line a citation quotes from it."""

from __future__ import annotations

from dataclasses import dataclass

QUOTE_LENGTH = 100
QUOTE_SCAN = 4096  # bytes read to find the quote: enough for a line, cheap on big files


@dataclass(frozen=True)
class Source:
    """A file a search would find: what ``please cite`` cites."""

    file_id: str
    filename: str
    quote: str


def quote_of(data: bytes) -> str:
    """What a citation quotes: the file's first non-blank line, shortened."""
    for line in data[:QUOTE_SCAN].decode("utf-8", errors="replace").splitlines():
        if line.strip():
            return line.strip()[:QUOTE_LENGTH]
    return ""
