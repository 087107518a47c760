"""Embeddings: the embedder seam, its OpenAI-compatible implementation, and vector arithmetic.

Configured by ``ASST_EMBEDDINGS_MODEL``; the endpoint and key are ``ASST_EMBEDDINGS_BASE_URL`` /
``ASST_EMBEDDINGS_API_KEY``, else the chat provider's ``ASST_MODEL_BASE_URL`` /
``ASST_MODEL_API_KEY``. Without a model there is no embedder and search is BM25 alone.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

BATCH = 64  # inputs per /embeddings request: well under every server's limit


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order."""
        ...


class OpenAIEmbedder:
    """Any OpenAI-compatible ``/embeddings`` endpoint, through the openai SDK."""

    def __init__(self, model: str, base_url: str | None, api_key: str | None) -> None:
        self.model = model
        self.base_url = base_url
        self.api_key = api_key
        self._client: Any = None

    def embed(self, texts: list[str]) -> list[list[float]]:
        if self._client is None:
            from openai import OpenAI

            # Servers that take no key still need the SDK to be given one.
            self._client = OpenAI(base_url=self.base_url, api_key=self.api_key or "unused")
        found: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            batch = texts[start : start + BATCH]
            answer = self._client.embeddings.create(model=self.model, input=batch)
            found += [list(item.embedding) for item in sorted(answer.data, key=_index)]
        return found


def _index(item: Any) -> int:
    return int(item.index)


def from_environ(environ: Mapping[str, str]) -> OpenAIEmbedder | None:
    model = environ.get("ASST_EMBEDDINGS_MODEL")
    if not model:
        return None
    base_url = environ.get("ASST_EMBEDDINGS_BASE_URL") or environ.get("ASST_MODEL_BASE_URL")
    api_key = environ.get("ASST_EMBEDDINGS_API_KEY") or environ.get("ASST_MODEL_API_KEY")
    return OpenAIEmbedder(model, base_url or None, api_key or None)


def pack(vector: Sequence[float]) -> bytes:
    return struct.pack(f"<{len(vector)}f", *vector)


def unpack(blob: bytes) -> list[float]:
    return list(struct.unpack(f"<{len(blob) // 4}f", blob))


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b, strict=True)) / norms if norms else 0.0
