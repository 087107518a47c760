"""The three dialects of the Assistants protocol, and which one a recorded URL speaks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

SPEC_DIR = Path(__file__).resolve().parent.parent / "data" / "specs"


@dataclass(frozen=True)
class Dialect:
    name: str
    spec_file: str
    prefix: re.Pattern[str]  # the URL path before the spec's own path templates
    error_envelope: str  # pointer of the common error body, used where a status declares none
    stream_events: str  # the schema that lists the server-sent events of a streamed run
    api_version: bool  # whether every call carries ?api-version= (the spec's info.version)

    @property
    def spec_path(self) -> Path:
        return SPEC_DIR / self.spec_file


DIALECTS: dict[str, Dialect] = {
    "openai": Dialect(
        name="openai",
        spec_file="openai-openapi.yaml",
        prefix=re.compile(r"/v1(?=/)"),
        error_envelope="#/components/schemas/ErrorResponse",
        stream_events="#/components/schemas/AssistantStreamEvent",
        api_version=False,
    ),
    "azure": Dialect(
        name="azure",
        spec_file="azure-openai-2024-05-01-preview.yaml",
        prefix=re.compile(r"/openai(?=/)"),
        error_envelope="#/components/schemas/errorResponse",
        stream_events="#/components/schemas/assistantStreamEvent",
        api_version=True,
    ),
    "foundry": Dialect(
        name="foundry",
        spec_file="azure-ai-agents-v1.json",
        prefix=re.compile(r"/api/projects/[^/]+(?=/)"),
        error_envelope="#/definitions/AgentV1Error",
        stream_events="#/definitions/AgentStreamEvent",
        api_version=True,
    ),
}


def split_url(url: str) -> tuple[Dialect | None, str, str]:
    """Return (dialect or None, path below the dialect's prefix, raw query string)."""
    parts = urlsplit(url)
    for dialect in DIALECTS.values():
        match = dialect.prefix.match(parts.path)
        if match:
            return dialect, parts.path[match.end() :], parts.query
    return None, parts.path, parts.query
