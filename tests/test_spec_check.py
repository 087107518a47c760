"""The checker's own tests: spec defects and overrides, operations, query parameters,
statuses and media types, readOnly, uploads, downloads, streams and encodings."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from spec_check import check_interaction, get_spec, spec
from spec_check.samples import (
    ALL,
    AZURE,
    DROP,
    FILE_OBJECT,
    FOUNDRY,
    JSON_HEADERS,
    OPENAI,
    Samples,
    call,
    changed,
    multipart,
    sse,
)

by_dialect = pytest.mark.parametrize("s", ALL, ids=[s.dialect for s in ALL])


def assert_one(problems: list[str], prefix: str, fragment: str) -> None:
    assert len(problems) == 1, problems
    assert problems[0].startswith(prefix), problems
    assert fragment in problems[0], problems


# -- (b) the spec defects: nothing validates as "anything" -------------------------------------

RUN_OPENAI = "/threads/thread_abc123/runs"


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("truncation_strategy", None, None),  # allOf [$ref, {nullable: true}]
        (
            "truncation_strategy",
            {"type": "bogus"},
            "$.truncation_strategy.type: 'bogus' is not one of",
        ),
        ("response_format", None, None),  # $ref + nullable
        ("response_format", {"type": "bogus"}, "$.response_format.type: 'bogus' is not one of"),
        ("model", None, None),  # anyOf + nullable, no type
        ("model", 5, "$.model: 5 is not of type 'string'"),
        ("tool_choice", {"type": "bogus"}, "$.tool_choice.type: 'bogus' is not one of"),
        ("tool_choice", "sometimes", "$.tool_choice: 'sometimes' is not one of ['none'"),
    ],
)
def test_openai_nullable_without_type_still_validates(
    field: str, value: Any, problem: str | None
) -> None:
    body = {"assistant_id": "asst_abc123", field: value}
    problems = call(OPENAI, "POST", RUN_OPENAI, body, response=OPENAI.run)
    if problem is None:
        assert problems == []
    else:
        assert_one(problems, "request body: ", problem)


@pytest.mark.parametrize(
    ("path", "body", "problem"),
    [
        ("/assistants", {"model": "m", "response_format": {"type": "json_object"}}, None),
        ("/assistants", {"model": "m", "response_format": "auto"}, None),
        (
            "/assistants",
            {"model": "m", "response_format": {"type": "xml"}},
            "$.response_format.type: 'xml'",
        ),
        (
            "/assistants",
            {"model": "m", "response_format": 7},
            "$.response_format: 7 is not of type",
        ),
        ("/threads/t/runs", {"assistant_id": "a", "tool_choice": "none"}, None),
        (
            "/threads/t/runs",
            {"assistant_id": "a", "tool_choice": 5},
            "$.tool_choice: 5 is not of type",
        ),
        ("/threads/t/messages", {"role": "user", "content": "hi"}, None),
        (
            "/threads/t/messages",
            {"role": "user", "content": [{"type": "text", "text": "hi"}]},
            None,
        ),
        ("/threads/t/messages", {"role": "user", "content": 5}, "$.content: 5 is not of type"),
        (
            "/threads/t/messages",
            {"role": "user", "content": [{"type": "text"}]},
            "'text' is a required",
        ),
    ],
)
def test_foundry_empty_schemas_are_tightened(path: str, body: Any, problem: str | None) -> None:
    problems = [p for p in call(FOUNDRY, "POST", path, body) if p.startswith("request")]
    if problem is None:
        assert problems == []
    else:
        assert_one(problems, "request body: ", problem)


def test_foundry_attachment_tools_are_tightened() -> None:
    def message(tool: str) -> Any:
        attachment = {"file_id": "f", "tools": [{"type": tool}]}
        return {"role": "user", "content": "hi", "attachments": [attachment]}

    path = "/threads/t/messages"
    assert [p for p in call(FOUNDRY, "POST", path, message("file_search")) if "request" in p] == []
    problems = [p for p in call(FOUNDRY, "POST", path, message("function")) if "request" in p]
    assert_one(
        problems, "request body: $.attachments[0].tools[0].type: ", "'function' is not one of"
    )


def test_foundry_list_envelope_requires_object() -> None:
    listing = changed(FOUNDRY.assistant_list(), ("object",), DROP)
    assert call(FOUNDRY, "GET", "/assistants", response=listing) == [
        "response 200 body: $: 'object' is a required property"
    ]


def test_azure_run_requests_need_no_thread_id_but_stay_closed() -> None:
    assert call(AZURE, "POST", "/threads/t/runs", {"assistant_id": "a"}, response=AZURE.run) == []
    assert call(AZURE, "POST", "/threads/runs", {"assistant_id": "a"}, response=AZURE.run) == []
    problems = call(AZURE, "POST", "/threads/t/runs", {"assistant_id": "a", "thread_id": "t"})
    assert (
        problems[0]
        == "request body: $: Additional properties are not allowed ('thread_id' was unexpected)"
    )


def test_azure_vector_store_needs_no_bytes() -> None:
    store = {
        "id": "vs_1", "object": "vector_store", "created_at": 1, "name": "docs", "usage_bytes": 0,
        "status": "completed", "last_active_at": None, "metadata": {},
        "file_counts": {"in_progress": 0, "completed": 0, "failed": 0, "cancelled": 0, "total": 0},
    }  # fmt: skip
    assert call(AZURE, "GET", "/vector_stores/vs_1", response=store) == []
    problems = call(
        AZURE, "GET", "/vector_stores/vs_1", response=changed(store, ("usage_bytes",), DROP)
    )
    assert problems == ["response 200 body: $: 'usage_bytes' is a required property"]


def test_operations_missing_from_a_spec_are_borrowed_from_openai() -> None:
    deleted = {"id": "msg_1", "object": "thread.message.deleted", "deleted": True}
    for s in (AZURE, FOUNDRY):
        assert call(s, "DELETE", "/threads/t/messages/msg_1", response=deleted) == []
    assert call(AZURE, "DELETE", "/threads/t/messages/m", response={"id": "m"}) == [
        "response 200 body: $: 'object' is a required property",
        "response 200 body: $: 'deleted' is a required property",
    ]
    files = {"object": "list", "data": [], "first_id": "f", "last_id": "f", "has_more": False}
    assert call(AZURE, "GET", "/files", response=files) == []
    problems = check_interaction(
        "GET", "http://127.0.0.1:8787/openai/files", {}, None, 200, JSON_HEADERS, "{}"
    )
    assert problems[0] == "query: required parameter 'api-version' is missing"


# -- (b) operations, query, status, media type -------------------------------------------------


@by_dialect
def test_unknown_operations_are_problems(s: Samples) -> None:
    assert call(s, "PUT", "/assistants", {}) == [
        f"{s.dialect}: PUT /assistants: method not in the spec (it declares get, post here)"
    ]
    assert call(s, "GET", "/nowhere/x") == [
        f"{s.dialect}: GET /nowhere/x: no path of the spec matches"
    ]


def test_a_url_of_no_dialect_is_a_problem() -> None:
    problems = check_interaction(
        "GET", "http://127.0.0.1:8787/v2/assistants", {}, None, 200, {}, None
    )
    assert problems == [
        "/v2/assistants: no dialect serves this path (/v1/..., /openai/..., /api/projects/<p>/...)"
    ]


@by_dialect
def test_query_parameters(s: Samples) -> None:
    good = s.assistant_list()
    assert (
        call(s, "GET", "/assistants", query="limit=20&order=desc&after=asst_1", response=good) == []
    )
    assert call(s, "GET", "/assistants", query="limit=ten&order=up&colour=red", response=good) == [
        "query: parameter 'colour' is not declared",
        "query limit: $: 'ten' is not of type 'integer'",
        "query order: $: 'up' is not one of ['asc', 'desc']",
    ]


@pytest.mark.parametrize("s", [AZURE, FOUNDRY], ids=["azure", "foundry"])
def test_api_version_is_required_and_must_be_the_specs(s: Samples) -> None:
    url = s.base + "/assistants?api-version=2099-01-01"
    problems = check_interaction(
        "GET", url, {}, None, 200, JSON_HEADERS, json.dumps(s.assistant_list())
    )
    assert problems == [
        f"query: api-version '2099-01-01' is not this spec's {get_spec(s.dialect).version!r}"
    ]


def test_undeclared_status_and_media_type() -> None:
    assert call(OPENAI, "POST", "/assistants", OPENAI.create_assistant, 201, OPENAI.assistant) == [
        "response 201: status not declared (declared: 200, 429)"
    ]
    text = check_interaction(
        "GET", OPENAI.url("/assistants/a"), {}, None, 200, {"content-type": "text/plain"}, "hi"
    )
    assert text == ["response 200: media type 'text/plain' not declared (application/json)"]
    sent = check_interaction(
        "POST", OPENAI.url("/assistants"), {}, "model=m", 200, JSON_HEADERS, "{}"
    )
    assert sent[0] == "request body: media type '(none)' not declared (application/json)"
    assert call(OPENAI, "POST", "/assistants", OPENAI.create_assistant, 500, OPENAI.error) == []
    assert call(OPENAI, "GET", "/assistants/a", status=400, response={"detail": "x"}) == [
        "response 400 body: $: 'error' is a required property"
    ]


# -- (b) readOnly, uploads, downloads, streams, encodings --------------------------------------


def test_foundry_read_only_property_is_refused_in_requests_only() -> None:
    spec = {"name": "weather", "spec": {}, "auth": {"type": "anonymous"}}
    tool = {"type": "openapi", "openapi": {**spec, "functions": [{"name": "f", "parameters": {}}]}}
    problems = call(FOUNDRY, "POST", "/assistants", {"model": "m", "tools": [tool]})
    assert problems[0] == (
        "request body: $.tools[0].openapi.functions: "
        "is not allowed here (readOnly in a request, or writeOnly in a response)"
    )
    assert (
        call(FOUNDRY, "GET", "/assistants/a", response={**FOUNDRY.assistant, "tools": [tool]}) == []
    )


@by_dialect
def test_file_upload_form_fields(s: Samples) -> None:
    headers, good = multipart(
        ("purpose", b"assistants", None), ("file", b"\x00\xff\x01", "notes.txt")
    )
    response = json.dumps(FILE_OBJECT)
    assert (
        check_interaction("POST", s.url("/files"), headers, good, 200, JSON_HEADERS, response) == []
    )
    headers, bad = multipart(("purpose", b"fun", None), ("upload", b"abc", "notes.txt"))
    problems = check_interaction("POST", s.url("/files"), headers, bad, 200, JSON_HEADERS, response)
    assert problems[:2] == [
        "request form: field 'upload' is not declared",
        "request form: required field 'file' is missing",
    ]
    assert problems[2].startswith("request form purpose: $: 'fun' is not one of ['assistants'")


@by_dialect
def test_file_content_is_bytes(s: Samples) -> None:
    octets = {"Content-Type": "application/octet-stream"}
    url = s.url("/files/file-abc123/content")
    assert check_interaction("GET", url, {}, None, 200, octets, b"\x00\xff") == []


@by_dialect
def test_streamed_run_events(s: Samples) -> None:
    stream = {"Content-Type": "text/event-stream; charset=utf-8"}
    body = json.dumps({"assistant_id": "asst_abc123", "stream": True})
    url = s.url("/threads/thread_abc123/runs")
    good = sse(("thread.run.created", s.run), ("thread.run.completed", s.run), ("done", "[DONE]"))
    assert check_interaction("POST", url, JSON_HEADERS, body, 200, stream, good) == []
    bad = sse(
        ("thread.run.created", changed(s.run, ("status",), "done")), ("thread.run.exploded", {})
    )
    problems = check_interaction("POST", url, JSON_HEADERS, body, 200, stream, bad)
    assert problems[0].startswith(
        "response 200 event 0 (thread.run.created) data: $.status: 'done'"
    )
    assert problems[1:] == [
        "response 200 event 1 (thread.run.exploded): not an event the spec declares"
    ]
    unasked = json.dumps({"assistant_id": "asst_abc123"})
    assert check_interaction("POST", url, JSON_HEADERS, unasked, 200, stream, good) == [
        "response 200: event stream, but the request did not ask for one"
    ]
    elsewhere = check_interaction("GET", s.url("/assistants"), {}, None, 200, stream, good)
    assert elsewhere == [
        "response 200: media type 'text/event-stream' not declared for this operation"
    ]


def test_compressed_response_is_decoded() -> None:
    headers = {**JSON_HEADERS, "Content-Encoding": "gzip"}
    body = gzip.compress(json.dumps(OPENAI.assistant).encode())
    assert check_interaction("GET", OPENAI.url("/assistants/a"), {}, None, 200, headers, body) == []
    broken = gzip.compress(json.dumps(changed(OPENAI.assistant, ("id",), 1)).encode())
    problems = check_interaction("GET", OPENAI.url("/assistants/a"), {}, None, 200, headers, broken)
    assert problems == ["response 200 body: $.id: 1 is not of type 'string'"]


def test_a_yaml_spec_is_parsed_once_and_kept_only_when_json_holds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spec, "CACHE_DIR", tmp_path / "cache")
    plain = b"paths:\n  /a:\n    get: {summary: one}\n"
    assert spec._parsed_yaml(plain) == {"paths": {"/a": {"get": {"summary": "one"}}}}
    (kept,) = (tmp_path / "cache").iterdir()
    kept.write_text('{"read": "from the cache"}')  # the next process reads this, not the YAML
    assert spec._parsed_yaml(plain) == {"read": "from the cache"}
    numbered = b"responses:\n  200: {description: ok}\n"  # JSON would make the key a string
    assert spec._parsed_yaml(numbered) == {"responses": {200: {"description": "ok"}}}
    assert list((tmp_path / "cache").iterdir()) == [kept]
