"""The routing table: resource path templates → method → handler.

The paths are the same in the three dialects. Where a dialect's spec lacks an operation the
server still serves it, because the real services did:
- Azure 2024-05-01-preview has no ``/files`` paths and no DELETE for messages.
- Foundry v1 has no DELETE for messages.
- Only Foundry lists threads (``GET /threads``).
- ``/asst/import`` is this server's own (``resources/imports.py``), OpenAI dialect only.
- Only OpenAI's has vector store search, a store file's content and its attributes update.
What bodies may carry differs by dialect (``Dialect.accepts``), and handlers are told it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

from asst_engine.engine import Engine
from asst_engine.errors import EngineError
from asst_engine.http.exchange import Download, Reply, Request
from asst_engine.http.streams import streamed
from asst_engine.resources import (
    assistants,
    batches,
    files,
    imports,
    messages,
    search,
    store_files,
    threads,
    vector_stores,
)
from asst_engine.runs import operations as runs

Handler = Callable[[Engine, Request], Any]
POLL_HINT = "openai-poll-after-ms"
# A template's {name} segment: the path parameter ``name``.
PARAMETER = re.compile(r"\{(\w+)\}")


def _download(engine: Engine, request: Request) -> Reply:
    filename, content, size = files.content(engine, request.params["file_id"])
    headers = {
        "Content-Type": "application/octet-stream",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return Reply(Download(content, size), headers=headers)


def _retrieve_run(engine: Engine, request: Request) -> Reply:
    """Retrieving a run advances it; the real service also told pollers when to look again."""
    run = runs.retrieve(engine, request.params["thread_id"], request.params["run_id"])
    hint = engine.options.poll_after_ms
    return Reply(run, headers={} if hint is None else {POLL_HINT: str(hint)})


def _upload(engine: Engine, request: Request) -> Any:
    dialect = request.dialect
    named = dialect.accepts.upload_filename
    return files.upload(engine, request.form(), dialect.file_purposes, named)


def _item(
    template: str, resource: ModuleType, *, dialect_body: bool = False
) -> tuple[str, dict[str, Handler]]:
    """Retrieve, update and delete one object of ``resource``, which takes the template's ids
    in order; ``dialect_body``: its update is told what the dialect's bodies may carry."""
    names = PARAMETER.findall(template)

    def ids(request: Request) -> list[str]:
        return [request.params[name] for name in names]

    def update(engine: Engine, request: Request) -> Any:
        accepts = (request.dialect.accepts,) if dialect_body else ()
        return resource.update(engine, *ids(request), request.json(), *accepts)

    return template, {
        "GET": lambda e, r: resource.retrieve(e, *ids(r)),
        "POST": update,
        "DELETE": lambda e, r: resource.delete(e, *ids(r)),
    }


# (template, {method: handler}); a template's {name} segments become ``request.params``.
# Order matters: "/threads/runs" must win over "/threads/{thread_id}".
TABLE: list[tuple[str, dict[str, Handler]]] = [
    ("/asst/import", {"POST": lambda e, r: imports.run(e, r.raw, r.dialect.name)}),
    ("/assistants", {
        "GET": lambda e, r: assistants.listing(e, r.query),
        "POST": lambda e, r: assistants.create(e, r.json(), r.dialect.accepts),
    }),
    _item("/assistants/{assistant_id}", assistants, dialect_body=True),
    ("/files", {
        "GET": lambda e, r: files.listing(e, r.query),
        "POST": _upload,
    }),
    ("/files/{file_id}", {
        "GET": lambda e, r: files.retrieve(e, r.params["file_id"]),
        "DELETE": lambda e, r: files.delete(e, r.params["file_id"]),
    }),
    ("/files/{file_id}/content", {"GET": _download}),
    ("/threads/runs", {
        "POST": streamed(
            lambda e, r, emit: runs.create_and_run(e, r.json(), emit, accepts=r.dialect.accepts)
        ),
    }),
    ("/threads", {
        "GET": lambda e, r: threads.listing(e, r.query),
        "POST": lambda e, r: threads.create(e, r.json(), r.dialect.accepts),
    }),
    _item("/threads/{thread_id}", threads, dialect_body=True),
    ("/threads/{thread_id}/messages", {
        "GET": lambda e, r: messages.listing(e, r.params["thread_id"], r.query),
        "POST": lambda e, r: messages.create(e, r.params["thread_id"], r.json()),
    }),
    _item("/threads/{thread_id}/messages/{message_id}", messages),
    ("/threads/{thread_id}/runs", {
        "GET": lambda e, r: runs.listing(e, r.params["thread_id"], r.query),
        "POST": streamed(
            lambda e, r, emit: runs.create(
                e, r.params["thread_id"], r.json(), emit, accepts=r.dialect.accepts
            )
        ),
    }),
    ("/threads/{thread_id}/runs/{run_id}", {
        "GET": _retrieve_run,
        "POST": lambda e, r: runs.update(e, r.params["thread_id"], r.params["run_id"], r.json()),
    }),
    ("/threads/{thread_id}/runs/{run_id}/cancel", {
        "POST": lambda e, r: runs.cancel(e, r.params["thread_id"], r.params["run_id"]),
    }),
    ("/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", {
        "POST": streamed(lambda e, r, emit: runs.submit_tool_outputs(
            e, r.params["thread_id"], r.params["run_id"], r.json(), emit
        )),
    }),
    ("/threads/{thread_id}/runs/{run_id}/steps", {
        "GET": lambda e, r: runs.list_steps(e, r.params["thread_id"], r.params["run_id"], r.query),
    }),
    ("/threads/{thread_id}/runs/{run_id}/steps/{step_id}", {
        "GET": lambda e, r: runs.retrieve_step(
            e, r.params["thread_id"], r.params["run_id"], r.params["step_id"], r.query
        ),
    }),
    ("/vector_stores", {
        "GET": lambda e, r: vector_stores.listing(e, r.query),
        "POST": lambda e, r: vector_stores.create(e, r.json(), r.dialect.accepts),
    }),
    _item("/vector_stores/{vs_id}", vector_stores),
    ("/vector_stores/{vs_id}/files", {
        "GET": lambda e, r: store_files.listing(e, r.params["vs_id"], r.query),
        "POST": lambda e, r: store_files.create(
            e, r.params["vs_id"], r.json(), r.dialect.accepts
        ),
    }),
    _item("/vector_stores/{vs_id}/files/{file_id}", store_files),
    ("/vector_stores/{vs_id}/files/{file_id}/content", {
        "GET": lambda e, r: search.content(e, r.params["vs_id"], r.params["file_id"]),
    }),
    ("/vector_stores/{vs_id}/search", {
        "POST": lambda e, r: search.search(e, r.params["vs_id"], r.json()),
    }),
    ("/vector_stores/{vs_id}/file_batches", {
        "POST": lambda e, r: batches.create(e, r.params["vs_id"], r.json(), r.dialect.accepts),
    }),
    ("/vector_stores/{vs_id}/file_batches/{batch_id}", {
        "GET": lambda e, r: batches.retrieve(e, r.params["vs_id"], r.params["batch_id"]),
    }),
    ("/vector_stores/{vs_id}/file_batches/{batch_id}/cancel", {
        "POST": lambda e, r: batches.cancel(e, r.params["vs_id"], r.params["batch_id"]),
    }),
    ("/vector_stores/{vs_id}/file_batches/{batch_id}/files", {
        "GET": lambda e, r: batches.files(e, r.params["vs_id"], r.params["batch_id"], r.query),
    }),
]  # fmt: skip


def _compile(template: str) -> re.Pattern[str]:
    return re.compile("^" + PARAMETER.sub(r"(?P<\1>[^/]+)", template) + "$")


ROUTES = [(_compile(template), methods) for template, methods in TABLE]


def match(method: str, path: str, shown: str) -> tuple[Handler, dict[str, str]]:
    """The handler for ``method path`` and its path parameters; 404 or 405 otherwise.

    ``shown`` is the full request path, which the errors quote as the real API does.
    """
    for pattern, methods in ROUTES:
        found = pattern.match(path)
        if found:
            if method not in methods:
                allowed = ", ".join(methods)
                message = f"Method {method} is not allowed on {shown} (allowed: {allowed})."
                raise EngineError(405, message, headers={"Allow": allowed})
            return methods[method], found.groupdict()
    raise EngineError(404, f"Invalid URL ({method} {shown})")
