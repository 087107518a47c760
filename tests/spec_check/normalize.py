"""Turn OpenAPI 3.1 / 3.0 and Swagger 2.0 schemas into plain JSON Schema 2020-12.

What each spec flavour means, said in 2020-12 terms:
- `nullable` (3.0), `x-nullable` (Swagger/autorest), and OpenAI's 3.1 `nullable` (see
  overrides.NULLABLE_KEYWORD): the value may also be null.
- `readOnly` properties are not sent in requests; `writeOnly` ones are not returned.
- boolean `exclusiveMinimum`/`exclusiveMaximum` (3.0, 2.0) become the numeric form.
- Swagger `type: file` is any (binary) content.
- Swagger polymorphism (`discriminator: "prop"` on a base, subtypes `allOf` it with
  `x-ms-discriminator-value`): a reference to the base means "one of its subtypes, chosen by
  the property", and a subtype fixes the property's value.
- A `oneOf`/`anyOf` whose object branches each fix a distinct value of one property (declared
  by a 3.x `discriminator`, or implicitly by `type`) dispatches on that value, so a bad body
  gets the error of the branch it meant, not "valid under none of the given schemas".
Internal `$ref`s become absolute (`<base>#/...`) so any compiled piece resolves in the registry.
"""

from __future__ import annotations

from typing import Any, Literal

from . import overrides

JSON = Any
Mode = Literal["request", "response"]

_SUBSCHEMA = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "additionalItems",
    "unevaluatedProperties",
    "unevaluatedItems",
)
_SCHEMA_MAPS = ("patternProperties", "dependentSchemas", "$defs")
_SCHEMA_LISTS = ("anyOf", "oneOf", "prefixItems")
_DROPPED = frozenset(
    {"nullable", "readOnly", "writeOnly", "discriminator", "example", "examples", "xml"}
    | {"externalDocs", "exclusiveMinimum", "exclusiveMaximum", "minimum", "maximum"}
)
_NON_OBJECT = frozenset({"string", "number", "integer", "boolean", "array", "null"})
POLY = "x-asst-polymorphic"
HIDDEN = {"not": {}, "$comment": "hidden"}  # readOnly in a request, writeOnly in a response


class Normalizer:
    def __init__(self, raw: JSON, dialect: str, base: str, mode: Mode) -> None:
        self.raw = raw
        self.base = base
        self.mode = mode
        self.swagger = str(raw.get("swagger", "")).startswith("2")
        self.nullable = overrides.NULLABLE_KEYWORD[dialect]
        self.lift_bare_nullable = dialect in overrides.LIFT_BARE_NULLABLE
        self.saw_read_write = False
        self.bases = _polymorphic_bases(raw) if self.swagger else {}
        self.subtypes = {
            sub: (base_name, value)
            for base_name, (_, subs) in self.bases.items()
            for value, sub in subs.items()
        }

    # -- documents ---------------------------------------------------------------------------

    def document(self) -> JSON:
        if self.swagger:
            defs = {name: self.definition(name, s) for name, s in self.raw["definitions"].items()}
            poly = {name: self._dispatch_base(name) for name in self.bases}
            return {"definitions": defs, POLY: poly}
        schemas = self.raw.get("components", {}).get("schemas", {})
        return {"components": {"schemas": {name: self.schema(s) for name, s in schemas.items()}}}

    def definition(self, name: str, schema: JSON) -> JSON:
        out = self.schema(schema)
        if name in self.subtypes:  # a Swagger subtype fixes its discriminator value
            base_name, value = self.subtypes[name]
            prop = self.bases[base_name][0]
            out = {"allOf": [out, {"properties": {prop: {"const": value}}}]}
        return out

    # -- schemas -----------------------------------------------------------------------------

    def schema(self, s: JSON, *, inherits: bool = False) -> JSON:
        if not isinstance(s, dict):
            return s
        out: dict[str, JSON] = {}
        for key, value in s.items():
            if key in _DROPPED or key.startswith("x-"):
                continue
            out[key] = self._keyword(key, value, s, inherits)
        if s.get("type") == "file":
            del out["type"]
        out.update(_bounds(s))
        if "required" in s and "properties" in s:
            out["required"] = [n for n in s["required"] if not self._hidden(s["properties"].get(n))]
        nullable = s.get(self.nullable) is True
        if "allOf" in s and self.lift_bare_nullable and any(map(_bare_nullable, s["allOf"])):
            out["allOf"] = [m for m in out["allOf"] if not _bare_nullable(m)]
            nullable = True
        for keyword in ("oneOf", "anyOf"):
            if keyword in s:
                dispatch = self._dispatch_union(keyword, s[keyword], s.get("discriminator"))
                if dispatch is not None:
                    del out[keyword]
                    out.setdefault("allOf", []).append(dispatch)
        return _or_null(out) if nullable else out

    def _keyword(self, key: str, value: JSON, s: JSON, inherits: bool) -> JSON:
        if key == "$ref":
            return self.ref(value, inherits=inherits)
        if key in _SUBSCHEMA:
            return self.schema(value) if isinstance(value, dict) else value
        if key == "properties":
            return {name: self._property(sub) for name, sub in value.items()}
        if key == "allOf":
            return [self.schema(m, inherits=self.swagger) for m in value]
        if key in _SCHEMA_MAPS:
            return {name: self.schema(sub) for name, sub in value.items()}
        if key in _SCHEMA_LISTS:
            return [self.schema(m) for m in value]
        return value

    def _property(self, sub: JSON) -> JSON:
        return HIDDEN if self._hidden(sub) else self.schema(sub)

    def _hidden(self, sub: JSON) -> bool:
        """A property that must not appear in this direction (readOnly in a request...)."""
        if not isinstance(sub, dict):
            return False
        flag = "readOnly" if self.mode == "request" else "writeOnly"
        if sub.get("readOnly") or sub.get("writeOnly"):
            self.saw_read_write = True
        return sub.get(flag) is True

    def ref(self, ref: str, *, inherits: bool = False) -> str:
        if not ref.startswith("#/"):
            raise ValueError(f"external $ref in a schema: {ref}")
        name = ref.rsplit("/", 1)[-1]
        if ref.startswith("#/definitions/") and name in self.bases and not inherits:
            return f"{self.base}#/{POLY}/{name}"
        return self.base + ref

    # -- polymorphism ------------------------------------------------------------------------

    def _dispatch_base(self, name: str) -> JSON:
        prop, subs = self.bases[name]
        return {
            "type": "object",
            "required": [prop],
            "properties": {prop: {"enum": list(subs)}},
            "allOf": [
                {
                    "if": {"properties": {prop: {"const": value}}},
                    "then": {"$ref": f"{self.base}#/definitions/{sub}"},
                }
                for value, sub in subs.items()
            ],
        }

    def _dispatch_union(self, keyword: str, branches: JSON, discriminator: JSON) -> JSON:
        prop = discriminator.get("propertyName") if isinstance(discriminator, dict) else None
        mapping = discriminator.get("mapping", {}) if isinstance(discriminator, dict) else {}
        table = _branch_values(self, branches, prop or "type", mapping)
        if table is None:
            return None
        values = [v for vs, _ in table for v in vs]
        cases = [
            {"if": {"properties": {prop or "type": {"enum": vs}}}, "then": self.schema(branch)}
            for vs, branch in table
        ]
        return {
            "if": {"type": "object", "required": [prop or "type"]},
            "then": {"properties": {prop or "type": {"enum": values}}, "allOf": cases},
            "else": {keyword: [self.schema(b) for b in branches]},
        }

    def resolve(self, s: JSON) -> JSON:
        for _ in range(20):
            if not (isinstance(s, dict) and isinstance(s.get("$ref"), str)):
                return s
            s = pointer(self.raw, s["$ref"][1:])
        return s


def _branch_values(
    norm: Normalizer, branches: JSON, prop: str, mapping: dict[str, str]
) -> list[tuple[list[JSON], JSON]] | None:
    """Pair each object branch with the values of `prop` it accepts; None if not a dispatch."""
    by_ref: dict[str, list[str]] = {}
    for value, ref in mapping.items():
        by_ref.setdefault(ref, []).append(value)
    table: list[tuple[list[JSON], JSON]] = []
    for branch in branches:
        resolved = norm.resolve(branch)
        values = by_ref.get(branch.get("$ref", "")) or _fixed_values(norm, resolved, prop)
        if values:
            table.append((values, branch))
        elif not _excludes_objects(resolved):
            return None
    flat = [v for vs, _ in table for v in vs]
    return table if len(table) >= 2 and len(flat) == len(set(map(repr, flat))) else None


def _fixed_values(norm: Normalizer, schema: JSON, prop: str) -> list[JSON]:
    if not isinstance(schema, dict):
        return []
    if "x-ms-discriminator-value" in schema:
        return [schema["x-ms-discriminator-value"]]
    sub = norm.resolve(schema.get("properties", {}).get(prop))
    if isinstance(sub, dict) and "const" in sub:
        return [sub["const"]]
    if isinstance(sub, dict) and isinstance(sub.get("enum"), list) and sub["enum"]:
        return list(sub["enum"])
    for member in schema.get("allOf", []):
        values = _fixed_values(norm, norm.resolve(member), prop)
        if values:
            return values
    return []


def _excludes_objects(schema: JSON) -> bool:
    kind = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(kind, str):
        return kind in _NON_OBJECT
    return isinstance(kind, list) and "object" not in kind


def _polymorphic_bases(raw: JSON) -> dict[str, tuple[str, dict[str, str]]]:
    """Swagger bases with a discriminator: name -> (property, {value: subtype name})."""
    defs = raw.get("definitions", {})
    bases: dict[str, tuple[str, dict[str, str]]] = {}
    for name, schema in defs.items():
        if isinstance(schema.get("discriminator"), str):
            bases[name] = (schema["discriminator"], {})
    for name, schema in defs.items():
        for member in schema.get("allOf", []):
            base = member.get("$ref", "").rsplit("/", 1)[-1]
            if base in bases:
                bases[base][1][schema.get("x-ms-discriminator-value", name)] = name
    return bases


def _bounds(s: JSON) -> dict[str, JSON]:
    """minimum/maximum, with 3.0/2.0 boolean exclusiveMinimum/Maximum made numeric."""
    out: dict[str, JSON] = {}
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        flag = s.get(exclusive)
        if isinstance(flag, bool) or flag is None:
            if bound in s:
                out[exclusive if flag else bound] = s[bound]
        else:
            out[exclusive] = flag
            if bound in s:
                out[bound] = s[bound]
    return out


def _bare_nullable(member: JSON) -> bool:
    return (
        isinstance(member, dict)
        and member.get("nullable") is True
        and set(member) <= {"nullable", "description", "title"}
    )


def _or_null(schema: dict[str, JSON]) -> JSON:
    kind = schema.get("type")
    composite = {"$ref", "allOf", "anyOf", "oneOf", "not", "if"} & set(schema)
    if isinstance(kind, str) and not composite:
        out = dict(schema, type=[kind, "null"])
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    if isinstance(kind, list) and not composite:
        return dict(schema, type=[*kind, "null"]) if "null" not in kind else schema
    return {"anyOf": [schema, {"type": "null"}]}


def pointer(doc: JSON, path: str) -> JSON:
    """Resolve a JSON pointer ("/a/b~1c") in doc."""
    node = doc
    for part in path.lstrip("/").split("/") if path.strip("/") else []:
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node
