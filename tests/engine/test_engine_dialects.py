"""The HTTP surface: dialect prefixes, credentials and their test hooks, api-version, routing."""

from __future__ import annotations

from typing import Any

import pytest

MISSING_OPENAI = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header "
    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
)


def test_the_same_state_is_visible_in_every_dialect(api: Any) -> None:
    assistant = api.ok("POST", "/assistants", {"model": "gpt-4o"})
    for dialect in ("azure", "foundry"):
        assert api.using(dialect).ok("GET", f"/assistants/{assistant['id']}") == assistant


def test_missing_credential(api: Any, err: Any) -> None:
    answer = api.get("/assistants", headers={"OpenAI-Beta": "assistants=v2"})
    assert (answer.status, answer.body) == (401, err(MISSING_OPENAI, None, "invalid_api_key"))
    for dialect in ("azure", "foundry"):
        assert api.using(dialect).get("/assistants", headers={}).status == 401


@pytest.mark.parametrize("dialect", ["openai", "azure", "foundry"])
def test_credential_hooks(api: Any, err: Any, dialect: str) -> None:
    client = api.using(dialect)
    beta = {"OpenAI-Beta": "assistants=v2"}
    rejected = client.get("/assistants", headers={**beta, "Authorization": "Bearer rejected"})
    assert rejected.status == 401
    assert rejected.body["error"]["message"] == "Incorrect API key provided: rejected."
    assert rejected.body["error"]["code"] == "invalid_api_key"
    forbidden = client.get("/assistants", headers={**beta, "Authorization": "Bearer forbidden"})
    assert forbidden.status == 403
    assert forbidden.body["error"]["code"] == "permission_denied"


def test_azure_accepts_an_api_key_header_and_foundry_does_not(api: Any) -> None:
    assert api.using("azure").get("/assistants", headers={"api-key": "k"}).status == 200
    assert api.using("azure").get("/assistants", headers={"api-key": "rejected"}).status == 401
    assert api.using("foundry").get("/assistants", headers={"api-key": "k"}).status == 401
    assert (
        api.get("/assistants", headers={"api-key": "k", "OpenAI-Beta": "assistants=v2"}).status
        == 401
    )


@pytest.mark.parametrize("dialect", ["azure", "foundry"])
def test_api_version_is_required(api: Any, server: Any, dialect: str) -> None:
    prefix = {"azure": "/openai", "foundry": "/api/projects/demo"}[dialect]
    client = api.using(dialect)
    answer = client.get("/assistants", url=f"{server.url}{prefix}/assistants")
    assert answer.status == 400
    expected = {
        "message": "The api-version query parameter (?api-version=) is required for all requests.",
        "type": "invalid_request_error",
        "param": "api-version",
        "code": "missing_api_version",
    }
    assert answer.body == {"error": expected}


def test_azure_error_envelope_omits_null_code_and_param(api: Any) -> None:
    # Azure's spec types ``code`` and ``param`` as non-nullable strings.
    answer = api.using("azure").get("/assistants/asst_x")
    assert answer.status == 404
    assert answer.body == {
        "error": {
            "message": "No assistant found with id 'asst_x'.",
            "type": "invalid_request_error",
        }
    }
    invalid = api.using("azure").post("/assistants", {})
    assert invalid.body["error"]["param"] == "model"
    assert invalid.body["error"]["code"] == "missing_required_parameter"


def test_openai_needs_the_beta_header_for_assistants_resources(api: Any, err: Any) -> None:
    answer = api.get("/assistants", headers={"Authorization": "Bearer k"})
    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_beta"
    assert api.get("/files", headers={"Authorization": "Bearer k"}).status == 200


def test_list_envelopes_follow_each_spec(api: Any) -> None:
    empty = {"object": "list", "data": [], "has_more": False}
    assert api.ok("GET", "/assistants") == {**empty, "first_id": "", "last_id": ""}
    assert api.using("azure").ok("GET", "/assistants") == {**empty, "first_id": "", "last_id": ""}
    assert api.using("foundry").ok("GET", "/assistants") == empty


def test_azure_spells_run_steps_and_functions_its_own_way(api: Any) -> None:
    tool = {"type": "function", "function": {"name": "f"}}
    assistant = api.ok("POST", "/assistants", {"model": "m", "tools": [tool]})
    azure_view = api.using("azure").ok("GET", f"/assistants/{assistant['id']}")
    assert azure_view["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "f",
                "description": "",
                "parameters": {"type": "object", "properties": {}},
            },
        }
    ]
    thread = api.ok("POST", "/threads", {"messages": [{"role": "user", "content": "hi"}]})
    run = api.ok("POST", f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})
    for _ in range(2):
        api.ok("GET", f"/threads/{thread['id']}/runs/{run['id']}")
    steps_path = f"/threads/{thread['id']}/runs/{run['id']}/steps"
    assert api.ok("GET", steps_path)["data"][0]["object"] == "thread.run.step"
    assert api.using("azure").ok("GET", steps_path)["data"][0]["object"] == "assistant.run.step"
    store = api.ok("POST", "/vector_stores", {})
    assert api.using("azure").ok("GET", f"/vector_stores/{store['id']}")["bytes"] == 0


def test_unknown_routes_and_methods(api: Any, server: Any, err: Any) -> None:
    unknown = api.get("/widgets")
    assert (unknown.status, unknown.body) == (404, err("Invalid URL (GET /v1/widgets)"))
    outside = api.get("", url=f"{server.url}/elsewhere")
    assert (outside.status, outside.body) == (404, err("Invalid URL (GET /elsewhere)"))
    wrong = api.request("PUT", "/assistants", {})
    assert wrong.status == 405
    assert wrong.headers["Allow"] == "GET, POST"
    assert wrong.body == err("Method PUT is not allowed on /v1/assistants (allowed: GET, POST).")


def test_bad_json_bodies(api: Any) -> None:
    headers = {**api.default_headers(), "Content-Type": "application/json"}
    broken = api.request("POST", "/assistants", raw=b"{nope", headers=headers)
    assert broken.status == 400 and broken.body["error"]["message"].startswith("We could not parse")
    array = api.request("POST", "/assistants", raw=b"[]", headers=headers)
    assert array.status == 400 and array.body["error"]["code"] == "invalid_type"


def test_headers_do_not_depend_on_the_machine(api: Any) -> None:
    answer = api.get("/assistants")
    assert answer.headers["Server"] == "asst-engine"
    # The deterministic clock also dates responses, so cassettes re-record byte for byte.
    assert answer.headers["Date"] == "Thu, 01 Jan 2026 00:00:00 GMT"
