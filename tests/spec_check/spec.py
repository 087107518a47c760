"""Load a dialect's spec once per session: parse, apply overrides, normalise, compile."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from . import overrides
from .dialects import DIALECTS, Dialect
from .normalize import Mode, Normalizer, pointer

JSON = Any
# pytest's cache folder (git ignores it; `pytest --cache-clear` empties it).
CACHE_DIR = Path(__file__).resolve().parents[2] / ".pytest_cache" / "spec_check"
MODES: tuple[Mode, Mode] = ("request", "response")


class _SpecLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML loader that keeps dates as strings, as JSON would."""


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Spec:
    """One dialect's spec: the raw document plus a schema registry per direction."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.raw = load_raw(dialect)
        apply_overrides(dialect.name, self.raw)
        self.swagger = str(self.raw.get("swagger", "")).startswith("2")
        self.version = str(self.raw.get("info", {}).get("version", ""))
        self.normalizers: dict[Mode, Normalizer] = {}
        self.registries: dict[Mode, Registry[JSON]] = {}
        for mode in MODES:
            self._build(mode)
        self._validators: dict[tuple[int, Mode], Draft202012Validator] = {}
        self._keep: list[JSON] = []
        self._named: dict[str, JSON] = {}

    def _build(self, mode: Mode) -> None:
        if mode == "response" and not self.normalizers["request"].saw_read_write:
            self.normalizers[mode] = self.normalizers["request"]
            self.registries[mode] = self.registries["request"]
            return
        uri = f"urn:asst:{self.dialect.name}:{mode}"
        norm = Normalizer(self.raw, self.dialect.name, uri, mode)
        resource = Resource.from_contents(norm.document(), default_specification=DRAFT202012)
        self.normalizers[mode] = norm
        self.registries[mode] = Registry().with_resource(uri, resource)

    def normalize(self, schema: JSON, mode: Mode) -> JSON:
        return self.normalizers[mode].schema(schema)

    def resolve(self, node: JSON) -> JSON:
        """Follow `$ref`s to parameters, responses, request bodies or schemas of the raw spec."""
        return self.normalizers["request"].resolve(node)

    def validator(self, schema: JSON, mode: Mode) -> Draft202012Validator:
        """A compiled validator for an already-normalised schema (cached by identity)."""
        key = (id(schema), mode)
        if key not in self._validators:
            self._keep.append(schema)  # keep the id stable
            self._validators[key] = Draft202012Validator(schema, registry=self.registries[mode])
        return self._validators[key]

    def named(self, ref: str, mode: Mode) -> JSON:
        """A normalised reference to a schema of this spec, e.g. '#/definitions/Agent'."""
        key = f"{mode} {ref}"
        if key not in self._named:
            self._named[key] = {"$ref": self.normalizers[mode].ref(ref)}
        return self._named[key]


@functools.cache
def get_spec(name: str) -> Spec:
    return Spec(DIALECTS[name])


def load_raw(dialect: Dialect) -> JSON:
    data = dialect.spec_path.read_bytes()
    if dialect.spec_file.endswith(".json"):
        return json.loads(data)
    return _parsed_yaml(data)


def _parsed_yaml(data: bytes) -> JSON:
    """A YAML spec, parsed once per checkout: kept as JSON (read ~20x faster) by its content's
    hash, for the next process (each xdist worker, each Python of CI). Kept only when JSON
    holds it exactly (string keys, no dates)."""
    cached = CACHE_DIR / f"{hashlib.sha256(data).hexdigest()}.json"
    with contextlib.suppress(OSError, ValueError):
        return json.loads(cached.read_bytes())
    raw = yaml.load(data, Loader=_SpecLoader)  # a safe loader
    text = json.dumps(raw)
    if json.loads(text) == raw:
        with contextlib.suppress(OSError):
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            partial = cached.with_name(f"{cached.name}.{os.getpid()}")
            partial.write_text(text, encoding="utf-8")
            partial.replace(cached)  # whole or not at all, for a worker reading it meanwhile
    return raw


def apply_overrides(dialect: str, raw: JSON) -> None:
    for patch in overrides.PATCHES:
        if patch.dialect != dialect:
            continue
        parent_path, _, key = patch.pointer.rpartition("/")
        parent = pointer(raw, parent_path)
        if patch.drop_required is not None:
            required = parent[key]["required"]
            if patch.drop_required not in required:
                raise ValueError(f"stale override {patch.pointer}: {patch.defect}")
            required.remove(patch.drop_required)
        else:
            if parent[key] not in ({}, None) and parent[key] != patch.was:
                raise ValueError(f"stale override {patch.pointer}: {patch.defect}")
            parent[key] = patch.replace
    if dialect == "foundry":
        _patch_foundry_list_envelopes(raw)


def _patch_foundry_list_envelopes(raw: JSON) -> None:
    for item in raw.get("paths", {}).values():
        schema = item.get("get", {}).get("responses", {}).get("200", {}).get("schema", {})
        props = schema.get("properties", {})
        if set(props) == {"data", "last_id", "has_more"}:
            props.update(overrides.FOUNDRY_LIST_ENVELOPE_EXTRA)
            schema["required"] = [*schema.get("required", []), "object"]
