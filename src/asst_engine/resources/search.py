"""Vector store search and a store file's parsed content, both through ``tools/retrieval``."""

from __future__ import annotations

from typing import Any

from asst_engine import validation as v
from asst_engine.engine import Engine
from asst_engine.errors import bad_request
from asst_engine.json_types import JSON
from asst_engine.resources import store_files, vector_stores
from asst_engine.tools import retrieval
from asst_engine.tools.filters import COMPARISONS, COMPOUND, MEMBERSHIP

DEFAULT_RESULTS = 10
_scalar_kinds = "a string, number or boolean"


def _value(param: str, value: Any) -> Any:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                raise v.wrong_type(f"{param}[{index}]", "a string or number", item)
        return value
    if not isinstance(value, (str, int, float)):  # booleans are ints to Python
        raise v.wrong_type(param, f"{_scalar_kinds} or an array", value)
    return value


def filters(param: str, value: Any) -> Any:
    """A comparison ``{type, key, value}`` or a compound ``{type: and|or, filters: [...]}``."""
    v.obj(param, value)
    kinds = (*COMPARISONS, *MEMBERSHIP, *COMPOUND)
    kind = v.choice(*kinds)(f"{param}.type", value.get("type"))
    if kind in COMPOUND:
        fields = {"type": v.text, "filters": v.array(filters)}
        return v.fields_of(fields, required=("type", "filters"))(param, value)
    fields = {"type": v.text, "key": v.text, "value": _value}
    checked = v.fields_of(fields, required=("type", "key", "value"))(param, value)
    if (kind in MEMBERSHIP) != isinstance(checked["value"], list):
        wanted = "an array" if kind in MEMBERSHIP else _scalar_kinds
        raise v.wrong_type(f"{param}.value", wanted, checked["value"])
    return checked


def _query(param: str, value: Any) -> Any:
    if isinstance(value, list):
        if not value:
            raise bad_request(f"Invalid '{param}': empty array.", param, "empty_array")
        return v.array(v.text)(param, value)
    return v.text(param, value)


_ranking = v.fields_of(
    {"ranker": v.choice("none", "auto", "default-2024-11-15"), "score_threshold": v.number(0, 1)}
)
_SEARCH: dict[str, v.Check] = {
    "query": _query,
    "rewrite_query": v.boolean,
    "max_num_results": v.number(1, 50, integer=True),
    "filters": filters,
    "ranking_options": _ranking,
}


def search(engine: Engine, store_id: str, body: JSON) -> JSON:
    """One page of the passages that match, best first.

    ``rewrite_query`` and ``ranking_options.ranker`` are accepted and change nothing: the query
    is used as sent (``search_query`` echoes it) and ``retrieval`` has one ranking."""
    store = store_files.usable(engine, store_id)
    fields = v.check_body(body, _SEARCH, required=("query",))
    query = fields["query"]
    threshold = fields.get("ranking_options", {}).get("score_threshold", 0.0)
    store["last_active_at"] = engine.now()  # a search is activity: the expiry moves on
    vector_stores.set_expiry(store)
    hits = retrieval.search(
        engine.store,
        engine.index,
        [store_id],
        query,
        fields.get("max_num_results", DEFAULT_RESULTS),
        fields.get("filters"),
        threshold,
    )
    return {
        "object": "vector_store.search_results.page",
        "search_query": [query] if isinstance(query, str) else query,
        "data": [_result(hit) for hit in hits],
        "has_more": False,
        "next_page": None,
    }


def _result(hit: retrieval.Hit) -> JSON:
    return {
        "file_id": hit.file_id,
        "filename": hit.filename,
        "score": hit.score,
        "attributes": hit.attributes or {},
        "content": [{"type": "text", "text": hit.text}],
    }


def content(engine: Engine, store_id: str, file_id: str) -> JSON:
    """The parsed content of a file of the store, as one page of text parts."""
    store_files.retrieve(engine, store_id, file_id)
    texts = retrieval.passages(engine.store, file_id)
    return {
        "object": "vector_store.file_content.page",
        "data": [{"type": "text", "text": text} for text in texts],
        "has_more": False,
        "next_page": None,
    }
