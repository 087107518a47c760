"""Assistant definitions: YAML files and flags validated into a request body before any request.

Errors name ``file:line``; paths inside a definition are relative to the definition file.
Function tools may carry a local ``command`` (used by ``asst run``); it is never sent to a server.
Two resources exist only in definitions read by ``asst apply`` (``for_apply``), because only it
can resolve them: ``code_interpreter.files`` (local paths, uploaded, or file ids) and
``file_search.vector_stores`` (names of vector stores defined in the same set).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import checks
from ..errors import UsageError
from ..transfer import uploads
from ..transfer.uploads import Ref
from .yamlfile import Document, Location, Reader, load_one

ASSISTANT_KEYS = (
    "kind",
    "name",
    "model",
    "description",
    "instructions",
    "instructions_file",
    "tools",
    "tool_resources",
    "temperature",
    "top_p",
    "response_format",
    "metadata",
    "display_name",
)
TOOL_TYPES = ("code_interpreter", "file_search", "function")
RESPONSE_FORMATS = ("auto", "text", "json_object")
MAX_INSTRUCTIONS = 256_000


@dataclass
class Assistant:
    """A validated definition: the request body plus what stays local."""

    body: dict[str, Any] = field(default_factory=dict)
    # Local tool commands by function name (argv), and the credentials each may see.
    commands: dict[str, list[str]] = field(default_factory=dict)
    passed_env: dict[str, list[str]] = field(default_factory=dict)
    # Only in definitions read for ``asst apply``: resolved by it into file and store ids.
    code_files: list[Ref] = field(default_factory=list)
    store_names: list[str] = field(default_factory=list)


def read_text_file(path: Path, fail: Callable[[str], UsageError]) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{path}: cannot read as UTF-8 text ({exc})") from None
    if len(text) > MAX_INSTRUCTIONS:
        raise fail(f"{path}: instructions are longer than {MAX_INSTRUCTIONS} characters")
    return text


def _function(reader: Reader, value: Any, path: Location) -> dict[str, Any]:
    spec = reader.mapping(value, path, ("name", "description", "parameters", "strict"))
    if "name" not in spec:
        raise reader.doc.error(path, "a function needs a name")
    name = reader.text(spec["name"], (*path, "name"))
    if not checks.FUNCTION_NAME.match(name):
        raise reader.doc.error((*path, "name"), "use 1-64 letters, digits, '_' or '-'")
    if "description" in spec:
        reader.text(spec["description"], (*path, "description"))
    if "parameters" in spec:
        checks.expect(spec["parameters"], dict, reader.fail((*path, "parameters")))
    if "strict" in spec:
        checks.expect(spec["strict"], bool, reader.fail((*path, "strict")))
    return dict(spec)


def _tool(reader: Reader, value: Any, path: Location, out: Assistant) -> dict[str, Any]:
    if isinstance(value, str):
        value = {"type": value}
    tool = reader.mapping(value, path, ("type", "function", "file_search", "command", "env"))
    kind = reader.text(tool.get("type"), (*path, "type"))
    if kind not in TOOL_TYPES:
        raise reader.doc.error(
            (*path, "type"), f"unknown tool type '{kind}'", f"use one of: {', '.join(TOOL_TYPES)}"
        )
    if kind != "function":
        for key in ("function", "command", "env"):
            if key in tool:
                raise reader.doc.error((*path, key), f"only function tools take '{key}'")
        if "file_search" in tool and kind != "file_search":
            raise reader.doc.error((*path, "file_search"), "only file_search tools take it")
        return dict(tool)
    if "file_search" in tool:
        raise reader.doc.error((*path, "file_search"), "only file_search tools take it")
    function = _function(reader, tool.get("function"), (*path, "function"))
    if "command" in tool:
        out.commands[function["name"]] = _command(reader, tool["command"], (*path, "command"))
    if "env" in tool:
        out.passed_env[function["name"]] = reader.strings(tool["env"], (*path, "env"))
    return {"type": "function", "function": function}


def _command(reader: Reader, value: Any, path: Location) -> list[str]:
    """``command: ./tool.sh`` or ``command: [./tool.sh, --flag, value]``: the program is relative
    to the definition; the arguments are passed as written, never through a shell."""
    argv = [value] if isinstance(value, str) else reader.strings(value, path)
    if not argv or not argv[0]:
        raise reader.doc.error(path, "the command is empty", "name a program, e.g. ./tool.sh")
    return [str(reader.local_path(argv[0], (*path, 0) if len(argv) > 1 else path)), *argv[1:]]


def _apply_only(reader: Reader, path: Location, for_apply: bool, what: str) -> None:
    if not for_apply:
        raise reader.doc.error(
            path, f"{what} are resolved by 'asst apply' only", "use ids here, or 'asst apply -f'"
        )


def _code_files(reader: Reader, value: Any, path: Location) -> list[Ref]:
    refs: list[Ref] = []
    for index, ref in enumerate(reader.strings(value, path)):
        try:
            refs.append(uploads.local_or_id(ref, reader.doc.base_dir) or ref)
        except UsageError as exc:
            raise reader.doc.error((*path, index), exc.message, exc.hint) from None
    return refs


def _tool_resources(
    reader: Reader, value: Any, path: Location, out: Assistant, for_apply: bool
) -> dict[str, Any]:
    found = reader.mapping(value, path, ("code_interpreter", "file_search"))
    result: dict[str, Any] = {}
    if "code_interpreter" in found:
        sub = (*path, "code_interpreter")
        ci = reader.mapping(found["code_interpreter"], sub, ("file_ids", "files"))
        if "files" in ci:
            _apply_only(reader, (*sub, "files"), for_apply, "local files")
            out.code_files = _code_files(reader, ci["files"], (*sub, "files"))
        result["code_interpreter"] = {"file_ids": reader.strings(ci.get("file_ids", []), sub)}
    if "file_search" in found:
        sub = (*path, "file_search")
        fs = reader.mapping(found["file_search"], sub, ("vector_store_ids", "vector_stores"))
        if "vector_stores" in fs:
            _apply_only(reader, (*sub, "vector_stores"), for_apply, "vector stores by name")
            out.store_names = reader.strings(fs["vector_stores"], (*sub, "vector_stores"))
        ids = reader.strings(fs.get("vector_store_ids", []), (*sub, "vector_store_ids"))
        result["file_search"] = {"vector_store_ids": ids}
    return result


def response_format(value: Any, fail: Callable[[str], UsageError]) -> Any:
    if isinstance(value, str):
        if value not in RESPONSE_FORMATS:
            raise fail(f"unknown response format '{value}' (use {', '.join(RESPONSE_FORMATS)})")
        return value if value == "auto" else {"type": value}
    found = checks.expect(value, dict, fail)
    if found.get("type") not in ("text", "json_object", "json_schema"):
        raise fail("type must be text, json_object or json_schema")
    if found["type"] == "json_schema" and not isinstance(found.get("json_schema"), dict):
        raise fail("a json_schema response format needs a 'json_schema' mapping")
    return found


def _field(reader: Reader, key: str, value: Any, out: Assistant, for_apply: bool) -> None:
    path: Location = (key,)
    body = out.body
    if key in ("name", "model", "description", "instructions"):
        body[key] = reader.text(value, path)
    elif key == "instructions_file":
        body["instructions"] = read_text_file(reader.local_path(value, path), reader.fail(path))
    elif key == "tools":
        items = checks.expect(value, list, reader.fail(path))
        body["tools"] = [_tool(reader, item, (key, i), out) for i, item in enumerate(items)]
    elif key == "tool_resources":
        body[key] = _tool_resources(reader, value, path, out, for_apply)
    elif key == "temperature":
        body[key] = checks.number_in(value, 0, 2, reader.fail(path))
    elif key == "top_p":
        body[key] = checks.number_in(value, 0, 1, reader.fail(path))
    elif key == "response_format":
        body[key] = response_format(value, reader.fail(path))
    elif key == "metadata":
        body[key] = checks.metadata(value, reader.fail(path), lambda name: reader.fail((key, name)))
    elif key == "kind" and value != "assistant":
        raise reader.doc.error(path, f"expected kind 'assistant', got {value!r}")


def response_format_flag(value: str) -> Any:
    """``--response-format``: a named format, or a JSON file holding a format object."""

    def fail(message: str) -> UsageError:
        return UsageError(f"--response-format: {message}")

    if value in RESPONSE_FORMATS:
        return response_format(value, fail)
    return response_format(load_json_file(value, "--response-format"), fail)


def assistant_from_document(doc: Document, *, for_apply: bool = False) -> Assistant:
    reader = Reader(doc)
    if isinstance(doc.data, dict) and "id" in doc.data:
        raise doc.error(
            ("id",), "pins an existing assistant, which only 'asst apply' adopts", "remove 'id:'"
        )
    data = reader.mapping(doc.data, (), ASSISTANT_KEYS)
    if "instructions" in data and "instructions_file" in data:
        raise doc.error(("instructions_file",), "give instructions or instructions_file, not both")
    out = Assistant()
    for key, value in data.items():
        if key != "display_name":
            _field(reader, key, value, out, for_apply)
    if "display_name" in data:
        _display_name(reader, data["display_name"], out)
    return out


def _display_name(reader: Reader, value: Any, out: Assistant) -> None:
    """``name`` is the identity, ``display_name`` the name the server shows (as export writes
    them for an object adopted under another name): the identity goes where asst keeps it."""
    shown = None if value is None else reader.text(value, ("display_name",))
    identity = out.body.get("name")
    if isinstance(identity, str):
        out.body["metadata"] = {**out.body.get("metadata", {}), "asst-name": identity}
    out.body["name"] = shown


def load_assistant(path: str) -> Assistant:
    return assistant_from_document(load_one(path))


def load_json_file(path: str, option: str) -> Any:
    """A JSON file named by a flag; a missing or broken file is a usage error naming the flag."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{option} {path}: no such file", "check the path") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{option} {path}: not a JSON file ({exc})") from None


def load_function(path: str) -> dict[str, Any]:
    """A function tool from a JSON file: the function itself, or a whole ``type: function`` tool."""
    data = load_json_file(path, "--function")
    if isinstance(data, dict) and data.get("type") == "function":
        data = data.get("function")
    doc = Document(data=data, source=path, base_dir=Path(path).resolve().parent)
    return {"type": "function", "function": _function(Reader(doc), data, ())}
