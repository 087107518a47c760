"""Cursor pagination shared by every list: ``limit``, ``order``, ``after``, ``before``.

``parse`` checks the query into a ``PageRequest``; ``select`` cuts one page out of objects in
storage order (the in-memory store's way; a SQL store does the same with ORDER BY and LIMIT);
``envelope`` is the list body every dialect starts from.
"""

from __future__ import annotations

from collections.abc import Mapping

from asst_engine.errors import EngineError, bad_request
from asst_engine.json_types import JSON
from asst_engine.store.base import Order, Page, PageRequest
from asst_engine.validation import choice, number

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def parse(
    query: Mapping[str, str], default_limit: int = DEFAULT_LIMIT, max_limit: int = MAX_LIMIT
) -> PageRequest:
    limit = parse_limit(query.get("limit"), default_limit, max_limit)
    order: Order = (
        "asc" if choice("asc", "desc")("order", query.get("order", "desc")) == "asc" else "desc"
    )
    return PageRequest(limit, order, query.get("after"), query.get("before"))


def select(stored: list[JSON], request: PageRequest) -> Page:
    """The page ``request`` asks for; ties in ``created_at`` keep storage order (stable sort)."""
    ordered = sorted(stored, key=lambda item: int(item["created_at"]))
    if request.order == "desc":
        ordered.reverse()
    ids = [str(item["id"]) for item in ordered]
    limit = request.limit
    start, stop = 0, len(ordered)
    if request.after is not None:
        start = _position(ids, request.after, "after") + 1
    if request.before is not None:
        stop = _position(ids, request.before, "before")
    if request.before is not None and request.after is None:
        # A ``before`` page is the ``limit`` items just before the cursor, not the first ones.
        return Page(ordered[max(start, stop - limit) : stop], stop - limit > start)
    return Page(ordered[start : min(stop, start + limit)], start + limit < stop)


def envelope(page: Page) -> JSON:
    data = page.data
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": page.has_more,
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
        raise unknown_cursor(param, cursor) from None


def unknown_cursor(param: str, cursor: str) -> EngineError:
    """The 400 for an ``after``/``before`` that names no object of the list."""
    message = f"Invalid '{param}': no object with id '{cursor}' in this list."
    return bad_request(message, param, "invalid_value")
