"""Check one recorded HTTP exchange against the spec of the dialect its URL speaks."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from . import overrides
from .bodies import Body, Headers, as_bytes, decode, form_parts, header, is_json, media_type
from .dialects import Dialect, split_url
from .operations import BINARY, Form, Operation, find_operation, path_methods
from .report import schema_problems
from .spec import Spec, get_spec
from .streams import check_stream

JSON = Any
_NO_JSON = object()


def check_interaction(
    method: str,
    url: str,
    request_headers: Headers | None,
    request_body: Body,
    status: int,
    response_headers: Headers | None,
    response_body: Body,
) -> list[str]:
    """Problems of one request/response pair against its dialect's spec; empty when valid."""
    method = method.lower()
    dialect, path, query = split_url(url)
    if dialect is None:
        return [
            f"{path}: no dialect serves this path (/v1/..., /openai/..., /api/projects/<p>/...)"
        ]
    spec = get_spec(dialect.name)
    op = find_operation(spec, method, path)
    if op is None:
        return [_unknown_operation(spec, method, path)]
    problems = check_query(dialect, spec, op, query)
    request_problems, request_json = check_request(op, request_headers, as_bytes(request_body))
    problems += request_problems
    problems += check_response(spec, op, status, response_headers, response_body, request_json)
    return problems


def _unknown_operation(spec: Spec, method: str, path: str) -> str:
    methods = path_methods(spec, path)
    where = f"{spec.dialect.name}: {method.upper()} {path}"
    if methods:
        return f"{where}: method not in the spec (it declares {', '.join(methods)} here)"
    return f"{where}: no path of the spec matches"


# -- query -----------------------------------------------------------------------------------


def check_query(dialect: Dialect, spec: Spec, op: Operation, query: str) -> list[str]:
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        values.setdefault(name, []).append(value)
    problems = [f"query: parameter {n!r} is not declared" for n in values if n not in op.query]
    for name, param in op.query.items():
        if name not in values:
            if param.required:
                problems.append(f"query: required parameter {name!r} is missing")
            continue
        instance = _coerce(values[name], param.schema, op.spec.swagger)
        validator = op.spec.validator(param.schema, "request")
        problems += schema_problems(validator, instance, f"query {name}")
    version = values.get("api-version")
    if dialect.api_version and version and version != [spec.version]:
        problems.append(f"query: api-version {version[-1]!r} is not this spec's {spec.version!r}")
    return problems


def _coerce(values: list[str], schema: JSON, csv: bool) -> JSON:
    kinds = _types(schema)
    if "array" in kinds:
        items = schema.get("items", {}) if isinstance(schema, dict) else {}
        split = [x for v in values for x in (v.split(",") if csv else [v])]
        return [_scalar(v, _types(items)) for v in split]
    return _scalar(values[-1], kinds)


def _types(schema: JSON) -> set[str]:
    if not isinstance(schema, dict):
        return set()
    kind = schema.get("type")
    kinds = {kind} if isinstance(kind, str) else set(kind or [])
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
        kinds |= _types(branch)
    return kinds


def _scalar(value: str, kinds: set[str]) -> JSON:
    if "integer" in kinds and re.fullmatch(r"-?\d+", value):
        return int(value)
    if "number" in kinds and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", value):
        return float(value)
    if "boolean" in kinds and value in ("true", "false"):
        return value == "true"
    return value


# -- request ---------------------------------------------------------------------------------


def check_request(op: Operation, headers: Headers | None, data: bytes) -> tuple[list[str], JSON]:
    """Problems of the request body, and the body parsed as JSON (None if it is not JSON)."""
    if op.request is None:
        return ([f"request body: none declared, got {len(data)} bytes"] if data else []), None
    if not data:
        return (["request body: required, but empty"] if op.body_required else []), None
    content_type = header(headers, "content-type") or ""
    media = media_type(content_type)
    if media not in op.request:
        declared = ", ".join(op.request)
        return [f"request body: media type {media or '(none)'!r} not declared ({declared})"], None
    schema = op.request[media]
    if isinstance(schema, Form):
        return check_form(op, schema, content_type, data), None
    if not is_json(media):
        return [], None
    parsed = _parse_json(data)
    if parsed is _NO_JSON:
        return ["request body: not valid JSON"], None
    return schema_problems(op.spec.validator(schema, "request"), parsed, "request body"), parsed


def check_form(op: Operation, form: Form, content_type: str, data: bytes) -> list[str]:
    try:
        parts = form_parts(content_type, data)
    except ValueError as error:
        return [f"request body: {error}"]
    names = {name.split("[", 1)[0] for name, _, _ in parts}
    problems = [f"request form: field {n!r} is not declared" for n in sorted(names - form.fields)]
    problems += [
        f"request form: required field {n!r} is missing" for n in sorted(form.required - names)
    ]
    for name, _, text in parts:
        schema = form.text_schemas.get(name)
        if schema is not None and text is not None:
            validator = op.spec.validator(schema, "request")
            problems += schema_problems(validator, text, f"request form {name}")
    return problems


def _parse_json(data: bytes) -> JSON:
    try:
        return json.loads(data)
    except ValueError:
        return _NO_JSON


# -- response --------------------------------------------------------------------------------


def check_response(
    spec: Spec,
    op: Operation,
    status: int,
    headers: Headers | None,
    body: Body,
    request_json: JSON,
) -> list[str]:
    where = f"response {status}"
    try:
        data = decode(as_bytes(body), header(headers, "content-encoding"))
    except (ValueError, OSError) as error:
        return [f"{where}: {error}"]
    media = media_type(header(headers, "content-type"))
    if 200 <= status < 300 and (op.spec.dialect.name, op.method, op.template) in (
        overrides.ANY_MEDIA_RESPONSES
    ):
        return []
    if media == "text/event-stream":
        return check_stream(op, where, data, request_json)
    declared = _declared(op, status)
    if status >= 400 and (declared is None or media not in declared) and is_json(media):
        return _check_json(spec, spec.named(spec.dialect.error_envelope, "response"), data, where)
    if declared is None:
        return [f"{where}: status not declared (declared: {', '.join(op.responses)})"]
    if not data:
        return (
            [f"{where}: empty body, but the spec declares {', '.join(declared)}"]
            if declared
            else []
        )
    if media not in declared:
        return [f"{where}: media type {media or '(none)'!r} not declared ({', '.join(declared)})"]
    schema = declared[media]
    if schema is BINARY or not is_json(media):
        return []
    return _check_json(op.spec, schema, data, where)


def _declared(op: Operation, status: int) -> dict[str, JSON] | None:
    for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
        if key in op.responses:
            return op.responses[key]
    return None


def _check_json(spec: Spec, schema: JSON, data: bytes, where: str) -> list[str]:
    parsed = _parse_json(data)
    if parsed is _NO_JSON:
        return [f"{where}: body is not valid JSON"]
    return schema_problems(spec.validator(schema, "response"), parsed, f"{where} body")
