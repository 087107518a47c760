"""Vector store search, a store file's parsed content and its attributes, through ``dispatch``.

Only OpenAI's spec has these operations; every exchange in that dialect is spec-checked. The
other dialects serve them too (as the routing table does for every path), unchecked.
"""

from __future__ import annotations

from typing import Any

import pytest
from engine_sessions import Session, error, unknown

CAPITALS = b"The capital of France is Paris.\nIt is on the Seine.\n\nBerlin is in Germany.\n"
RIVERS = b"The Seine flows through Paris.\n"


def stocked(s: Session) -> tuple[Any, Any, Any]:
    """A store holding two files with attributes: (store, capitals, rivers)."""
    capitals, rivers = s.upload("capitals.txt", CAPITALS), s.upload("rivers.md", RIVERS)
    store = s.call("POST", "/vector_stores", {"name": "geo"})
    files = f"/vector_stores/{store['id']}/files"
    attrs = {"topic": "cities", "year": 2020, "public": True}
    s.call("POST", files, {"file_id": capitals["id"], "attributes": attrs})
    rivers_attrs = {"topic": "rivers", "year": 2024, "public": False}
    s.call("POST", files, {"file_id": rivers["id"], "attributes": rivers_attrs})
    return store, capitals, rivers


def found(s: Session, store: Any, body: Any) -> list[tuple[str, float, str]]:
    page = s.call("POST", f"/vector_stores/{store['id']}/search", body)
    return [(item["filename"], item["score"], item["content"][0]["text"]) for item in page["data"]]


def test_search_ranks_chunks_by_bm25() -> None:
    """Small files are one chunk each; BM25 favours the shorter one holding both terms, and
    scores run relative to the best chunk of the search."""
    s = Session("openai")
    store, capitals, rivers = stocked(s)
    page = s.call("POST", f"/vector_stores/{store['id']}/search", {"query": "Paris Seine"})
    assert page == {
        "object": "vector_store.search_results.page",
        "search_query": ["Paris Seine"],
        "data": [
            {
                "file_id": rivers["id"],
                "filename": "rivers.md",
                "score": 1.0,
                "attributes": {"topic": "rivers", "year": 2024, "public": False},
                "content": [{"type": "text", "text": "The Seine flows through Paris."}],
            },
            {
                "file_id": capitals["id"],
                "filename": "capitals.txt",
                "score": page["data"][1]["score"],
                "attributes": {"topic": "cities", "year": 2020, "public": True},
                "content": [
                    {
                        "type": "text",
                        "text": "The capital of France is Paris.\nIt is on the Seine.\n\n"
                        "Berlin is in Germany.",
                    }
                ],
            },
        ],
        "has_more": False,
        "next_page": None,
    }
    assert 0 < page["data"][1]["score"] < 1
    assert [hit[:2] for hit in found(s, store, {"query": ["germany", "nowhere"]})] == [
        ("capitals.txt", 1.0)
    ]
    assert [hit[0] for hit in found(s, store, {"query": "Paris", "max_num_results": 1})] == [
        "rivers.md"
    ]
    threshold = {"ranking_options": {"ranker": "none", "score_threshold": 1.0}}
    assert [hit[0] for hit in found(s, store, {"query": "Paris Seine", **threshold})] == [
        "rivers.md"
    ]
    assert found(s, store, {"query": "?!"}) == []
    assert found(s, store, {"query": "volcano"}) == []
    assert s.problems == []


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"type": "eq", "key": "topic", "value": "rivers"}, ["rivers.md"]),
        ({"type": "ne", "key": "topic", "value": "rivers"}, ["capitals.txt"]),
        ({"type": "gt", "key": "year", "value": 2020}, ["rivers.md"]),
        ({"type": "gte", "key": "year", "value": 2020}, ["capitals.txt", "rivers.md"]),
        ({"type": "lt", "key": "year", "value": 2024}, ["capitals.txt"]),
        ({"type": "lte", "key": "year", "value": 2019}, []),
        ({"type": "eq", "key": "public", "value": True}, ["capitals.txt"]),
        ({"type": "eq", "key": "year", "value": True}, []),  # a boolean never equals a number
        ({"type": "gt", "key": "topic", "value": 1}, []),  # nor does a string order with one
        ({"type": "in", "key": "topic", "value": ["rivers", "lakes"]}, ["rivers.md"]),
        ({"type": "nin", "key": "topic", "value": ["rivers"]}, ["capitals.txt"]),
        ({"type": "eq", "key": "missing", "value": "x"}, []),
        ({"type": "ne", "key": "missing", "value": "x"}, []),  # a missing attribute: no match
        (
            {
                "type": "or",
                "filters": [
                    {"type": "eq", "key": "topic", "value": "cities"},
                    {
                        "type": "and",
                        "filters": [
                            {"type": "gte", "key": "year", "value": 2024},
                            {"type": "eq", "key": "public", "value": True},
                        ],
                    },
                ],
            },
            ["capitals.txt"],
        ),
        ({"type": "and", "filters": []}, ["capitals.txt", "rivers.md"]),
    ],
)
def test_search_filters_on_attributes(filters: Any, names: list[str]) -> None:
    s = Session("openai")
    store, _, _ = stocked(s)
    hits = found(s, store, {"query": "Paris", "filters": filters})
    assert sorted(name for name, _, _ in hits) == names
    assert s.problems == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, error("Missing required parameter: 'query'.", "query", "missing_required_parameter")),
        ({"query": []}, error("Invalid 'query': empty array.", "query", "empty_array")),
        (
            {"query": "x", "max_num_results": 51},
            error(
                "Invalid 'max_num_results': integer above maximum value. Expected a value <= 50, "
                "but got 51 instead.",
                "max_num_results",
                "integer_above_max_value",
            ),
        ),
        (
            {"query": "x", "filters": {"type": "like", "key": "a", "value": "b"}},
            error(
                "Invalid value: 'like'. Supported values are: 'eq', 'ne', 'gt', 'gte', 'lt', "
                "'lte', 'in', 'nin', 'and', and 'or'.",
                "filters.type",
                "invalid_value",
            ),
        ),
        (
            {"query": "x", "filters": {"type": "or", "filters": [{"type": "eq", "key": "a"}]}},
            error(
                "Missing required parameter: 'filters.filters[0].value'.",
                "filters.filters[0].value",
                "missing_required_parameter",
            ),
        ),
        (
            {"query": "x", "filters": {"type": "in", "key": "a", "value": "b"}},
            error(
                "Invalid type for 'filters.value': expected an array, but got a string instead.",
                "filters.value",
                "invalid_type",
            ),
        ),
        (
            {"query": "x", "ranking_options": {"ranker": "best"}},
            error(
                "Invalid value: 'best'. Supported values are: 'none', 'auto', and "
                "'default-2024-11-15'.",
                "ranking_options.ranker",
                "invalid_value",
            ),
        ),
    ],
)
def test_search_refuses_bad_requests(body: Any, expected: Any) -> None:
    s = Session("openai")
    store = s.call("POST", "/vector_stores", {})
    assert s.call("POST", f"/vector_stores/{store['id']}/search", body, status=400) == expected
    missing = s.call("POST", "/vector_stores/vs_nope/search", {"query": "x"}, status=404)
    assert missing == error("No vector store found with id 'vs_nope'.", None, None)
    assert s.problems == []


def test_file_content_is_its_paragraphs() -> None:
    s = Session("openai")
    store, capitals, _ = stocked(s)
    path = f"/vector_stores/{store['id']}/files/{capitals['id']}/content"
    assert s.call("GET", path) == {
        "object": "vector_store.file_content.page",
        "data": [
            {"type": "text", "text": "The capital of France is Paris.\nIt is on the Seine.\n"},
            {"type": "text", "text": "Berlin is in Germany.\n"},
        ],
        "has_more": False,
        "next_page": None,
    }
    outside = s.upload("other.txt", b"x")
    gone = s.call("GET", f"/vector_stores/{store['id']}/files/{outside['id']}/content", status=404)
    message = f"No file found with id '{outside['id']}' in vector store '{store['id']}'."
    assert gone == error(message, None, None)
    assert s.problems == []


@pytest.mark.parametrize("dialect", ["azure", "foundry"])
def test_other_dialects_serve_search_but_take_no_attributes(dialect: str) -> None:
    s = Session(dialect)
    store, capitals = s.call("POST", "/vector_stores", {}), s.upload("c.txt", CAPITALS)
    files = f"/vector_stores/{store['id']}/files"
    body = {"file_id": capitals["id"], "attributes": {"a": 1}}
    assert s.call("POST", files, body, status=400) == unknown("attributes")
    s.call("POST", files, {"file_id": capitals["id"]})
    assert [hit[0] for hit in found(s, store, {"query": "berlin"})] == ["c.txt"]
    content = s.call("GET", f"{files}/{capitals['id']}/content")
    assert [part["text"] for part in content["data"]][1] == "Berlin is in Germany.\n"
    unchecked = [p for p in s.problems if "no path of the spec matches" in p]
    assert len(unchecked) == 2 and s.problems == unchecked
