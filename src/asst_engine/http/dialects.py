"""The three dialects one server speaks, chosen by path prefix, and how their specs differ.

- openai: ``/v1/<path>``, ``Authorization: Bearer <key>``; the Assistants resources also need
  ``OpenAI-Beta: assistants=v2``, as on the real service.
- azure: ``/openai/<path>?api-version=<v>``, ``api-key: <key>`` or a bearer token.
- foundry: ``/api/projects/<project>/<path>?api-version=v1``, bearer token only.

Test hooks, in every dialect: the credential (api key or bearer token) ``rejected`` gets 401
"Incorrect API key provided: rejected."; ``forbidden`` gets 403 (``permission_denied``).
A missing credential is 401 (``invalid_api_key``).

State is kept in OpenAI's shape; ``render`` rewrites a response where a dialect's spec says
otherwise, so every body validates against the spec of the dialect that was asked.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from asst_engine.errors import EngineError
from asst_engine.json_types import JSON
from asst_engine.resources.accepts import AZURE_ACCEPTS, FOUNDRY_ACCEPTS, OPENAI_ACCEPTS, Accepts

# Test hooks: these credential values are refused, so clients can exercise their auth errors.
REJECTED_CREDENTIAL = "rejected"
FORBIDDEN_CREDENTIAL = "forbidden"
OPENAI_PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
FOUNDRY_PURPOSES = ("assistants", "vision")  # Foundry's FilePurpose enum (plus assistants_output)
BETA_RESOURCES = ("/assistants", "/threads", "/vector_stores")


@dataclass(frozen=True)
class Dialect:
    name: str
    prefix: re.Pattern[str]
    needs_api_version: bool
    api_key_header: bool
    missing_credential: str
    file_purposes: tuple[str, ...]
    # What request bodies may carry beyond what the dialects share (see ``resources/accepts``).
    accepts: Accepts
    render: Callable[[Any], Any]
    # Stream events this dialect's spec lacks, sent under the name of the status it reports.
    renamed_events: Mapping[str, str] = field(default_factory=dict)

    def credential(self, headers: Mapping[str, str]) -> str:
        """The credential sent (api key or bearer token), or ``""``."""
        if self.api_key_header and headers.get("api-key"):
            return headers["api-key"].strip()
        scheme, _, token = (headers.get("authorization") or "").partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""


def authenticate(dialect: Dialect, headers: Mapping[str, str]) -> None:
    credential = dialect.credential(headers)
    if not credential:
        raise EngineError(401, dialect.missing_credential, code="invalid_api_key")
    if credential == REJECTED_CREDENTIAL:
        message = f"Incorrect API key provided: {credential}."
        raise EngineError(401, message, code="invalid_api_key")
    if credential == FORBIDDEN_CREDENTIAL:
        message = "The credential is valid but lacks permission for this operation."
        raise EngineError(403, message, code="permission_denied")


def check_request(
    dialect: Dialect, path: str, query: Mapping[str, str], headers: Mapping[str, str]
) -> None:
    """Dialect rules beyond auth: Azure's and Foundry's ``api-version``, OpenAI's beta header."""
    if dialect.needs_api_version and not query.get("api-version"):
        message = "The api-version query parameter (?api-version=) is required for all requests."
        raise EngineError(400, message, param="api-version", code="missing_api_version")
    beta = headers.get("openai-beta", "")
    if dialect.name == "openai" and path.startswith(BETA_RESOURCES) and "assistants=v2" not in beta:
        message = (
            "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please "
            "try again by setting the header 'OpenAI-Beta: assistants=v2'."
        )
        raise EngineError(400, message, code="invalid_beta")


def _each(body: Any, fix: Callable[[JSON], JSON]) -> Any:
    """Apply ``fix`` to a copy of the response and, for a list, to each item.

    Only top-level objects and list items are resource objects; nested dicts (metadata, tool
    definitions) are user data and must never be rewritten.
    """
    body = copy.deepcopy(body)
    if not isinstance(body, dict):
        return body
    if body.get("object") == "list" and isinstance(body.get("data"), list):
        body["data"] = [fix(item) for item in body["data"]]
    return fix(body)


def _lists(body: JSON) -> JSON:
    if body.get("object") == "list":
        # The spec types first_id/last_id as strings (no null), so an empty page says "".
        body["first_id"] = body["first_id"] or ""
        body["last_id"] = body["last_id"] or ""
    return body


def _openai(body: JSON) -> JSON:
    body = _lists(body)
    kind = body.get("object")
    # A file citation's ``quote`` is not in this spec's message schema (the v2 service dropped
    # it); deltas leave it out too, so a stream says what the finished message says.
    parts = []
    if kind == "thread.message":
        parts = body["content"]
    elif kind == "thread.message.delta":
        parts = body["delta"].get("content", [])
    for part in parts:
        for note in part.get("text", {}).get("annotations", []):
            note.get("file_citation", {}).pop("quote", None)
    return body


def _azure_function(tool: JSON) -> JSON:
    """2024-05-01-preview requires ``description`` and ``parameters`` on returned functions."""
    if tool.get("type") == "function":
        function = tool["function"]
        function.setdefault("description", "")
        function.setdefault("parameters", {"type": "object", "properties": {}})
    return tool


def _azure(body: JSON) -> JSON:
    body = _lists(body)
    kind = body.get("object")
    if kind in ("assistant", "thread.run"):
        body["tools"] = [_azure_function(tool) for tool in body["tools"]]
    if kind == "thread.run.step":
        body["object"] = "assistant.run.step"  # this spec's (odd) name for a run step
    if kind == "vector_store":
        body["bytes"] = body["usage_bytes"]  # 2024-05-01-preview requires this undeclared field
    if kind == "thread.run" and body["status"] == "incomplete":
        body["status"] = "completed"  # no "incomplete" in this spec; incomplete_details says why
    error = body.get("error")
    if isinstance(error, dict):
        # errorBase types ``code`` and ``param`` as strings (no null): omit them when unset.
        for key in ("code", "param"):
            if error.get(key) is None:
                error.pop(key, None)
    return body


def _foundry(body: JSON) -> JSON:
    kind = body.get("object")
    if kind == "list":
        for key in ("first_id", "last_id"):
            if body[key] is None:
                del body[key]  # optional and not x-nullable in the v1 spec
    if kind == "thread.run" and body["status"] == "incomplete":
        body["status"] = "completed"  # RunStatus has no "incomplete"; incomplete_details says why
    if kind == "thread.message.delta":
        # MessageDelta requires ``role``; only runs stream messages, so it is the assistant's.
        body["delta"] = {"role": "assistant", **body["delta"]}
    return body


OPENAI = Dialect(
    "openai",
    re.compile(r"^/v1(?=/)"),
    needs_api_version=False,
    api_key_header=False,
    missing_credential=(
        "You didn't provide an API key. You need to provide your API key in an Authorization "
        "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
    ),
    file_purposes=OPENAI_PURPOSES,
    accepts=OPENAI_ACCEPTS,
    render=lambda body: _each(body, _openai),
)
AZURE = Dialect(
    "azure",
    re.compile(r"^/openai(?=/)"),
    needs_api_version=True,
    api_key_header=True,
    missing_credential=(
        "Access denied due to missing subscription key. Make sure to include the 'api-key' "
        "header or an 'Authorization: Bearer' token when making requests to an API."
    ),
    file_purposes=OPENAI_PURPOSES,
    accepts=AZURE_ACCEPTS,
    render=lambda body: _each(body, _azure),
    # No "incomplete" run status nor event in 2024-05-01-preview (runs render as "completed").
    renamed_events={"thread.run.incomplete": "thread.run.completed"},
)
FOUNDRY = Dialect(
    "foundry",
    re.compile(r"^/api/projects/[^/]+(?=/)"),
    needs_api_version=True,
    api_key_header=False,
    missing_credential="Authentication required: send 'Authorization: Bearer <token>'.",
    file_purposes=FOUNDRY_PURPOSES,
    accepts=FOUNDRY_ACCEPTS,
    render=lambda body: _each(body, _foundry),
)
DIALECTS = (OPENAI, AZURE, FOUNDRY)


def detect(path: str) -> tuple[Dialect, str] | None:
    """The dialect a path speaks and the resource path under its prefix."""
    for dialect in DIALECTS:
        match = dialect.prefix.match(path)
        if match:
            return dialect, path[match.end() :]
    return None
