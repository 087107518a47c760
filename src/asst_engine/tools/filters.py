"""Attribute filters of a file search: comparisons (eq, ne, gt, gte, lt, lte, in, nin) on one
attribute, combined with ``and`` / ``or`` (the OpenAI spec's ComparisonFilter, CompoundFilter).

An attribute the file lacks matches no comparison, as a NULL in SQL. Values compare only with
values of their own kind: numbers with numbers, strings with strings (so ISO dates order),
booleans with booleans (never with 0 and 1).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from asst_engine.json_types import JSON

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
MEMBERSHIP = ("in", "nin")
COMPOUND = ("and", "or")


def matches(filters: JSON, attributes: JSON) -> bool:
    """Whether a file's ``attributes`` pass an already-validated filter."""
    kind = filters["type"]
    if kind in COMPOUND:
        results = (matches(inner, attributes) for inner in filters["filters"])
        return all(results) if kind == "and" else any(results)
    if filters["key"] not in attributes:
        return False
    actual = attributes[filters["key"]]
    expected = filters["value"]
    if kind in MEMBERSHIP:
        found = any(_kind(actual) == _kind(item) and actual == item for item in expected)
        return found if kind == "in" else not found
    return _kind(actual) == _kind(expected) and COMPARISONS[kind](actual, expected)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return "number" if isinstance(value, (int, float)) else type(value).__name__
