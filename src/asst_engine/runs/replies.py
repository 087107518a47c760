"""Writing the assistant's reply: the files it made, the built-in tool call it used, its message
and the ``message_creation`` step that made that message.

The message is created ``in_progress`` and empty, receives its content as deltas, then
completes; the step runs alongside it. Polling clients only ever see the end state (it all
happens within one request), while a stream sees every event in the real service's order:
[tool step created, in_progress, completed,] step created, step in_progress, message created,
message in_progress, deltas, message completed (or incomplete), step completed.
"""

from __future__ import annotations

from collections.abc import Callable

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.models import scripted as responder
from asst_engine.models.scripted import Reply
from asst_engine.models.turn import Citation, Code, FileLink, Search
from asst_engine.resources import files, messages
from asst_engine.runs import deltas, steps

# Announces a change as the stream event of that name, with the object as its data.
Emit = Callable[[str, JSON], None]
RANKING = {"ranker": "default_2024_08_21", "score_threshold": 0.0}


def silent(name: str, data: JSON) -> None:
    """The ``Emit`` of polling clients: nobody listens."""


def write(
    engine: Engine, run: JSON, prompt_tokens: int, reply: Reply, emit: Emit, cut: bool = False
) -> int:
    """Write ``reply`` into the run's thread; returns the completion tokens it cost.

    A ``cut`` reply is an incomplete message, as when the real model hits its token limit.
    """
    made = _make_files(engine, reply)
    tokens = 0
    if reply.tool is not None:
        tokens += _use_tool(engine, run, prompt_tokens, reply.tool, made, emit)
    fields = {"role": "assistant", "content": []}
    message = messages.add(engine, run["thread_id"], fields, run["id"], run["assistant_id"])
    message.update(status="in_progress", completed_at=None)
    step = steps.add(engine, run, steps.message_creation(message["id"]), "in_progress")
    emit("thread.run.step.created", step)
    emit("thread.run.step.in_progress", step)
    _fill(message, _content(reply, made), cut, emit)
    text_tokens = responder.count_tokens(reply.text)
    _complete(step, steps.usage(prompt_tokens, text_tokens), emit)
    return tokens + text_tokens


def _fill(message: JSON, content: list[JSON], cut: bool, emit: Emit) -> None:
    """Stream ``content`` into the new, empty message, then end it."""
    emit("thread.message.created", message)
    emit("thread.message.in_progress", message)
    for delta in deltas.of_content(message["id"], content):
        emit("thread.message.delta", delta)
    message["content"] = content
    # No extra clock readings: re-recorded cassettes keep their timestamps.
    if cut:
        message.update(
            status="incomplete",
            incomplete_at=message["created_at"],
            incomplete_details={"reason": "max_tokens"},
        )
        emit("thread.message.incomplete", message)
    else:
        message.update(status="completed", completed_at=message["created_at"])
        emit("thread.message.completed", message)


def _make_files(engine: Engine, reply: Reply) -> dict[str, str]:
    """Store the files the run made; their ids by file name."""
    stored = [files.add(engine, f.filename, "assistants_output", f.data) for f in reply.files]
    return {file["filename"]: file["id"] for file in stored}


def _complete(step: JSON, usage: JSON, emit: Emit) -> None:
    step.update(status="completed", completed_at=step["created_at"], usage=usage)
    emit("thread.run.step.completed", step)


def _use_tool(
    engine: Engine,
    run: JSON,
    prompt_tokens: int,
    tool: Search | Code,
    made: dict[str, str],
    emit: Emit,
) -> int:
    """The ``tool_calls`` step of a built-in tool call, run to completion; its token cost."""
    call_id = engine.new_id("call_")
    if isinstance(tool, Search):
        found = [{"file_id": s.file_id, "file_name": s.filename, "score": 1.0} for s in tool.found]
        call = {"ranking_options": dict(RANKING), "results": found}
    else:
        image = {"type": "image", "image": {"file_id": made[tool.image]}}
        call = {"input": tool.input, "outputs": [image]}
    kind = "file_search" if isinstance(tool, Search) else "code_interpreter"
    details = steps.tool_calls([{"id": call_id, "type": kind, kind: call}])
    step = steps.add(engine, run, details, "in_progress")
    emit("thread.run.step.created", step)
    emit("thread.run.step.in_progress", step)
    _complete(step, steps.usage(prompt_tokens, 1), emit)
    return 1


def _content(reply: Reply, made: dict[str, str]) -> list[JSON]:
    """The message content: an image part if the reply shows one, then the annotated text."""
    parts: list[JSON] = []
    if reply.image is not None:
        parts.append({"type": "image_file", "image_file": {"file_id": made[reply.image]}})
    text = messages.text_part(reply.text)
    text["text"]["annotations"] = [_annotation(reply.text, n, made) for n in reply.notes]
    return [*parts, text]


def _annotation(text: str, note: Citation | FileLink, made: dict[str, str]) -> JSON:
    start = text.index(note.text)
    where = {"text": note.text, "start_index": start, "end_index": start + len(note.text)}
    if isinstance(note, Citation):
        # ``quote`` is dropped again where the dialect's schema has none (see ``dialects``).
        cited = {"file_id": note.source.file_id, "quote": note.source.quote}
        return {"type": "file_citation", **where, "file_citation": cited}
    return {"type": "file_path", **where, "file_path": {"file_id": made[note.filename]}}
