"""Every path of the protocol, built in one place; the backend only decides where they go
(client.py), and api.py sends them.

Ids come from the command line, from definition files and from servers. Each one becomes exactly
one escaped path segment, so no id can add a segment, a query or a fragment to the path.
Builders from ids return an object's path; the sub-resource helpers (``cancel``, ``content``,
``file_batches``, ``files_of``, ``submit_tool_outputs``) extend a path that a builder returned.
"""

from __future__ import annotations

from urllib.parse import quote

from .errors import UsageError

ASSISTANTS = "/assistants"
FILES = "/files"
THREADS = "/threads"
# Create a thread and run it in one request.
THREAD_RUNS = "/threads/runs"
VECTOR_STORES = "/vector_stores"
# The only include[] value the protocol defines (steps): the content of file_search results.
FILE_SEARCH_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"
# The asst engine's own: objects of a thread bundle stored with their ids (OpenAI dialect only).
IMPORT = "/asst/import"


def segment(value: str, what: str) -> str:
    """One path segment from an id (``what`` names it in errors): never empty, never able to
    change the path. Escaping covers "/", "?" and "#"; "." and ".." are refused, since URL
    normalisation would resolve them to the parent path."""
    cleaned = value.strip()
    if not cleaned:
        raise UsageError(f"the {what} is empty", f"pass the {what} of an existing object")
    if cleaned in (".", ".."):
        raise UsageError(f"{cleaned!r} is not a {what}", f"pass the {what} of an existing object")
    return quote(cleaned, safe="")


def assistant(assistant_id: str) -> str:
    return f"{ASSISTANTS}/{segment(assistant_id, 'assistant id')}"


def file(file_id: str) -> str:
    return f"{FILES}/{segment(file_id, 'file id')}"


def thread(thread_id: str) -> str:
    return f"{THREADS}/{segment(thread_id, 'thread id')}"


def messages(thread_id: str) -> str:
    return f"{thread(thread_id)}/messages"


def message(thread_id: str, message_id: str) -> str:
    return f"{messages(thread_id)}/{segment(message_id, 'message id')}"


def runs(thread_id: str) -> str:
    return f"{thread(thread_id)}/runs"


def run(thread_id: str, run_id: str) -> str:
    return f"{runs(thread_id)}/{segment(run_id, 'run id')}"


def steps(thread_id: str, run_id: str) -> str:
    return f"{run(thread_id, run_id)}/steps"


def step(thread_id: str, run_id: str, step_id: str) -> str:
    return f"{steps(thread_id, run_id)}/{segment(step_id, 'step id')}"


def vector_store(store_id: str) -> str:
    return f"{VECTOR_STORES}/{segment(store_id, 'vector store id')}"


def store_file(store_id: str, file_id: str) -> str:
    return f"{files_of(vector_store(store_id))}/{segment(file_id, 'file id')}"


def batches(store_id: str) -> str:
    return file_batches(vector_store(store_id))


def batch(store_id: str, batch_id: str) -> str:
    return f"{batches(store_id)}/{segment(batch_id, 'batch id')}"


def cancel(object_path: str) -> str:
    """Cancelling a run or a file batch."""
    return f"{object_path}/cancel"


def submit_tool_outputs(run_path: str) -> str:
    return f"{run_path}/submit_tool_outputs"


def content(file_path: str) -> str:
    """The bytes of a file."""
    return f"{file_path}/content"


def file_batches(store_path: str) -> str:
    return f"{store_path}/file_batches"


def files_of(object_path: str) -> str:
    """The files of a vector store or of a file batch."""
    return f"{object_path}/files"
