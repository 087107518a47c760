"""Every cassette against its dialect's official spec, and the proof that the checker bites.

(a) each cassette under cassettes/ validates and holds no secret; once any exists, every
dialect has one. (b) hand-written good bodies pass, and broken ones (a required field dropped,
a wrong type, a value outside an enum) are rejected with the field named, in all three
dialects; more of the checker's own tests are in test_spec_check.py. (c) the secret check.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from vcr.request import Request

from spec_check import (
    DIALECTS,
    check_cassette,
    check_cassette_secrets,
    get_spec,
    load_cassette,
    split_url,
)
from spec_check.samples import (
    ALL,
    AZURE,
    DROP,
    FILE_OBJECT,
    FOUNDRY,
    OPENAI,
    Samples,
    call,
    changed,
    exchange,
    multipart,
    write_cassette,
)

CASSETTE_DIR = Path(__file__).resolve().parent.parent / "cassettes"
CASSETTES = sorted([*CASSETTE_DIR.rglob("*.yaml"), *CASSETTE_DIR.rglob("*.yml")])
NO_CASSETTES = "cassettes/ holds no cassette yet: nothing recorded to check"
cassette_problems = functools.cache(check_cassette)
by_dialect = pytest.mark.parametrize("s", ALL, ids=[s.dialect for s in ALL])


def _cassette_params() -> list[Any]:
    if not CASSETTES:
        return [pytest.param(None, marks=pytest.mark.skip(reason=NO_CASSETTES))]
    return [pytest.param(p, id=str(p.relative_to(CASSETTE_DIR))) for p in CASSETTES]


def assert_one(problems: list[str], prefix: str, fragment: str) -> None:
    assert len(problems) == 1, problems
    assert problems[0].startswith(prefix), problems
    assert fragment in problems[0], problems


# -- (a) the recorded cassettes ----------------------------------------------------------------


# Problems that cassettes recorded from the engine are known to have, each until the engine is
# fixed: a cassette whose only problems are listed here is an expected failure, and any other
# problem fails. test_known_gaps_still_occur says when an entry can go.
KNOWN_GAPS: tuple[tuple[str, str, str], ...] = (
    # (in the URL, in the problem, why): a cassette problem the project knows of and has not
    # fixed yet; each entry must still occur (test_known_gaps_still_occur) so none goes stale.
)


def _gap(problem: str) -> str | None:
    for url, text, why in KNOWN_GAPS:
        if url in problem.split(" -> ", 1)[0] and text in problem:
            return why
    return None


@pytest.mark.parametrize("path", _cassette_params())
def test_cassette_conforms_to_its_spec(path: Path) -> None:
    problems = cassette_problems(path)
    assert [p for p in problems if _gap(p) is None] == []
    if problems:
        pytest.xfail("; ".join(sorted({str(_gap(p)) for p in problems})))


def test_known_gaps_still_occur() -> None:
    if not CASSETTES:
        pytest.skip(NO_CASSETTES)
    found = {_gap(p) for path in CASSETTES for p in cassette_problems(path)}
    assert [why for _, _, why in KNOWN_GAPS if why not in found] == []


@pytest.mark.parametrize("path", _cassette_params())
def test_cassette_holds_no_secret(path: Path) -> None:
    assert check_cassette_secrets(path) == []


def test_every_dialect_has_a_cassette() -> None:
    if not CASSETTES:
        pytest.skip(NO_CASSETTES)
    seen = set()
    for path in CASSETTES:
        for interaction in load_cassette(path):
            dialect = split_url(interaction.uri)[0]
            seen |= {dialect.name} if dialect else set()
    assert seen == set(DIALECTS)


# -- (b) good bodies pass ----------------------------------------------------------------------


@by_dialect
def test_good_bodies_pass(s: Samples) -> None:
    assert call(s, "POST", "/assistants", s.create_assistant, response=s.assistant) == []
    assert (
        call(s, "GET", "/assistants", query="limit=5&order=asc", response=s.assistant_list()) == []
    )
    assert call(s, "GET", "/threads/thread_abc123/runs/run_abc123", response=s.run) == []
    assert call(s, "GET", "/assistants/asst_missing", status=404, response=s.error) == []


def test_specs_load_once() -> None:
    assert get_spec("openai") is get_spec("openai")


# -- (b) bad bodies are rejected, naming the field ---------------------------------------------

CREATE_CASES = [
    (("model",), DROP, "request body: $: ", "'model' is a required property"),
    (("name",), 5, "request body: $.name: ", "5 is not of type 'string', 'null'"),
    (("temperature",), "hot", "request body: $.temperature: ", "'hot' is not of type 'number'"),
    (("tools", 0, "type"), "nope", "request body: $.tools[0].type: ", "'nope' is not one of"),
]
OBJECT_CASES = [
    ("assistant", ("id",), DROP, "$: ", "'id' is a required property"),
    ("assistant", ("created_at",), "now", "$.created_at: ", "'now' is not of type 'integer'"),
    ("assistant", ("object",), "agent", "$.object: ", "'agent' is not one of ['assistant']"),
    ("list", ("has_more",), DROP, "$: ", "'has_more' is a required property"),
    ("list", ("has_more",), "no", "$.has_more: ", "'no' is not of type 'boolean'"),
    ("list", ("data", 0, "object"), "agent", "$.data[0].object: ", "'agent' is not one of"),
    ("run", ("status",), DROP, "$: ", "'status' is a required property"),
    ("run", ("status",), "done", "$.status: ", "'done' is not one of ['queued'"),
    ("run", ("usage", "total_tokens"), "15", "$.usage.total_tokens: ", "'15' is not of type"),
]
RESPONSES: dict[str, tuple[str, Callable[[Samples], Any]]] = {
    "assistant": ("/assistants/asst_abc123", lambda s: s.assistant),
    "list": ("/assistants", Samples.assistant_list),
    "run": ("/threads/thread_abc123/runs/run_abc123", lambda s: s.run),
}


@by_dialect
@pytest.mark.parametrize(("path", "value", "prefix", "fragment"), CREATE_CASES)
def test_bad_create_assistant_request(
    s: Samples, path: Any, value: Any, prefix: str, fragment: str
) -> None:
    body = changed(s.create_assistant, path, value)
    assert_one(call(s, "POST", "/assistants", body, response=s.assistant), prefix, fragment)


@pytest.mark.parametrize("s", [OPENAI, AZURE], ids=["openai", "azure"])
def test_unknown_request_field_is_rejected_where_the_spec_is_closed(s: Samples) -> None:
    body = changed(s.create_assistant, ("bogus",), 1)
    problems = call(s, "POST", "/assistants", body, response=s.assistant)
    assert problems == [
        "request body: $: Additional properties are not allowed ('bogus' was unexpected)"
    ]


@by_dialect
@pytest.mark.parametrize(("kind", "path", "value", "location", "fragment"), OBJECT_CASES)
def test_bad_response_object(
    s: Samples, kind: str, path: Any, value: Any, location: str, fragment: str
) -> None:
    url, good = RESPONSES[kind]
    problems = call(s, "GET", url, response=changed(good(s), path, value))
    assert_one(problems, f"response 200 body: {location}", fragment)


@pytest.mark.parametrize(
    ("s", "path", "value", "problem"),
    [
        (OPENAI, ("error",), DROP, "$: 'error' is a required property"),
        (FOUNDRY, ("error",), DROP, "$: 'error' is a required property"),
        (OPENAI, ("error", "param"), DROP, "$.error: 'param' is a required property"),
        (OPENAI, ("error", "message"), 42, "$.error.message: 42 is not of type 'string'"),
        (AZURE, ("error", "message"), 42, "$.error.message: 42 is not of type 'string'"),
        (FOUNDRY, ("error", "message"), 42, "$.error.message: 42 is not of type 'string', 'null'"),
        (AZURE, ("error",), "boom", "$.error: 'boom' is not of type 'object'"),
        (FOUNDRY, ("error", "code"), [], "$.error.code: [] is not of type 'string', 'null'"),
    ],
    ids=lambda v: v.dialect if isinstance(v, Samples) else None,
)
def test_bad_error_envelope(s: Samples, path: Any, value: Any, problem: str) -> None:
    problems = call(
        s, "GET", "/assistants/asst_x", status=404, response=changed(s.error, path, value)
    )
    assert problems == [f"response 404 body: {problem}"]


# -- cassettes, as vcrpy writes them -----------------------------------------------------------


def test_check_cassette_reads_vcrpy_cassettes(tmp_path: Path) -> None:
    good = [
        exchange("POST", s.url("/assistants"), s.create_assistant, 200, s.assistant) for s in ALL
    ]
    headers, upload = multipart(("purpose", b"assistants", None), ("file", b"\x89PNG\xff", "a.png"))
    reply = exchange("GET", "", None, 200, FILE_OBJECT)[1]
    good.append((Request("POST", OPENAI.url("/files"), upload, headers), reply))
    path = write_cassette(tmp_path / "good.yaml", *good)
    assert "!!binary" in path.read_text()  # the upload's bytes are not UTF-8
    assert [i.uri for i in load_cassette(path)] == [r.uri for r, _ in good]
    assert check_cassette(path) == []

    url = AZURE.url("/threads/t/runs/r")
    bad = exchange("GET", url, None, 200, changed(AZURE.run, ("id",), DROP))
    path = write_cassette(tmp_path / "bad.yaml", good[0], bad)
    assert check_cassette(path) == [
        f"#1 GET {url} -> 200: response 200 body: $: 'id' is a required property"
    ]


# -- (c) secret hygiene ------------------------------------------------------------------------

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2ln"


def test_secrets_in_cassettes_are_found(tmp_path: Path) -> None:
    clean = exchange("GET", OPENAI.url("/assistants/a"), None, 200, OPENAI.assistant)
    assert check_cassette_secrets(write_cassette(tmp_path / "clean.yaml", clean)) == []
    urls = [OPENAI.url("/assistants/a"), AZURE.url("/assistants/a"), OPENAI.url("/assistants")]
    leaky = [
        exchange("GET", urls[0], None, 200, {}, {"Authorization": "Bearer x"}),
        exchange("GET", urls[1], None, 200, {}, {"api-key": "k", "Cookie": "s=1"}),
        exchange("POST", urls[2], {"model": "m", "name": "sk-proj-abcdefghijklmnop1234"}, 200, {}),
        exchange("GET", urls[0], None, 200, {"note": f"Bearer {JWT}"}),
    ]
    leaky[0][1]["headers"]["Set-Cookie"] = ["session=abc"]
    problems = check_cassette_secrets(write_cassette(tmp_path / "leaky.yaml", *leaky))
    must_go = "must be filtered out of cassettes"
    assert problems == [
        f"#0 GET {urls[0]} -> 200: request header 'Authorization' {must_go}",
        f"#0 GET {urls[0]} -> 200: response header 'Set-Cookie' {must_go}",
        f"#1 GET {urls[1]} -> 200: request header 'Cookie' {must_go}",  # YAML sorts keys
        f"#1 GET {urls[1]} -> 200: request header 'api-key' {must_go}",
        f"#2 POST {urls[2]} -> 200: request body holds what looks like an API key (sk-...)",
        f"#3 GET {urls[0]} -> 200: response body holds what looks like a JWT",
        f"#3 GET {urls[0]} -> 200: response body holds what looks like a bearer token",
    ]
