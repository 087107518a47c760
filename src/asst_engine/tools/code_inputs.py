"""What a run's code_interpreter works with, read from the store while the run's turn is made.

- ``files``: the files the sandbox holds in /mnt/data under their names: the assistant's
  ``tool_resources.code_interpreter.file_ids`` (or the run's own, Foundry's run-level override),
  the thread's, and the thread's message attachments that name the code_interpreter tool.
  Files no longer stored are left out; a name met twice keeps its first file.
- ``history``: the code each earlier run of the thread ran, so a model asked about it later
  (the quickstart's "Show me the code you used") sees it.
"""

from __future__ import annotations

from collections.abc import Iterator

from asst_engine.engine import Engine
from asst_engine.json_types import JSON


def files(engine: Engine, run: JSON) -> tuple[tuple[str, str], ...]:
    """(file name, file id) of each file, in the order above."""
    named: dict[str, str] = {}
    for file_id in _file_ids(engine, run):
        found = engine.store.files.get(file_id)
        if found is not None:
            named.setdefault(str(found["filename"]), file_id)
    return tuple(named.items())


def _file_ids(engine: Engine, run: JSON) -> Iterator[str]:
    store = engine.store
    first = run if "tool_resources" in run else store.assistants.get(run["assistant_id"])
    for owner in (first, store.threads.get(run["thread_id"])):
        resources = (owner or {}).get("tool_resources") or {}
        yield from (resources.get("code_interpreter") or {}).get("file_ids") or []
    for message in store.messages.list(run["thread_id"]):
        for attachment in message.get("attachments") or []:
            kinds = {tool.get("type") for tool in attachment.get("tools") or []}
            if "code_interpreter" in kinds:
                yield str(attachment["file_id"])


def history(engine: Engine, run: JSON) -> dict[str, tuple[str, ...]]:
    """The inputs of the completed code_interpreter calls of the thread's other runs."""
    ran: dict[str, tuple[str, ...]] = {}
    for other in engine.store.runs.list(run["thread_id"]):
        if other["id"] == run["id"]:
            continue
        inputs = tuple(
            str(call["code_interpreter"]["input"])
            for step in engine.store.steps.list(other["id"])
            for call in step["step_details"].get("tool_calls") or []
            if call["type"] == "code_interpreter" and step["status"] == "completed"
        )
        if inputs:
            ran[other["id"]] = inputs
    return ran
