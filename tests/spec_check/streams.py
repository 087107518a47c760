"""Streamed runs: each server-sent event's data against the schema its spec gives that event.

No spec declares text/event-stream as a response (see overrides.STREAM_DEFECT). OpenAI and
Azure describe the events as a union of {event: <name>, data: <schema>}; Foundry lists the
event names and says in each name's description "The data of this event is of type X".
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from . import overrides
from .bodies import sse_events
from .operations import Operation
from .report import schema_problems
from .spec import Spec, get_spec

JSON = Any
UNCHECKED = None  # an event whose data the spec leaves undescribed
_OF_TYPE = re.compile(r"data of this event is of type (\w+)")


def check_stream(op: Operation, where: str, data: bytes, request_json: JSON) -> list[str]:
    spec = op.spec
    allowed = overrides.STREAMED_OPERATIONS.get(spec.dialect.name, frozenset())
    if (op.method, op.template) not in allowed:
        return [f"{where}: media type 'text/event-stream' not declared for this operation"]
    problems = []
    if not (isinstance(request_json, dict) and request_json.get("stream") is True):
        problems.append(f"{where}: event stream, but the request did not ask for one")
    table = event_table(spec.dialect.name)
    text = data.decode("utf-8", errors="replace")
    for index, (name, payload) in enumerate(sse_events(text)):
        problems += _check_event(spec, table, name, payload, f"{where} event {index} ({name})")
    return problems


def _check_event(
    spec: Spec, table: dict[str, JSON], name: str | None, payload: str, where: str
) -> list[str]:
    if name not in table:
        return [f"{where}: not an event the spec declares"]
    schema = table[name]
    if schema is UNCHECKED:
        return []
    try:
        instance = json.loads(payload)
    except ValueError:
        instance = payload  # e.g. the `[DONE]` of the `done` event
    return schema_problems(spec.validator(schema, "response"), instance, f"{where} data")


@functools.cache
def event_table(dialect: str) -> dict[str, JSON]:
    """Event name -> normalised schema of its data (or UNCHECKED)."""
    spec = get_spec(dialect)
    union = spec.resolve({"$ref": spec.dialect.stream_events})
    raw = _from_descriptions(union) if spec.swagger else _from_union(spec, union)
    return {
        name: UNCHECKED if schema is UNCHECKED else spec.normalize(schema, "response")
        for name, schema in raw.items()
    }


def _from_union(spec: Spec, schema: JSON) -> dict[str, JSON]:
    schema = spec.resolve(schema)
    table: dict[str, JSON] = {}
    for branch in schema.get("oneOf", []) + schema.get("anyOf", []):
        table.update(_from_union(spec, branch))
    props = schema.get("properties", {})
    for name in props.get("event", {}).get("enum", []):
        table[name] = props.get("data", UNCHECKED)
    return table


def _from_descriptions(schema: JSON) -> dict[str, JSON]:
    table: dict[str, JSON] = {}
    for value in schema.get("x-ms-enum", {}).get("values", []):
        found = _OF_TYPE.search(value.get("description", ""))
        table[value["value"]] = {"$ref": f"#/definitions/{found[1]}"} if found else UNCHECKED
    return table
