"""HTTP plumbing for the checks: headers, body bytes, encodings, multipart and SSE parsing."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterable, Mapping
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, TypeAlias

Headers: TypeAlias = Mapping[str, str | Iterable[str]]
Body: TypeAlias = bytes | str | None


def header(headers: Headers | None, name: str) -> str | None:
    """A header's value, case-insensitively; a list of values is joined with ', '."""
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value if isinstance(value, str) else ", ".join(map(str, value))
    return None


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def as_bytes(body: Any) -> bytes:
    """Bytes of a body as vcrpy may hold it: str, bytes, a file-like, or chunks."""
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, io.IOBase) or hasattr(body, "read"):
        return as_bytes(body.read())
    return b"".join(as_bytes(chunk) for chunk in body)


def decode(data: bytes, encoding: str | None) -> bytes:
    """Undo a Content-Encoding (gzip/deflate); raise ValueError for one we cannot undo."""
    for step in reversed([e.strip().lower() for e in (encoding or "").split(",") if e.strip()]):
        if step in ("gzip", "x-gzip"):
            data = gzip.decompress(data)
        elif step == "deflate":
            data = zlib.decompress(data)
        elif step != "identity":
            raise ValueError(f"cannot decode Content-Encoding {step!r}")
    return data


def form_parts(content_type: str, data: bytes) -> list[tuple[str, bool, str | None]]:
    """(field name, is a file part, text value) of each part of a multipart/form-data body."""
    raw = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + data
    message = BytesParser(policy=HTTP).parsebytes(raw)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise ValueError("not a multipart body (boundary missing or wrong)")
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        payload = part.get_payload(decode=True)
        text = None
        if filename is None and isinstance(payload, bytes):
            text = payload.decode("utf-8", errors="replace")
        parts.append((str(name), filename is not None, text))
    return parts


def sse_events(text: str) -> list[tuple[str | None, str]]:
    """(event name, data) of each event of a text/event-stream body."""
    events: list[tuple[str | None, str]] = []
    name: str | None = None
    data: list[str] = []
    for line in [*text.splitlines(), ""]:
        if not line:
            if name is not None or data:
                events.append((name, "\n".join(data)))
            name, data = None, []
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    return events
