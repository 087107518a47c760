"""Read vcrpy cassettes (YAML, vcrpy's default serializer) and check what they recorded."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vcr.serializers import yamlserializer

from .bodies import Headers, as_bytes, decode, header
from .validate import check_interaction

SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "api-key", "x-api-key", "cookie", "set-cookie"}
)
SECRET_PATTERNS = (
    ("an API key (sk-...)", re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}")),
    ("a JWT", re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}")),
    ("a bearer token", re.compile(r"\bBearer\s+[A-Za-z0-9_\-.~+/]{16,}=*", re.IGNORECASE)),
)


@dataclass(frozen=True)
class Interaction:
    method: str
    uri: str
    request_headers: Headers
    request_body: bytes
    status: int
    response_headers: Headers
    response_body: bytes

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.uri} -> {self.status}"


def load_cassette(path: str | Path) -> list[Interaction]:
    """The interactions of a cassette, bodies as bytes, exactly as vcrpy would replay them."""
    found = Path(path).stat()
    return list(_parsed(str(path), found.st_mtime_ns, found.st_size))


# Each cassette is read by several checks (conformance, secrets, dialects); parsing its YAML is
# most of their cost. Keyed by size and modification time too, so a rewritten file is read again.
@functools.lru_cache(maxsize=1024)
def _parsed(path: str, mtime_ns: int, size: int) -> tuple[Interaction, ...]:
    data = yamlserializer.deserialize(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, Mapping) or "interactions" not in data:
        raise ValueError(f"{path}: not a vcrpy cassette (no 'interactions')")
    return tuple(_interaction(item) for item in data["interactions"])


def _interaction(item: Mapping[str, Any]) -> Interaction:
    request, response = item["request"], item["response"]
    if "status_code" in response:  # vcrpy's older httpx layout
        status, body = response["status_code"], response.get("content")
    else:
        status, body = response["status"]["code"], (response.get("body") or {}).get("string")
    return Interaction(
        method=str(request["method"]),
        uri=str(request["uri"]),
        request_headers=request.get("headers") or {},
        request_body=as_bytes(request.get("body")),
        status=int(status),
        response_headers=response.get("headers") or {},
        response_body=as_bytes(body),
    )


def check_cassette(path: str | Path) -> list[str]:
    """Problems of every interaction of a cassette against its dialect's spec."""
    try:
        interactions = load_cassette(path)
    except (OSError, ValueError, KeyError, TypeError) as error:
        return [f"{path}: cannot read cassette: {error}"]
    problems = []
    for index, it in enumerate(interactions):
        found = check_interaction(
            it.method,
            it.uri,
            it.request_headers,
            it.request_body,
            it.status,
            it.response_headers,
            it.response_body,
        )
        problems += [f"#{index} {it.label}: {problem}" for problem in found]
    return problems


def check_cassette_secrets(path: str | Path) -> list[str]:
    """Credentials a cassette must not hold: auth/cookie headers, keys and tokens anywhere."""
    try:
        interactions = load_cassette(path)
    except (OSError, ValueError, KeyError, TypeError) as error:
        return [f"{path}: cannot read cassette: {error}"]
    problems = []
    for index, it in enumerate(interactions):
        problems += [f"#{index} {it.label}: {p}" for p in _secrets(it)]
    return problems


def _secrets(it: Interaction) -> Iterator[str]:
    for side, headers in (("request", it.request_headers), ("response", it.response_headers)):
        for name, value in headers.items():
            if name.lower() in SECRET_HEADERS:
                yield f"{side} header {name!r} must be filtered out of cassettes"
            else:
                yield from _tokens(f"{side} header {name!r}", str(value))
    yield from _tokens("URL", it.uri)
    yield from _tokens("request body", it.request_body.decode("utf-8", errors="replace"))
    try:
        body = decode(it.response_body, header(it.response_headers, "content-encoding"))
    except (ValueError, OSError):
        body = it.response_body
    yield from _tokens("response body", body.decode("utf-8", errors="replace"))


def _tokens(where: str, text: str) -> Iterator[str]:
    for what, pattern in SECRET_PATTERNS:
        if pattern.search(text):
            yield f"{where} holds what looks like {what}"
