"""Attributes of vector store files (OpenAI's): set on attach or by batch, updated, validated.

Up to 16 keys of up to 64 characters; values strings of up to 512 characters, numbers or
booleans. Every exchange is checked against OpenAI's spec.
"""

from __future__ import annotations

from typing import Any

import pytest
from engine_sessions import Session, error


def attached(s: Session) -> tuple[Any, Any]:
    """A store with one file, attached with attributes: (store, file)."""
    file = s.upload("capitals.txt", b"Berlin is in Germany.\n")
    store = s.call("POST", "/vector_stores", {"name": "geo"})
    body = {"file_id": file["id"], "attributes": {"topic": "cities"}}
    s.call("POST", f"/vector_stores/{store['id']}/files", body)
    return store, file


def test_update_attributes() -> None:
    s = Session("openai")
    store, capitals = attached(s)
    path = f"/vector_stores/{store['id']}/files/{capitals['id']}"
    before = s.call("GET", path)
    assert before["attributes"] == {"topic": "cities"}
    updated = s.call("POST", path, {"attributes": {"topic": "capitals", "score": 0.5}})
    assert updated == {**before, "attributes": {"topic": "capitals", "score": 0.5}}
    assert s.call("GET", path) == updated
    search = {"query": "Berlin", "filters": {"type": "eq", "key": "score", "value": 0.5}}
    page = s.call("POST", f"/vector_stores/{store['id']}/search", search)
    assert [hit["attributes"] for hit in page["data"]] == [{"topic": "capitals", "score": 0.5}]
    assert s.call("POST", path, {"attributes": None})["attributes"] is None
    missing = s.call("POST", f"/vector_stores/{store['id']}/files/file-nope", search, status=404)
    message = f"No file found with id 'file-nope' in vector store '{store['id']}'."
    assert missing == error(message)
    assert s.problems == []


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        (
            {f"k{i}": i for i in range(17)},
            error(
                "Invalid 'attributes': too many properties. Expected an object with at most 16 "
                "properties, but got an object with 17 properties instead.",
                "attributes",
                "object_above_max_properties",
            ),
        ),
        (
            {"k" * 65: 1},
            error(
                "Invalid 'attributes': string too long. Expected a string with maximum length "
                "64, but got a string with length 65 instead.",
                "attributes",
                "string_above_max_length",
            ),
        ),
        (
            {"k": "v" * 513},
            error(
                "Invalid 'attributes.k': string too long. Expected a string with maximum length "
                "512, but got a string with length 513 instead.",
                "attributes.k",
                "string_above_max_length",
            ),
        ),
        (
            {"k": ["v"]},
            error(
                "Invalid type for 'attributes.k': expected a string, number or boolean, but got "
                "an array instead.",
                "attributes.k",
                "invalid_type",
            ),
        ),
    ],
)
def test_attributes_are_validated(attributes: Any, expected: Any) -> None:
    s = Session("openai")
    store, capitals = attached(s)
    path = f"/vector_stores/{store['id']}/files"
    body = {"file_id": capitals["id"], "attributes": attributes}
    assert s.call("POST", path, body, status=400) == expected
    assert s.call("POST", f"{path}/{capitals['id']}", {"attributes": attributes}, status=400) == (
        expected
    )
    batch = {"file_ids": [capitals["id"]], "attributes": attributes}
    assert s.call("POST", f"/vector_stores/{store['id']}/file_batches", batch, status=400) == (
        expected
    )
    assert s.call("POST", f"{path}/{capitals['id']}", {}, status=400) == error(
        "Missing required parameter: 'attributes'.", "attributes", "missing_required_parameter"
    )
    assert s.problems == []


def test_batches_carry_attributes() -> None:
    s = Session("openai")
    one, two = s.upload("one.txt", b"one"), s.upload("two.txt", b"two")
    store = s.call("POST", "/vector_stores", {})
    batches = f"/vector_stores/{store['id']}/file_batches"
    shared = {"file_ids": [one["id"], two["id"]], "attributes": {"tag": "a"}}
    s.call("POST", batches, shared)
    files = f"/vector_stores/{store['id']}/files"
    assert [f["attributes"] for f in s.call("GET", files)["data"]] == [{"tag": "a"}, {"tag": "a"}]
    each = {
        "files": [{"file_id": one["id"], "attributes": {"tag": "b"}}, {"file_id": two["id"]}],
        "attributes": {"tag": "ignored"},
    }
    s.call("POST", batches, each)
    assert s.call("GET", f"{files}/{one['id']}")["attributes"] == {"tag": "b"}
    assert "attributes" not in s.call("GET", f"{files}/{two['id']}")
    assert s.problems == []
