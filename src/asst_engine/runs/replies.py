"""Writing the assistant's reply from turn events: the files it made, the built-in tool call it
used, its message and the ``message_creation`` step that made that message.

The message is created ``in_progress`` and empty when its first part arrives, receives its
content as deltas, then completes; the step runs alongside it. Polling clients see the end state,
while a stream sees every event in the real service's order: [tool step created, in_progress,
completed,] step created, step in_progress, message created, message in_progress, deltas,
message completed (or incomplete), step completed.
"""

from __future__ import annotations

from collections.abc import Callable

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.models.turn import (
    Citation,
    Code,
    CodeInput,
    CodeOutputs,
    CodeStart,
    FileLink,
    HostedCall,
    Image,
    MessageEnd,
    Produced,
    Search,
    Text,
)
from asst_engine.resources import files, messages
from asst_engine.runs import code_steps, deltas, steps
from asst_engine.tools import file_search
from asst_engine.tools.produced import OutputFile

# Announces a change as the stream event of that name, with the object as its data.
Emit = Callable[[str, JSON], None]
ReplyEvent = Produced | HostedCall | CodeStart | CodeInput | CodeOutputs | Image | Text | MessageEnd
RANKING = {"ranker": "default_2024_08_21", "score_threshold": 0.0}


def silent(name: str, data: JSON) -> None:
    """The ``Emit`` of polling clients: nobody listens."""


class Writer:
    """One turn's reply as it arrives; ``take`` returns the completion tokens each event cost."""

    def __init__(self, engine: Engine, run: JSON, prompt_tokens: int, emit: Emit) -> None:
        self.engine = engine
        self.run = run
        self.prompt_tokens = prompt_tokens
        self.emit = emit
        # Ids of the files the turn made, by file name (image parts and links name them).
        self.made: dict[str, str] = {}
        self.message: JSON | None = None
        self.step: JSON | None = None
        self.parts: list[JSON] = []
        # The code_interpreter step being run, between ``CodeStart`` and ``CodeOutputs``.
        self.code_step: JSON | None = None

    def _keep(self, file: OutputFile) -> str:
        """Store a file the run made, as its thread owner's: the worker's unit of work is
        unscoped, and a file (top-level) has no parent to take an owner from."""
        store = self.engine.store
        with store.unit_of_work(store.owner_of("threads", str(self.run["thread_id"]))):
            return str(files.add(self.engine, file.filename, "assistants_output", file.data)["id"])

    def take(self, event: ReplyEvent) -> int:
        if isinstance(event, Produced):
            self.made[event.file.filename] = self._keep(event.file)
        elif isinstance(event, HostedCall):
            self._use_tool(event.tool, event.completion_tokens)
            return event.completion_tokens
        elif isinstance(event, CodeStart | CodeInput | CodeOutputs):
            return self._code(event)
        elif isinstance(event, Image):
            part = {"type": "image_file", "image_file": {"file_id": self.made[event.filename]}}
            self._add_part(part)
        elif isinstance(event, Text):
            self._add_text(event)
        else:
            self.end(event.cut)
            self._complete(event.completion_tokens)
            return event.completion_tokens
        return 0

    def end(self, cut: bool, reason: str = "max_tokens") -> None:
        """End the message: its content is what arrived; a ``cut`` one is ``incomplete``
        (``reason``: max_tokens, run_cancelled, run_expired...)."""
        message = self._open()
        message["content"] = self.parts
        # No extra clock readings: re-recorded cassettes keep their timestamps.
        if cut:
            message.update(
                status="incomplete",
                incomplete_at=message["created_at"],
                incomplete_details={"reason": reason},
            )
            self.emit("thread.message.incomplete", message)
        else:
            message.update(status="completed", completed_at=message["created_at"])
            self.emit("thread.message.completed", message)

    def rebind(self, run: JSON) -> None:
        """Objects from an earlier unit of work are stale: get the ones being written again."""
        self.run = run
        store = self.engine.store
        if self.message is not None:
            self.message = store.messages.get(self.message["id"], run["thread_id"]) or self.message
        if self.step is not None:
            self.step = store.steps.get(self.step["id"], run["id"]) or self.step
        if self.code_step is not None:
            found = store.steps.get(self.code_step["id"], run["id"])
            self.code_step = found or self.code_step

    @property
    def writing(self) -> bool:
        """A message has begun and not ended yet."""
        return self.message is not None and self.message["status"] == "in_progress"

    def _open(self) -> JSON:
        """The message being written, created with its step on the first part."""
        if self.message is not None:
            return self.message
        run = self.run
        fields = {"role": "assistant", "content": []}
        message = messages.add(
            self.engine, run["thread_id"], fields, run["id"], run["assistant_id"]
        )
        message.update(status="in_progress", completed_at=None)
        details = steps.message_creation(message["id"])
        self.step = steps.add(self.engine, run, details, "in_progress")
        self.emit("thread.run.step.created", self.step)
        self.emit("thread.run.step.in_progress", self.step)
        self.emit("thread.message.created", message)
        self.emit("thread.message.in_progress", message)
        self.message = message
        return message

    def _add_part(self, part: JSON) -> None:
        message = self._open()
        self.parts.append(part)
        self.emit("thread.message.delta", deltas.of_part(message["id"], len(self.parts) - 1, part))

    def _add_text(self, event: Text) -> None:
        message = self._open()
        if not self.parts or self.parts[-1]["type"] != "text":
            self.parts.append(messages.text_part(""))
        text = self.parts[-1]["text"]
        text["value"] += event.text
        notes = [self._annotation(text["value"], note) for note in event.notes]
        delta = deltas.of_text(
            message["id"], len(self.parts) - 1, event.text, notes, len(text["annotations"])
        )
        text["annotations"] += notes
        self.emit("thread.message.delta", delta)

    def _complete(self, completion_tokens: int) -> None:
        if self.step is not None:
            _complete(self.step, steps.usage(self.prompt_tokens, completion_tokens), self.emit)
        self.message = self.step = None
        self.parts = []

    def _code(self, event: CodeStart | CodeInput | CodeOutputs) -> int:
        if isinstance(event, CodeStart):
            self.code_step = code_steps.open_step(self.engine, self.run, self.emit)
            return 0
        step = self.code_step
        assert step is not None, "code input or outputs without CodeStart"
        if isinstance(event, CodeInput):
            code_steps.add_input(step, event.piece, self.emit)
            return 0
        images = [self.made[name] for name in event.images]
        usage = steps.usage(self.prompt_tokens, event.completion_tokens)
        code_steps.complete(step, event.logs, images, usage, self.engine.now(), self.emit)
        self.code_step = None
        return event.completion_tokens

    def _annotation(self, text: str, note: Citation | FileLink) -> JSON:
        # The delta being added completes the note's text: its last occurrence is this one.
        start = text.rindex(note.text)
        where = {"text": note.text, "start_index": start, "end_index": start + len(note.text)}
        if isinstance(note, Citation):
            # ``quote`` is dropped again where the dialect's schema has none (see ``dialects``).
            cited = {"file_id": note.source.file_id, "quote": note.source.quote}
            return {"type": "file_citation", **where, "file_citation": cited}
        file_path = {"file_id": self.made[note.filename]}
        return {"type": "file_path", **where, "file_path": file_path}

    def _use_tool(self, tool: Search | Code, completion_tokens: int) -> None:
        """The ``tool_calls`` step of a built-in tool call, run to completion."""
        if isinstance(tool, Search) and tool.findings:  # a model's searches, a call each
            made = [file_search.step_call(findings) for findings in tool.findings]
        elif isinstance(tool, Search):
            found = [
                {"file_id": s.file_id, "file_name": s.filename, "score": 1.0} for s in tool.found
            ]
            made = [{"ranking_options": dict(RANKING), "results": found}]
        else:
            image = {"type": "image", "image": {"file_id": self.made[tool.image]}}
            made = [{"input": tool.input, "outputs": [image]}]
        kind = "file_search" if isinstance(tool, Search) else "code_interpreter"
        calls = [{"id": self.engine.new_id("call_"), "type": kind, kind: call} for call in made]
        details = steps.tool_calls(calls)
        step = steps.add(self.engine, self.run, details, "in_progress")
        # Whole, content included: a stream shows it only if its request's include[] asked.
        self.emit("thread.run.step.created", step)
        self.emit("thread.run.step.in_progress", step)
        _complete(step, steps.usage(self.prompt_tokens, completion_tokens), self.emit)


def _complete(step: JSON, usage: JSON, emit: Emit) -> None:
    step.update(status="completed", completed_at=step["created_at"], usage=usage)
    emit("thread.run.step.completed", step)
