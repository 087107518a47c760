"""Type and limit checks shared by definition files and command-line flags."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import UsageError

METADATA_MAX_KEYS = 16
METADATA_MAX_KEY = 64
METADATA_MAX_VALUE = 512
FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TYPE_NAMES = {
    str: "a string",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    dict: "a mapping",
    list: "a list",
}

Fail = Callable[[str], UsageError]


def type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    for kind, name in TYPE_NAMES.items():
        if type(value) is kind:
            return name
    return type(value).__name__


def _is(value: Any, kind: type) -> bool:
    if isinstance(value, bool):
        return kind is bool
    if kind is float:
        return isinstance(value, int | float)
    return isinstance(value, kind)


def expect(value: Any, kind: type, fail: Fail) -> Any:
    """``value`` if it is of ``kind`` (whole numbers count as numbers; booleans never do)."""
    if not _is(value, kind):
        raise fail(f"expected {TYPE_NAMES[kind]}, got {type_name(value)}")
    return value


def number_in(value: Any, low: float, high: float, fail: Fail) -> float:
    number = float(expect(value, float, fail))
    if not low <= number <= high:
        raise fail(f"must be between {low:g} and {high:g}, got {number:g}")
    return number


def metadata(
    value: Any, fail: Fail, fail_key: Callable[[str], Fail] | None = None
) -> dict[str, str]:
    """A metadata mapping within the protocol's limits (16 keys, 64-char keys, 512-char values).

    ``fail_key`` locates a problem with one entry more precisely than ``fail`` (a file's line).
    """
    mapping = expect(value, dict, fail)
    if len(mapping) > METADATA_MAX_KEYS:
        raise fail(f"at most {METADATA_MAX_KEYS} keys are allowed, got {len(mapping)}")
    result: dict[str, str] = {}
    for key, item in mapping.items():
        fail = fail_key(str(key)) if fail_key else fail
        if not isinstance(key, str) or not key:
            raise fail(f"keys must be non-empty strings, got {key!r}")
        if len(key) > METADATA_MAX_KEY:
            raise fail(f"key '{key[:20]}...' is longer than {METADATA_MAX_KEY} characters")
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise fail(f"value of '{key}' must be a string, got {type_name(item)}")
        text = str(item)
        if len(text) > METADATA_MAX_VALUE:
            raise fail(f"value of '{key}' is longer than {METADATA_MAX_VALUE} characters")
        result[key] = text
    return result


def parse_pairs(pairs: list[str] | None, option: str) -> dict[str, str]:
    """``KEY=VALUE`` flags as a dict; a malformed pair is a usage error naming the option."""
    result: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(
                f"{option} expects KEY=VALUE, got '{pair}'", f"e.g. {option} team=docs"
            )
        result[key] = value
    return result


def flag_metadata(pairs: list[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    parsed = parse_pairs(pairs, "--metadata")
    return metadata(parsed, lambda msg: UsageError(f"--metadata: {msg}"))


def merge_metadata(body: dict[str, Any], pairs: list[str] | None) -> None:
    """``--metadata`` flags over a definition's metadata (flags win); the sum is checked again."""
    flags = flag_metadata(pairs)
    if flags is not None:
        merged = {**body.get("metadata", {}), **flags}
        body["metadata"] = metadata(merged, lambda m: UsageError(f"metadata: {m}"))


def merge_tool_resources(
    body: dict[str, Any], code_files: list[str] | None, vector_stores: list[str] | None
) -> None:
    """``--code-file`` and ``--vector-store`` flags replace a definition's resource of that tool."""
    resources = dict(body.get("tool_resources") or {})
    if code_files:
        resources["code_interpreter"] = {"file_ids": list(code_files)}
    if vector_stores:
        resources["file_search"] = {"vector_store_ids": list(vector_stores)}
    if resources:
        body["tool_resources"] = resources
