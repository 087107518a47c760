"""Vector-store definitions: a YAML file and flags validated into a request before any request.

A definition names the store, its files (local paths relative to the definition file, or file
ids), its expiry in days, how its files are chunked and its metadata::

    kind: vector_store
    name: handbook
    files: [docs/intro.md, file-abc123]
    expires_after: 30
    chunking: static:800:400
    metadata: {team: docs}

Errors name ``file:line``. Local files are checked here and uploaded later, by the command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import checks
from ..errors import UsageError
from ..transfer import uploads
from ..transfer.uploads import Ref
from .yamlfile import Document, Reader, load_one

STORE_KEYS = ("kind", "name", "files", "expires_after", "chunking", "metadata")
UPDATE_KEYS = ("kind", "name", "expires_after", "metadata")
MAX_NAME = 256
MAX_DAYS = 365
MIN_CHUNK, MAX_CHUNK = 100, 4096
CHUNKING_FORMS = "auto, or static:MAX:OVERLAP (e.g. static:800:400)"

Fail = Callable[[str], UsageError]


@dataclass
class StoreFlags:
    name: str | None = None
    files: list[str] | None = None
    expires_after_days: int | None = None
    chunking: str | None = None
    metadata: list[str] | None = None


@dataclass
class StoreDef:
    """The body to send, and the files to upload (or ids to use) for ``file_ids``."""

    body: dict[str, Any] = field(default_factory=dict)
    files: list[Ref] = field(default_factory=list)


def chunking(value: Any, fail: Fail) -> dict[str, Any]:
    """``auto`` or ``static:MAX:OVERLAP`` as a ``chunking_strategy`` (overlap ≤ half of MAX)."""
    if value == "auto":
        return {"type": "auto"}
    kind, _, numbers = str(value).partition(":")
    size, _, overlap = numbers.partition(":")
    if kind != "static" or not size.isdigit() or not overlap.isdigit():
        raise fail(f"expected {CHUNKING_FORMS}, got {value!r}")
    max_tokens, overlap_tokens = int(size), int(overlap)
    if not MIN_CHUNK <= max_tokens <= MAX_CHUNK:
        raise fail(f"MAX must be between {MIN_CHUNK} and {MAX_CHUNK} tokens, got {max_tokens}")
    if overlap_tokens > max_tokens // 2:
        raise fail(f"OVERLAP must be at most half of MAX ({max_tokens // 2}), got {overlap_tokens}")
    static = {"max_chunk_size_tokens": max_tokens, "chunk_overlap_tokens": overlap_tokens}
    return {"type": "static", "static": static}


def chunking_flag(value: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return chunking(value, lambda message: UsageError(f"--chunking: {message}"))


def expiry(days: Any, fail: Fail) -> dict[str, Any]:
    """Expire ``days`` after the store was last used (the protocol's only anchor)."""
    number = checks.expect(days, int, fail)
    if not 1 <= number <= MAX_DAYS:
        raise fail(f"must be between 1 and {MAX_DAYS} days, got {number}")
    return {"anchor": "last_active_at", "days": number}


def _name(value: Any, fail: Fail) -> str:
    name = str(checks.expect(value, str, fail))
    if len(name) > MAX_NAME:
        raise fail(f"is longer than {MAX_NAME} characters")
    return name


def _files(reader: Reader, value: Any) -> list[Ref]:
    refs: list[Ref] = []
    for index, ref in enumerate(reader.strings(value, ("files",))):
        try:
            refs.append(uploads.local_or_id(ref, reader.doc.base_dir) or ref)
        except UsageError as exc:
            raise reader.doc.error(("files", index), exc.message, exc.hint) from None
    return refs


def from_document(doc: Document, keys: tuple[str, ...] = STORE_KEYS) -> StoreDef:
    reader = Reader(doc)
    data = reader.mapping(doc.data, (), keys)
    out = StoreDef()
    for key, value in data.items():
        fail = reader.fail((key,))
        if key == "kind" and value != "vector_store":
            raise doc.error((key,), f"expected kind 'vector_store', got {value!r}")
        if key == "name":
            out.body["name"] = _name(value, fail)
        elif key == "files":
            out.files = _files(reader, value)
        elif key == "expires_after":
            out.body["expires_after"] = expiry(value, fail)
        elif key == "chunking":
            out.body["chunking_strategy"] = chunking(value, fail)
        elif key == "metadata":
            by_key = lambda name: reader.fail(("metadata", name))  # noqa: E731
            out.body["metadata"] = checks.metadata(value, fail, by_key)
    return out


def _merge(out: StoreDef, flags: StoreFlags) -> None:
    """Flags win over the file; --file adds to the file's files, --metadata to its metadata."""
    if flags.name is not None:
        out.body["name"] = _name(flags.name, lambda m: UsageError(f"--name {m}"))
    if flags.expires_after_days is not None:
        fail = lambda m: UsageError(f"--expires-after-days {m}")  # noqa: E731
        out.body["expires_after"] = expiry(flags.expires_after_days, fail)
    strategy = chunking_flag(flags.chunking)
    if strategy is not None:
        out.body["chunking_strategy"] = strategy
    out.files.extend(uploads.resolve(flags.files or []))
    checks.merge_metadata(out.body, flags.metadata)


def create_def(file: str | None, flags: StoreFlags) -> StoreDef:
    """What ``vector-stores create`` sends; everything is checked here, before any request."""
    out = from_document(load_one(file)) if file else StoreDef()
    _merge(out, flags)
    if "chunking_strategy" in out.body and not out.files:
        raise UsageError(
            "chunking applies to the files a store is created with, and none were given",
            "add --file PATH_OR_ID, or set chunking when adding files later",
        )
    return out


def update_body(file: str | None, flags: StoreFlags) -> dict[str, Any]:
    """What ``vector-stores update`` sends: name, expiry and metadata only."""
    if file:
        doc = load_one(file)
        for key in ("files", "chunking"):
            if isinstance(doc.data, dict) and key in doc.data:
                raise doc.error(
                    (key,),
                    "a store's files cannot be changed by update",
                    "use 'asst vector-stores files add' or 'files delete'",
                )
        out = from_document(doc, UPDATE_KEYS)
    else:
        out = StoreDef()
    _merge(out, flags)
    if not out.body:
        raise UsageError("nothing to update", "pass --name, --expires-after-days, -m or -f FILE")
    return out.body
