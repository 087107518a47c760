"""Find the operation a request calls, and read what its spec declares, in one shape for
OpenAPI 3.x and Swagger 2.0."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

from . import overrides
from .spec import Spec, get_spec

JSON = Any
BINARY = None  # a declared media type whose body is not JSON (file bytes)
_PARAM_KEYS = ("type", "enum", "format", "items", "minimum", "maximum", "minLength", "maxLength")
_PARAM_KEYS_MORE = ("pattern", "exclusiveMinimum", "exclusiveMaximum", "default", "x-nullable")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True)
class Param:
    name: str
    required: bool
    schema: JSON  # normalised, request direction


@dataclass(frozen=True)
class Form:
    """A multipart/form-data body: its fields, and the schemas of the text ones."""

    fields: frozenset[str]
    required: frozenset[str]
    text_schemas: dict[str, JSON]  # normalised; only fields sent as plain text values


@dataclass(frozen=True)
class Operation:
    spec: Spec  # the spec that describes it (another dialect's, when borrowed)
    method: str
    template: str
    query: dict[str, Param]
    body_required: bool
    request: dict[str, JSON | Form] | None  # media type -> schema; None: no body declared
    responses: dict[str, dict[str, JSON]]  # status key -> media type -> schema or BINARY
    borrowed: str | None = None  # the defect that made us borrow it


def find_operation(spec: Spec, method: str, path: str) -> Operation | None:
    """The operation of `spec` for this method and concrete path, or a borrowed one."""
    template = match_template(spec, path, method)
    if template is not None:
        return build_operation(spec.dialect.name, method, template)
    for borrowed in overrides.BORROWED:
        if borrowed.dialect != spec.dialect.name:
            continue
        source = get_spec(borrowed.source)
        template = match_template(source, path, method)
        if template is not None and (method, template) in borrowed.operations:
            op = build_operation(borrowed.source, method, template)
            api_version = Param("api-version", True, {"type": "string"})
            return replace(
                op, borrowed=borrowed.defect, query={**op.query, "api-version": api_version}
            )
    return None


def match_template(spec: Spec, path: str, method: str) -> str | None:
    """The most literal path template of the spec that matches the path and has the method."""
    parts = path.strip("/").split("/")
    best: tuple[int, str] | None = None
    for template, item in spec.raw["paths"].items():
        if method not in item:
            continue
        segments = template.strip("/").split("/")
        if len(segments) != len(parts):
            continue
        if all(
            s == p or (s.startswith("{") and s.endswith("}"))
            for s, p in zip(segments, parts, strict=True)
        ):
            literal = sum(not s.startswith("{") for s in segments)
            if best is None or literal > best[0]:
                best = (literal, template)
    return best[1] if best else None


def path_methods(spec: Spec, path: str) -> list[str]:
    """Methods the spec declares for any template matching the path (for error messages)."""
    return sorted(m for m in _METHODS if match_template(spec, path, m))


@functools.cache
def build_operation(dialect: str, method: str, template: str) -> Operation:
    spec = get_spec(dialect)
    item = spec.raw["paths"][template]
    op = item[method]
    params = _parameters(spec, item, op)
    query = {p["name"]: _param(spec, p) for p in params if p.get("in") == "query"}
    if spec.swagger:
        request, required = _swagger_request(spec, op, params)
    else:
        request, required = _openapi_request(spec, op)
    return Operation(spec, method, template, query, required, request, _responses(spec, op))


def _parameters(spec: Spec, item: JSON, op: JSON) -> list[JSON]:
    merged: dict[tuple[str, str], JSON] = {}
    for raw in [*item.get("parameters", []), *op.get("parameters", [])]:
        param = spec.resolve(raw)
        merged[(param["name"], param.get("in", ""))] = param
    return list(merged.values())


def _param(spec: Spec, param: JSON) -> Param:
    if "schema" in param:
        schema = param["schema"]
    else:  # Swagger 2.0: the parameter is its own schema
        schema = {k: param[k] for k in (*_PARAM_KEYS, *_PARAM_KEYS_MORE) if k in param}
    return Param(param["name"], bool(param.get("required")), spec.normalize(schema, "request"))


def _openapi_request(spec: Spec, op: JSON) -> tuple[dict[str, JSON | Form] | None, bool]:
    if "requestBody" not in op:
        return None, False
    body = spec.resolve(op["requestBody"])
    request: dict[str, JSON | Form] = {}
    for media, content in body.get("content", {}).items():
        schema = content.get("schema", {})
        if media.startswith("multipart/"):
            resolved = spec.resolve(schema)
            props = {k: spec.resolve(v) for k, v in resolved.get("properties", {}).items()}
            request[media] = _form(spec, props, resolved.get("required", []))
        else:
            request[media] = spec.normalize(schema, "request")
    return request, bool(body.get("required"))


def _swagger_request(
    spec: Spec, op: JSON, params: list[JSON]
) -> tuple[dict[str, JSON | Form] | None, bool]:
    consumes = op.get("consumes", spec.raw.get("consumes", ["application/json"]))
    body = [p for p in params if p.get("in") == "body"]
    if body:
        schema = spec.normalize(body[0].get("schema", {}), "request")
        return dict.fromkeys(consumes, schema), bool(body[0].get("required"))
    form = [p for p in params if p.get("in") == "formData"]
    if form:
        props = {p["name"]: p for p in form}
        required = [p["name"] for p in form if p.get("required")]
        return dict.fromkeys(consumes, _form(spec, props, required)), True
    return None, False


def _form(spec: Spec, props: dict[str, JSON], required: list[str]) -> Form:
    """Form fields; `format: binary` (3.x) and `type: file` (2.0) fields carry file parts."""
    text = {
        name: spec.normalize(_param_schema(p), "request")
        for name, p in props.items()
        if p.get("type") == "string" and p.get("format") != "binary"
    }
    return Form(frozenset(props), frozenset(required), text)


def _param_schema(param: JSON) -> JSON:
    return {k: v for k, v in param.items() if k not in ("name", "in", "required")}


def _responses(spec: Spec, op: JSON) -> dict[str, dict[str, JSON]]:
    out: dict[str, dict[str, JSON]] = {}
    produces = op.get("produces", spec.raw.get("produces", ["application/json"]))
    for status, raw in op.get("responses", {}).items():
        response = spec.resolve(raw)
        if spec.swagger:
            schema = response.get("schema")
            if schema is None:
                out[str(status)] = {}
            elif schema.get("type") == "file":
                out[str(status)] = dict.fromkeys(produces, BINARY)
            else:
                out[str(status)] = dict.fromkeys(produces, spec.normalize(schema, "response"))
            continue
        content = response.get("content", {})
        out[str(status)] = {
            media: spec.normalize(c["schema"], "response") if "schema" in c else BINARY
            for media, c in content.items()
        }
    return out
