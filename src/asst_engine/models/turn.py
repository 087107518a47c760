"""The turn-level contract between a run and whatever decides its outcome."""

from __future__ import annotations

from dataclasses import dataclass

from asst_engine.tools.search import Source


@dataclass(frozen=True)
class Citation:
    """A ``file_citation`` annotation on ``text`` (the marker) in the reply."""

    text: str
    source: Source


@dataclass(frozen=True)
class FileLink:
    """A ``file_path`` annotation on ``text`` (a sandbox path) to a file the run made."""

    text: str
    filename: str


@dataclass(frozen=True)
class Search:
    """A ``file_search`` tool call and what it found."""

    found: tuple[Source, ...]


@dataclass(frozen=True)
class Code:
    """A ``code_interpreter`` tool call whose output is the image file ``image``."""

    input: str
    image: str


@dataclass(frozen=True)
class FunctionCall:
    name: str
    arguments: str  # JSON text, as the API sends it
