"""What a route handler receives (``Request``) and may return (``Reply``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from asst_engine.errors import EngineError
from asst_engine.http import multipart
from asst_engine.http.dialects import Dialect
from asst_engine.json_types import JSON


@dataclass
class Request:
    dialect: Dialect
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    headers: Mapping[str, str]
    raw: bytes
    # A multipart body the HTTP adapter has already parsed (streamed to temporary files).
    uploaded: multipart.Form | None = None

    def json(self) -> JSON:
        """The body as a JSON object; an empty body is ``{}``."""
        if not self.raw.strip():
            return {}
        try:
            body = json.loads(self.raw)
        except (ValueError, UnicodeDecodeError):
            raise EngineError(
                400,
                "We could not parse the JSON body of your request. (HINT: This likely means you "
                "aren't using your HTTP library correctly.)",
            ) from None
        if not isinstance(body, dict):
            raise EngineError(400, "The request body must be a JSON object.", code="invalid_type")
        return body

    def form(self) -> multipart.Form:
        content_type = self.headers.get("content-type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            message = "Expected a multipart/form-data body (fields 'file' and 'purpose')."
            raise EngineError(400, message, code="invalid_content_type")
        if self.uploaded is not None:
            return self.uploaded
        return multipart.parse(self.raw, content_type)


@dataclass
class EventStream:
    """A ``text/event-stream`` body: the events known now, and perhaps more to come.

    ``later`` produces the events of a run that is still going (it hangs until cancelled); it
    is consumed while the response is written, outside the engine's lock.
    """

    now: bytes
    later: Iterator[bytes] | None = None


@dataclass
class Download:
    """Bytes sent as they are read (a file's content), ``size`` of them; the sender closes
    ``content``."""

    content: BinaryIO
    size: int


@dataclass
class Reply:
    """A handler's answer: a JSON body (rendered for the dialect), raw bytes, a download or
    events."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
