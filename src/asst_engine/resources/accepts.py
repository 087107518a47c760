"""What each dialect's spec lets a request carry beyond what the three dialects share.

The engine keeps one canonical state; only what clients may send differs. A dialect carries one
``Accepts`` (``http/dialects.py``) and the handlers take it, so a field or tool type one spec
lacks is refused as unknown there, and one a spec allows is never a 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Foundry-only tool types, each with the field its spec requires beside ``type`` (None: none).
FOUNDRY_TOOLS: Mapping[str, str | None] = {
    "openapi": "openapi",
    "azure_ai_search": None,
    "bing_grounding": "bing_grounding",
    "connected_agent": "connected_agent",
    "azure_function": "azure_function",
}


@dataclass(frozen=True)
class Accepts:
    # OpenAI: ``reasoning_effort`` on assistants (create, modify) and on create run.
    reasoning_effort: bool = False
    # OpenAI: ``attributes`` on vector store files (create, batch).
    file_attributes: bool = False
    # Foundry: ``tool_resources`` on create run and create thread and run, for that run only.
    run_tool_resources: bool = False
    # Foundry: tool types stored as given and refused when a run would need them.
    extra_tools: Mapping[str, str | None] = field(default_factory=dict)
    # Foundry: ``tool_resources.azure_ai_search`` (index references), stored as given.
    azure_ai_search_resources: bool = False
    # Foundry: the upload's multipart ``filename`` field names the file.
    upload_filename: bool = False
    # Foundry: Azure asset ``data_sources`` (``resources/azure_assets``) wherever its spec has them.
    azure_assets: bool = False


OPENAI_ACCEPTS = Accepts(reasoning_effort=True, file_attributes=True)
# What all three dialects share; Azure OpenAI's spec adds nothing to it.
SHARED = Accepts()
AZURE_ACCEPTS = SHARED
FOUNDRY_ACCEPTS = Accepts(
    run_tool_resources=True,
    extra_tools=FOUNDRY_TOOLS,
    azure_ai_search_resources=True,
    upload_filename=True,
    azure_assets=True,
)
