"""Every place where the conformance checks depart from the letter of the three specs.

The specs in tests/data/specs are unmodified copies. Each entry below answers one defect listed
in /work/shared/specs/README.md ("Known defects"), names it, and is as narrow as the defect:
it either tightens an empty schema, removes a requirement that no valid body can meet, or says
where to find the description of an operation that a spec lacks. Nothing else is loosened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JSON = Any


@dataclass(frozen=True)
class Patch:
    """A change to one schema of one spec, applied once at load time."""

    dialect: str
    pointer: str  # JSON pointer into the spec as published
    defect: str
    drop_required: str | None = None  # remove this name from the schema's `required`
    replace: JSON = None  # or: replace the (empty) schema with this one
    was: JSON = None  # the schema ``replace`` takes the place of, when it is not empty


PATCHES: tuple[Patch, ...] = (
    Patch(
        "azure",
        "/components/schemas/createRunRequest",
        "requires `thread_id` but forbids it (additionalProperties: false); the thread is a "
        "path parameter, so no valid body exists",
        drop_required="thread_id",
    ),
    Patch(
        "azure",
        "/components/schemas/createThreadAndRunRequest",
        "requires `thread_id` but forbids it (additionalProperties: false); this call creates "
        "the thread, so no valid body exists",
        drop_required="thread_id",
    ),
    Patch(
        "azure",
        "/components/schemas/vectorStoreObject",
        "requires `bytes`, which it never declares; the size is the declared, required `usage_bytes`",
        drop_required="bytes",
    ),
    Patch(
        "openai",
        "/components/schemas/CompoundFilter/properties/filters/items",
        "a compound filter's nested filters refer to it with `$recursiveRef`, a draft 2019-09 "
        "keyword that 3.1's JSON Schema 2020-12 ignores: the branch accepts anything, so no "
        "nested comparison is valid under exactly one `oneOf` branch",
        replace={
            "oneOf": [
                {"$ref": "#/components/schemas/ComparisonFilter"},
                {"$ref": "#/components/schemas/CompoundFilter"},
            ],
        },
        was={
            "oneOf": [
                {"$ref": "#/components/schemas/ComparisonFilter"},
                {"$recursiveRef": "#"},
            ],
            "discriminator": {"propertyName": "type"},
        },
    ),
    # Foundry v1: TypeSpec unions that the autorest emitter wrote as empty schemas ({}), which
    # accept anything. Each becomes the union its description and the protocol define.
    Patch(
        "foundry",
        "/definitions/AgentsResponseFormatOption",
        "empty schema for `response_format`",
        replace={
            "anyOf": [
                {"$ref": "#/definitions/AgentsResponseFormatMode"},
                {"$ref": "#/definitions/AgentsResponseFormat"},
                {"$ref": "#/definitions/ResponseFormatJsonSchemaType"},
            ]
        },
    ),
    Patch(
        "foundry",
        "/definitions/AgentsToolChoiceOption",
        "empty schema for `tool_choice`",
        replace={
            "anyOf": [
                {"$ref": "#/definitions/AgentsToolChoiceOptionMode"},
                {"$ref": "#/definitions/AgentsNamedToolChoice"},
            ]
        },
    ),
    Patch(
        "foundry",
        "/definitions/MessageInputContent",
        "empty schema for message `content` (a string or a list of content blocks)",
        replace={
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"$ref": "#/definitions/MessageInputContentBlock"}},
            ]
        },
    ),
    Patch(
        "foundry",
        "/definitions/MessageAttachmentToolDefinition",
        "empty schema for attachment `tools` (code_interpreter or file_search)",
        replace={
            "anyOf": [
                {"$ref": "#/definitions/CodeInterpreterToolDefinition"},
                {"$ref": "#/definitions/FileSearchToolDefinition"},
            ]
        },
    ),
)

# Foundry v1: list envelopes are declared as {data, last_id, has_more}; the service (like its
# own FileListResponse) also sends `object: "list"` and `first_id`. Applied to every inline
# response schema with exactly that shape: declares both and requires `object`.
FOUNDRY_LIST_ENVELOPE_DEFECT = "list envelopes lack `object` and `first_id`"
FOUNDRY_LIST_ENVELOPE_EXTRA: dict[str, JSON] = {
    "object": {"type": "string", "enum": ["list"]},
    "first_id": {"type": "string"},
}

# How each dialect spells "this value may also be null". Azure (OpenAPI 3.0) and Foundry
# (Swagger 2.0 + autorest) use their standard keywords. OpenAI's spec is OpenAPI 3.1, where
# `nullable` is no keyword at all, yet it still writes `nullable: true` (with or without a
# `type`, on `$ref`s, and as a bare `{nullable: true}` member of `allOf`): defect "OpenAI
# nullable without type". Read it as its authors meant it: the value may be null. A bare
# `{nullable: true}` member of `allOf` makes the whole `allOf` nullable (LIFT_BARE_NULLABLE).
NULLABLE_KEYWORD: dict[str, str] = {
    "openai": "nullable",
    "azure": "nullable",
    "foundry": "x-nullable",
}
LIFT_BARE_NULLABLE: frozenset[str] = frozenset({"openai"})


@dataclass(frozen=True)
class Borrowed:
    """An operation the dialect serves but its spec lacks: validate it with another spec."""

    dialect: str
    source: str  # the dialect whose description is used
    operations: tuple[tuple[str, str], ...]  # (method, path template in the source spec)
    defect: str


BORROWED: tuple[Borrowed, ...] = (
    Borrowed(
        "azure",
        "openai",
        (
            ("get", "/files"),
            ("post", "/files"),
            ("get", "/files/{file_id}"),
            ("delete", "/files/{file_id}"),
            ("get", "/files/{file_id}/content"),
        ),
        "Azure 2024-05-01-preview has no /files paths (the service has them; later versions "
        "describe them as OpenAI does)",
    ),
    Borrowed(
        "azure",
        "openai",
        (("delete", "/threads/{thread_id}/messages/{message_id}"),),
        "Azure 2024-05-01-preview has no DELETE for messages (described in later versions)",
    ),
    Borrowed(
        "foundry",
        "openai",
        (("delete", "/threads/{thread_id}/messages/{message_id}"),),
        "Foundry v1 has no DELETE for messages",
    ),
)

# Foundry v1 uploads are Swagger 2.0 `in: formData` parameters with `type: file`, which JSON
# Schema cannot express: not patched, but read as Swagger defines them (operations._form): the
# parameters are the multipart form's fields, `type: file` ones are file parts, and the text
# fields are validated against their declared type/enum.

# Responses whose media type the spec gets wrong: any type is accepted, the body is not checked.
ANY_MEDIA_RESPONSES: dict[tuple[str, str, str], str] = {
    ("openai", "get", "/files/{file_id}/content"): (
        "`files/{id}/content` declares only JSON (a JSON string); it returns the file's bytes"
    ),
}

# Runs created or continued with `"stream": true` answer text/event-stream, which none of the
# specs declares as a response (OpenAI and Azure describe the events as schemas only; Foundry
# only names them). Such a response is accepted for these operations, only when the request
# asked for a stream, and each event's data is validated against the event's declared schema.
STREAM_DEFECT = "no event-stream response is declared for streamed runs"
STREAMED_OPERATIONS: dict[str, frozenset[tuple[str, str]]] = {
    "openai": frozenset(
        {
            ("post", "/threads/runs"),
            ("post", "/threads/{thread_id}/runs"),
            ("post", "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs"),
        }
    ),
    "foundry": frozenset(
        {
            ("post", "/threads/runs"),
            ("post", "/threads/{threadId}/runs"),
            ("post", "/threads/{threadId}/runs/{runId}/submit_tool_outputs"),
        }
    ),
}
STREAMED_OPERATIONS["azure"] = STREAMED_OPERATIONS["openai"]
