"""Assistants over HTTP: CRUD, merge semantics, pagination and validation errors."""

from __future__ import annotations

from typing import Any

from stores import BOTH_STORES

EPOCH = 1767225600


def make(api: Any, **fields: Any) -> Any:
    return api.ok("POST", "/assistants", {"model": "gpt-4o", **fields})


def test_create_returns_the_full_object(api: Any) -> None:
    answer = api.post("/assistants", {"model": "gpt-4o", "name": "Helper", "metadata": {"a": "1"}})
    assert answer.status == 200
    body = answer.body
    assert body["id"].startswith("asst_") and len(body["id"]) == len("asst_") + 24
    assert body == {
        "id": body["id"],
        "object": "assistant",
        "created_at": EPOCH,
        "name": "Helper",
        "description": None,
        "model": "gpt-4o",
        "instructions": None,
        "tools": [],
        "tool_resources": {},
        "metadata": {"a": "1"},
        "temperature": 1.0,
        "top_p": 1.0,
        "response_format": "auto",
    }


@BOTH_STORES
def test_retrieve_update_delete(api: Any, err: Any) -> None:
    created = make(api, name="A", instructions="Be brief.", metadata={"a": "1", "b": "2"})
    path = f"/assistants/{created['id']}"
    assert api.ok("GET", path) == created
    updated = api.ok("POST", path, {"metadata": {"c": "3"}, "temperature": 0.5})
    # Metadata is replaced wholesale; fields not sent stay as they were.
    assert updated == {**created, "metadata": {"c": "3"}, "temperature": 0.5}
    assert api.ok("GET", path) == updated
    assert api.delete(path).body == {
        "id": created["id"],
        "object": "assistant.deleted",
        "deleted": True,
    }
    missing = api.get(path)
    assert missing.status == 404
    assert missing.body == err(f"No assistant found with id '{created['id']}'.")


def test_unknown_id_is_404_with_the_api_wording(api: Any, err: Any) -> None:
    answer = api.get("/assistants/asst_x")
    assert (answer.status, answer.body) == (404, err("No assistant found with id 'asst_x'."))
    assert api.delete("/assistants/asst_x").status == 404
    assert api.post("/assistants/asst_x", {"name": "n"}).status == 404


@BOTH_STORES
def test_list_defaults_to_newest_first(api: Any) -> None:
    ids = [make(api, name=str(i))["id"] for i in range(3)]
    listing = api.ok("GET", "/assistants")
    assert listing == {
        "object": "list",
        "data": listing["data"],
        "first_id": ids[2],
        "last_id": ids[0],
        "has_more": False,
    }
    assert [item["id"] for item in listing["data"]] == ids[::-1]


@BOTH_STORES
def test_list_pages_with_limit_after_and_before(api: Any) -> None:
    ids = [make(api)["id"] for _ in range(5)]
    first = api.ok("GET", "/assistants", query="limit=2&order=asc")
    assert [a["id"] for a in first["data"]] == ids[:2] and first["has_more"] is True
    second = api.ok("GET", "/assistants", query=f"limit=2&order=asc&after={first['last_id']}")
    assert [a["id"] for a in second["data"]] == ids[2:4] and second["has_more"] is True
    last = api.ok("GET", "/assistants", query=f"limit=2&order=asc&after={ids[3]}")
    assert [a["id"] for a in last["data"]] == ids[4:] and last["has_more"] is False
    before = api.ok("GET", "/assistants", query=f"limit=2&order=asc&before={ids[4]}")
    assert [a["id"] for a in before["data"]] == ids[2:4] and before["has_more"] is True
    desc = api.ok("GET", "/assistants", query=f"limit=2&after={ids[3]}")
    assert [a["id"] for a in desc["data"]] == [ids[2], ids[1]]


def test_empty_list(api: Any) -> None:
    # OpenAI's spec types first_id/last_id as non-null strings.
    expected = {"object": "list", "data": [], "first_id": "", "last_id": "", "has_more": False}
    assert api.ok("GET", "/assistants") == expected


def test_list_parameter_errors(api: Any, err: Any) -> None:
    cases = {
        "limit=0": err(
            "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got 0 "
            "instead.",
            "limit",
            "integer_below_min_value",
        ),
        "limit=101": err(
            "Invalid 'limit': integer above maximum value. Expected a value <= 100, but got 101 "
            "instead.",
            "limit",
            "integer_above_max_value",
        ),
        "limit=ten": err(
            "Invalid 'limit': expected an integer, but got 'ten' instead.", "limit", "invalid_type"
        ),
        "order=up": err(
            "Invalid value: 'up'. Supported values are: 'asc' and 'desc'.", "order", "invalid_value"
        ),
        "after=asst_gone": err(
            "Invalid 'after': no object with id 'asst_gone' in this list.", "after", "invalid_value"
        ),
    }
    for query, expected in cases.items():
        answer = api.get("/assistants", query=query)
        assert (answer.status, answer.body) == (400, expected), query


def test_create_validation(api: Any, err: Any) -> None:
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({}, err("Missing required parameter: 'model'.", "model", "missing_required_parameter")),
        (
            {"model": "m", "colour": "red"},
            err("Unrecognized request argument supplied: colour", "colour", "unknown_parameter"),
        ),
        (
            {"model": 4},
            err(
                "Invalid type for 'model': expected a string, but got an integer instead.",
                "model",
                "invalid_type",
            ),
        ),
        (
            {"model": "m", "temperature": 2.5},
            err(
                "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but "
                "got 2.5 instead.",
                "temperature",
                "decimal_above_max_value",
            ),
        ),
        (
            {"model": "m", "top_p": -0.1},
            err(
                "Invalid 'top_p': decimal below minimum value. Expected a value >= 0, but got "
                "-0.1 instead.",
                "top_p",
                "decimal_below_min_value",
            ),
        ),
        (
            {"model": "m", "tools": [{"type": "browser"}]},
            err(
                "Invalid value: 'browser'. Supported values are: 'code_interpreter', "
                "'file_search', and 'function'.",
                "tools[0].type",
                "invalid_value",
            ),
        ),
        (
            {"model": "m", "tools": [{"type": "function", "function": {}}]},
            err(
                "Missing required parameter: 'tools[0].function.name'.",
                "tools[0].function.name",
                "missing_required_parameter",
            ),
        ),
        (
            {"model": "m", "tool_resources": {"code_interpreter": {"file_ids": ["file-nope"]}}},
            err(
                "No file found with id 'file-nope'.",
                "tool_resources.code_interpreter.file_ids[0]",
                "invalid_value",
            ),
        ),
    ]
    for body, expected in cases:
        answer = api.post("/assistants", body)
        assert (answer.status, answer.body) == (400, expected), body


def test_metadata_limits(api: Any, err: Any) -> None:
    too_many = {f"k{i}": "v" for i in range(17)}
    answer = api.post("/assistants", {"model": "m", "metadata": too_many})
    assert answer.status == 400
    assert answer.body == err(
        "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, "
        "but got an object with 17 properties instead.",
        "metadata",
        "object_above_max_properties",
    )
    long_key = api.post("/assistants", {"model": "m", "metadata": {"k" * 65: "v"}})
    assert long_key.status == 400 and long_key.body["error"]["param"] == "metadata"
    long_value = api.post("/assistants", {"model": "m", "metadata": {"k": "v" * 513}})
    assert long_value.status == 400
    assert long_value.body == err(
        "Invalid 'metadata.k': string too long. Expected a string with maximum length 512, but "
        "got a string with length 513 instead.",
        "metadata.k",
        "string_above_max_length",
    )
    exactly = {f"{i:064d}": "v" * 512 for i in range(16)}
    assert api.post("/assistants", {"model": "m", "metadata": exactly}).status == 200


def test_tools_are_stored_as_sent(api: Any) -> None:
    function = {"name": "lookup", "description": "Find", "parameters": {"type": "object"}}
    tools = [{"type": "code_interpreter"}, {"type": "function", "function": function}]
    assert make(api, tools=tools)["tools"] == tools
