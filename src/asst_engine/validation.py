"""Request-body checks that answer like the real API: 400, ``param`` naming the field.

A body is checked against a table of ``field -> Check``; a Check takes the parameter's dotted
name and the value, raises ``EngineError`` when the value is wrong and returns the value to store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from asst_engine.errors import EngineError, bad_request
from asst_engine.json_types import JSON

Check = Callable[[str, Any], Any]

METADATA_MAX_KEYS = 16
METADATA_KEY_MAX = 64
METADATA_VALUE_MAX = 512
FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
TOOL_TYPES = ("code_interpreter", "file_search", "function")
NO_EXTRA: Mapping[str, str | None] = {}
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")


def type_name(value: Any) -> str:
    """How the real API names a JSON type in its messages ("an integer", "a string", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def wrong_type(param: str, expected: str, value: Any) -> EngineError:
    message = (
        f"Invalid type for '{param}': expected {expected}, but got {type_name(value)} instead."
    )
    return bad_request(message, param, "invalid_type")


def invalid_value(param: str, value: Any, allowed: Iterable[str]) -> EngineError:
    options = [f"'{option}'" for option in allowed]
    listed = (
        ", ".join(options[:-1]) + f", and {options[-1]}"
        if len(options) > 2
        else " and ".join(options)
    )
    return bad_request(
        f"Invalid value: '{value}'. Supported values are: {listed}.", param, "invalid_value"
    )


def check_body(
    body: JSON, fields: dict[str, Check], required: Iterable[str] = (), parent: str = ""
) -> JSON:
    """Reject unknown and missing fields, then run each field's check.

    ``parent`` is the dotted path of a nested object, so errors name ``tools[0].function.name``.
    """

    def name(key: str) -> str:
        return f"{parent}.{key}" if parent else key

    for key in body:
        if key not in fields:
            message = f"Unrecognized request argument supplied: {name(key)}"
            raise bad_request(message, name(key), "unknown_parameter")
    for key in required:
        if key not in body:
            message = f"Missing required parameter: '{name(key)}'."
            raise bad_request(message, name(key), "missing_required_parameter")
    return {key: fields[key](name(key), value) for key, value in body.items()}


def nullable(check: Check) -> Check:
    """Let ``null`` through unchanged (the API's "omit this setting")."""

    def run(param: str, value: Any) -> Any:
        return None if value is None else check(param, value)

    return run


def string(max_length: int | None = None) -> Check:
    def run(param: str, value: Any) -> Any:
        if not isinstance(value, str):
            raise wrong_type(param, "a string", value)
        if max_length is not None and len(value) > max_length:
            raise bad_request(
                f"Invalid '{param}': string too long. Expected a string with maximum length "
                f"{max_length}, but got a string with length {len(value)} instead.",
                param,
                "string_above_max_length",
            )
        return value

    return run


def number(low: float, high: float | None = None, integer: bool = False) -> Check:
    """A number within [low, high]; booleans are not numbers even though Python says so."""
    kind = "integer" if integer else "decimal"

    def run(param: str, value: Any) -> Any:
        allowed = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise wrong_type(param, "an integer" if integer else "a number", value)
        if value < low:
            raise bad_request(
                f"Invalid '{param}': {kind} below minimum value. Expected a value >= {low:g}, "
                f"but got {value} instead.",
                param,
                f"{kind}_below_min_value",
            )
        if high is not None and value > high:
            raise bad_request(
                f"Invalid '{param}': {kind} above maximum value. Expected a value <= {high:g}, "
                f"but got {value} instead.",
                param,
                f"{kind}_above_max_value",
            )
        return value

    return run


def boolean(param: str, value: Any) -> Any:
    if not isinstance(value, bool):
        raise wrong_type(param, "a boolean", value)
    return value


def choice(*allowed: str) -> Check:
    def run(param: str, value: Any) -> Any:
        if not isinstance(value, str):
            raise wrong_type(param, "a string", value)
        if value not in allowed:
            raise invalid_value(param, value, allowed)
        return value

    return run


def obj(param: str, value: Any) -> Any:
    if not isinstance(value, dict):
        raise wrong_type(param, "an object", value)
    return value


def array(item: Check, max_items: int | None = None) -> Check:
    def run(param: str, value: Any) -> Any:
        if not isinstance(value, list):
            raise wrong_type(param, "an array", value)
        if max_items is not None and len(value) > max_items:
            raise bad_request(
                f"Invalid '{param}': array too long. Expected an array with maximum length "
                f"{max_items}, but got an array with length {len(value)} instead.",
                param,
                "array_above_max_length",
            )
        return [item(f"{param}[{index}]", element) for index, element in enumerate(value)]

    return run


def fields_of(fields: dict[str, Check], required: Iterable[str] = ()) -> Check:
    """A nested object checked like a body, with dotted parameter names."""

    def run(param: str, value: Any) -> Any:
        obj(param, value)
        return check_body(value, fields, required, param)

    return run


def _at_most_keys(param: str, value: JSON) -> None:
    if len(value) > METADATA_MAX_KEYS:
        raise bad_request(
            f"Invalid '{param}': too many properties. Expected an object with at most "
            f"{METADATA_MAX_KEYS} properties, but got an object with {len(value)} properties "
            "instead.",
            param,
            "object_above_max_properties",
        )


def metadata(param: str, value: Any) -> Any:
    """Up to 16 string pairs; keys up to 64 characters, values up to 512."""
    if value is None:
        return {}
    obj(param, value)
    _at_most_keys(param, value)
    for key, item in value.items():
        if len(key) > METADATA_KEY_MAX:
            string(METADATA_KEY_MAX)(param, key)
        string(METADATA_VALUE_MAX)(f"{param}.{key}", item)
    return dict(value)


def tool(param: str, value: Any, extra: Mapping[str, str | None] = NO_EXTRA) -> Any:
    """A tool definition: code_interpreter, file_search or a named function, or one of the
    dialect's ``extra`` types (type -> the field its spec requires), stored as given."""
    obj(param, value)
    kind = choice(*TOOL_TYPES, *extra)(f"{param}.type", value.get("type"))
    if kind in extra:
        needed = extra[kind]
        if needed is not None:
            given = {key: value[key] for key in (needed,) if key in value}
            check_body(given, {needed: obj}, (needed,), param)
        return dict(value)
    if kind == "function":
        function = fields_of(
            {
                "name": string(),
                "description": string(),
                "parameters": obj,
                "strict": nullable(boolean),
            },
            required=("name",),
        )(f"{param}.function", value.get("function"))
        if not FUNCTION_NAME.match(function["name"]):
            message = f"Invalid '{param}.function.name': string does not match pattern."
            raise bad_request(message, f"{param}.function.name", "invalid_value")
        return {"type": "function", "function": function}
    if kind == "file_search":
        settings = fields_of(
            {"max_num_results": number(1, 50, integer=True), "ranking_options": obj}
        )
        checked = fields_of({"type": string(), "file_search": settings})(param, value)
        return checked
    return fields_of({"type": string()})(param, value)


def tools(max_items: int, extra: Mapping[str, str | None] = NO_EXTRA) -> Check:
    return array(lambda param, value: tool(param, value, extra), max_items)


def response_format(param: str, value: Any) -> Any:
    if value == "auto":
        return value
    obj(param, value)
    choice("text", "json_object", "json_schema")(f"{param}.type", value.get("type"))
    return value


def tool_choice(extra: Mapping[str, str | None] = NO_EXTRA) -> Check:
    """``none``, ``auto``, ``required`` or a named tool of a type the dialect has."""

    def run(param: str, value: Any) -> Any:
        if isinstance(value, str):
            return choice("none", "auto", "required")(param, value)
        obj(param, value)
        choice(*TOOL_TYPES, *extra)(f"{param}.type", value.get("type"))
        return value

    return run


truncation_strategy = fields_of(
    {"type": choice("auto", "last_messages"), "last_messages": nullable(number(1, integer=True))},
    required=("type",),
)

temperature = nullable(number(0, 2))
top_p = nullable(number(0, 1))
text = string()
optional_text = nullable(string())
reasoning_effort = nullable(choice(*REASONING_EFFORTS))


def attributes(param: str, value: Any) -> Any:
    """A vector store file's attributes: up to 16 keys of up to 64 characters; values strings
    of up to 512 characters, numbers or booleans. ``null`` clears them."""
    if value is None:
        return None
    obj(param, value)
    _at_most_keys(param, value)
    for key, item in value.items():
        string(METADATA_KEY_MAX)(param, key)
        if isinstance(item, str):
            string(METADATA_VALUE_MAX)(f"{param}.{key}", item)
        elif not isinstance(item, (int, float)):  # booleans are ints to Python
            raise wrong_type(f"{param}.{key}", "a string, number or boolean", item)
    return dict(value)
