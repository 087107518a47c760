"""Cursor pagination shared by every list: ``limit``, ``order``, ``after``, ``before``.

Items are ordered by ``created_at`` with creation order breaking ties (the input is in creation
order and ``sorted`` is stable), then reversed for ``desc``, the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from asst_engine.errors import bad_request
from asst_engine.json_types import JSON
from asst_engine.validation import choice, number

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def page(
    items: Iterable[JSON],
    query: Mapping[str, str],
    default_limit: int = DEFAULT_LIMIT,
    max_limit: int = MAX_LIMIT,
) -> JSON:
    """One page of ``items`` as ``{object, data, first_id, last_id, has_more}``."""
    limit = parse_limit(query.get("limit"), default_limit, max_limit)
    order = choice("asc", "desc")("order", query.get("order", "desc"))
    ordered = sorted(items, key=lambda item: int(item["created_at"]))
    if order == "desc":
        ordered.reverse()
    ids = [str(item["id"]) for item in ordered]
    start, stop = 0, len(ordered)
    if "after" in query:
        start = _position(ids, query["after"], "after") + 1
    if "before" in query:
        stop = _position(ids, query["before"], "before")
    if "before" in query and "after" not in query:
        # A ``before`` page is the ``limit`` items just before the cursor, not the first ones.
        chosen = ordered[max(start, stop - limit) : stop]
        has_more = stop - limit > start
    else:
        chosen = ordered[start : min(stop, start + limit)]
        has_more = start + limit < stop
    return envelope(chosen, has_more)


def envelope(data: list[JSON], has_more: bool = False) -> JSON:
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }


def parse_limit(raw: str | None, default: int, maximum: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        message = f"Invalid 'limit': expected an integer, but got '{raw}' instead."
        raise bad_request(message, "limit", "invalid_type") from None
    return int(number(1, maximum, integer=True)("limit", value))


def _position(ids: list[str], cursor: str, param: str) -> int:
    """Where the cursor sits; an unknown cursor is an error rather than a silent empty page."""
    try:
        return ids.index(cursor)
    except ValueError:
        message = f"Invalid '{param}': no object with id '{cursor}' in this list."
        raise bad_request(message, param, "invalid_value") from None
