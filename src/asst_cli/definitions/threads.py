"""Thread definitions and message attachments, validated into request bodies before any request.

A thread file holds ``messages``, ``tool_resources`` and ``metadata``; errors name ``file:line``.
An attachment names a local file (relative to the definition file) or a file id; local files are
uploaded (purpose ``assistants``) only after everything else has been checked.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import checks
from ..errors import UsageError
from ..transfer import uploads
from .yamlfile import Document, Location, Reader, load_one

THREAD_KEYS = ("kind", "messages", "tool_resources", "metadata")
UPDATE_KEYS = ("kind", "tool_resources", "metadata")
MESSAGE_KEYS = ("role", "content", "attachments", "metadata")
ATTACHMENT_KEYS = ("file", "tools")
ROLES = ("user", "assistant")
ATTACHMENT_TOOLS = ("code_interpreter", "file_search")
DEFAULT_TOOL = "file_search"
MAX_MESSAGES = 32
MAX_CONTENT = 256_000


@dataclass
class Draft:
    """A validated thread or message body; attachments' ``file_id`` may still be a local path."""

    body: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)

    def ready(self) -> dict[str, Any]:
        """The body to send, once local attachments are uploaded (one upload per path)."""
        refs = list(dict.fromkeys(item["file_id"] for item in self.attachments))
        ids = dict(zip(refs, uploads.resolve_ids(refs, "assistants"), strict=True))
        for item in self.attachments:
            item["file_id"] = ids[item["file_id"]]
        return self.body


def attachment(ref: str, tools: list[str]) -> dict[str, Any]:
    return {"file_id": ref, "tools": [{"type": tool} for tool in tools]}


def content(value: str, fail: checks.Fail) -> str:
    if not value.strip():
        raise fail("the message text is empty")
    if len(value) > MAX_CONTENT:
        raise fail(f"the message text is longer than {MAX_CONTENT} characters")
    return value


def _local_ref(reader: Reader, value: Any, path: Location) -> str:
    """A file id as given, or a local path (relative to the file) checked now, made absolute."""
    ref = reader.text(value, path)
    try:
        local = uploads.local_or_id(ref, reader.doc.base_dir)
    except UsageError as exc:
        raise reader.doc.error(path, exc.message, exc.hint) from None
    return ref if local is None else str(local.resolve())


def _tool_name(reader: Reader, value: Any, path: Location) -> str:
    if isinstance(value, dict):
        value = reader.mapping(value, path, ("type",)).get("type")
        path = (*path, "type")
    name = reader.text(value, path)
    if name not in ATTACHMENT_TOOLS:
        raise reader.doc.error(
            path, f"unknown tool '{name}'", f"use {' or '.join(ATTACHMENT_TOOLS)}"
        )
    return name


def _attachment(reader: Reader, value: Any, path: Location) -> dict[str, Any]:
    if isinstance(value, str):
        return attachment(_local_ref(reader, value, path), [DEFAULT_TOOL])
    found = reader.mapping(value, path, ATTACHMENT_KEYS)
    if "file" not in found:
        raise reader.doc.error(path, "an attachment needs a file (a local path or a file id)")
    ref = _local_ref(reader, found["file"], (*path, "file"))
    tools = checks.expect(found.get("tools", [DEFAULT_TOOL]), list, reader.fail((*path, "tools")))
    names = [_tool_name(reader, tool, (*path, "tools", i)) for i, tool in enumerate(tools)]
    if not names:
        raise reader.doc.error((*path, "tools"), "name at least one tool")
    return attachment(ref, names)


def _message(reader: Reader, value: Any, path: Location, out: Draft) -> dict[str, Any]:
    if isinstance(value, str):
        value = {"content": value}
    found = reader.mapping(value, path, MESSAGE_KEYS)
    if "content" not in found:
        raise reader.doc.error(path, "a message needs content")
    role = reader.text(found.get("role", "user"), (*path, "role"))
    if role not in ROLES:
        raise reader.doc.error((*path, "role"), f"unknown role '{role}'", "use user or assistant")
    text = content(reader.text(found["content"], (*path, "content")), reader.fail(path))
    message: dict[str, Any] = {"role": role, "content": text}
    if "attachments" in found:
        sub = (*path, "attachments")
        items = checks.expect(found["attachments"], list, reader.fail(sub))
        message["attachments"] = [_attachment(reader, a, (*sub, i)) for i, a in enumerate(items)]
        out.attachments.extend(message["attachments"])
    if "metadata" in found:
        message["metadata"] = _metadata(reader, found["metadata"], (*path, "metadata"))
    return message


def _metadata(reader: Reader, value: Any, path: Location) -> dict[str, str]:
    return checks.metadata(value, reader.fail(path), lambda key: reader.fail((*path, key)))


def _tool_resources(reader: Reader, value: Any, path: Location) -> dict[str, Any]:
    found = reader.mapping(value, path, ATTACHMENT_TOOLS)
    result: dict[str, Any] = {}
    if "code_interpreter" in found:
        sub = (*path, "code_interpreter")
        ci = reader.mapping(found["code_interpreter"], sub, ("file_ids",))
        result["code_interpreter"] = {
            "file_ids": reader.strings(ci.get("file_ids", []), (*sub, "file_ids"))
        }
    if "file_search" in found:
        sub = (*path, "file_search")
        fs = reader.mapping(found["file_search"], sub, ("vector_store_ids",))
        ids = reader.strings(fs.get("vector_store_ids", []), (*sub, "vector_store_ids"))
        result["file_search"] = {"vector_store_ids": ids}
    return result


def _messages(reader: Reader, value: Any, out: Draft) -> list[dict[str, Any]]:
    items = checks.expect(value, list, reader.fail(("messages",)))
    if len(items) > MAX_MESSAGES:
        raise reader.doc.error(
            ("messages",), f"at most {MAX_MESSAGES} messages are allowed, got {len(items)}"
        )
    return [_message(reader, item, ("messages", i), out) for i, item in enumerate(items)]


def thread_from_document(doc: Document, *, update: bool = False) -> Draft:
    reader = Reader(doc)
    data = reader.mapping(doc.data, (), UPDATE_KEYS if update else THREAD_KEYS)
    out = Draft()
    for key, value in data.items():
        if key == "kind" and value != "thread":
            raise doc.error((key,), f"expected kind 'thread', got {value!r}")
        if key == "messages":
            out.body[key] = _messages(reader, value, out)
        elif key == "tool_resources":
            out.body[key] = _tool_resources(reader, value, (key,))
        elif key == "metadata":
            out.body[key] = _metadata(reader, value, (key,))
    return out


def load_thread(path: str, *, update: bool = False) -> Draft:
    return thread_from_document(load_one(path), update=update)


@dataclass
class ThreadFlags:
    messages: list[str] | None = None
    metadata: list[str] | None = None
    vector_stores: list[str] | None = None
    code_files: list[str] | None = None


def thread_body(file: str | None, flags: ThreadFlags, *, update: bool = False) -> Draft:
    """A thread file merged with flags (flags add messages and win for the rest)."""
    thread = load_thread(file, update=update) if file else Draft()
    body = thread.body
    fail = lambda message: UsageError(f"--message: {message}")  # noqa: E731
    added = [{"role": "user", "content": content(text, fail)} for text in flags.messages or []]
    if added:
        body["messages"] = [*body.get("messages", []), *added]
        if len(body["messages"]) > MAX_MESSAGES:
            raise UsageError(f"at most {MAX_MESSAGES} messages are allowed in a new thread")
    checks.merge_tool_resources(body, flags.code_files, flags.vector_stores)
    checks.merge_metadata(body, flags.metadata)
    if update and not body:
        raise UsageError("nothing to update", "pass --metadata KEY=VALUE or -f FILE")
    return thread


def parse_attach(values: list[str] | None) -> list[dict[str, Any]]:
    """``--attach REF[:TOOL]`` flags as attachments; one per file, its tools merged in order."""
    tools_of: dict[str, list[str]] = {}
    for value in values or []:
        ref, tool = _split_attach(value)
        try:
            local = uploads.local_or_id(ref)
        except UsageError as exc:
            raise UsageError(f"--attach {exc.message}", exc.hint) from None
        if local is not None:
            ref = str(local.resolve())
        tools = tools_of.setdefault(ref, [])
        if tool not in tools:
            tools.append(tool)
    return [attachment(ref, tools) for ref, tools in tools_of.items()]


def _split_attach(value: str) -> tuple[str, str]:
    ref, sep, tool = value.rpartition(":")
    if sep and tool in ATTACHMENT_TOOLS:
        return ref, tool
    # os.path.exists answers False for a name no file can have (too long), Path.exists raises.
    if sep and not os.path.exists(os.path.expanduser(value)):  # noqa: PTH110, PTH111
        raise UsageError(
            f"--attach: unknown tool '{tool}' in '{value}'",
            f"use PATH_OR_FILE_ID[:{'|'.join(ATTACHMENT_TOOLS)}]",
        )
    return value, DEFAULT_TOOL


def message_draft(
    role: str,
    text: str | None,
    content_file: str | None,
    attach: list[str] | None,
    metadata: list[str] | None,
) -> Draft:
    """A new message from flags: its text, attachments and metadata, all checked."""
    body: dict[str, Any] = {"role": role, "content": message_text(text, content_file)}
    attachments = parse_attach(attach)
    if attachments:
        body["attachments"] = attachments
    found = checks.flag_metadata(metadata)
    if found:
        body["metadata"] = found
    return Draft(body, attachments)


def metadata_update(pairs: list[str] | None) -> dict[str, Any]:
    """The body of an update that can only change metadata (messages, runs)."""
    found = checks.flag_metadata(pairs)
    if not found:
        raise UsageError("nothing to update", "pass --metadata KEY=VALUE")
    return {"metadata": found}


def message_text(text: str | None, content_file: str | None) -> str:
    """The text of a new message: the TEXT argument, ``-`` (stdin) or --content-file."""
    if text is not None and content_file is not None:
        raise UsageError("TEXT and --content-file both given", "give the message text once")
    if text is None and content_file is None:
        raise UsageError(
            "no message text given", "pass TEXT, --content-file PATH, or - to read stdin"
        )
    if content_file is not None:
        value = _read_text(Path(content_file))
    else:
        value = sys.stdin.read() if text == "-" else str(text)
    return content(value, UsageError)


def _read_text(path: Path) -> str:
    uploads.readable_file(path, f"--content-file {path}")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--content-file {path}: cannot read as UTF-8 text ({exc})") from None
