"""What each dialect's spec lets a request carry beyond what the three dialects share.

The engine keeps one canonical state; only what clients may send differs. A dialect carries one
``Accepts`` (``http/dialects.py``) and the handlers take it, so a field or tool type one spec
lacks is refused as unknown there, and one a spec allows is never a 400.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Accepts:
    # OpenAI: ``reasoning_effort`` on assistants (create, modify) and on create run.
    reasoning_effort: bool = False
    # OpenAI: ``attributes`` on vector store files (create, batch).
    file_attributes: bool = False


OPENAI_ACCEPTS = Accepts(reasoning_effort=True, file_attributes=True)
AZURE_ACCEPTS = Accepts()
FOUNDRY_ACCEPTS = Accepts()
