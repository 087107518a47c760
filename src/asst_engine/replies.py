"""Writing the assistant's reply: its message and the ``message_creation`` step that made it.

The message is created ``in_progress`` and empty, receives its content as deltas, then
completes; the step runs alongside it. Polling clients only ever see the end state (it all
happens within one request), while a stream sees every event in the real service's order:
step created, step in_progress, message created, message in_progress, deltas, message
completed (or incomplete), step completed.
"""

from __future__ import annotations

from collections.abc import Callable

from asst_engine import deltas, messages, responder, steps
from asst_engine.state import JSON, Engine

# Announces a change as the stream event of that name, with the object as its data.
Emit = Callable[[str, JSON], None]


def silent(name: str, data: JSON) -> None:
    """The ``Emit`` of polling clients: nobody listens."""


def write(
    engine: Engine,
    run: JSON,
    prompt_tokens: int,
    reply: responder.Reply,
    emit: Emit,
    cut: bool = False,
) -> int:
    """Write ``reply`` into the run's thread; returns the completion tokens it cost.

    A ``cut`` reply is an incomplete message, as when the real model hits its token limit.
    """
    fields = {"role": "assistant", "content": []}
    message = messages.add(engine, run["thread_id"], fields, run["id"], run["assistant_id"])
    message.update(status="in_progress", completed_at=None)
    step = steps.add(engine, run, steps.message_creation(message["id"]), "in_progress")
    emit("thread.run.step.created", step)
    emit("thread.run.step.in_progress", step)
    emit("thread.message.created", message)
    emit("thread.message.in_progress", message)
    content = [messages.text_part(reply.text)]
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
    tokens = responder.count_tokens(reply.text)
    step.update(
        status="completed",
        completed_at=step["created_at"],
        usage=steps.usage(prompt_tokens, tokens),
    )
    emit("thread.run.step.completed", step)
    return tokens
