"""code_interpreter in a model-backed run: the model's ``python`` calls run in the thread's
sandbox and become turn events.

For each call: its ``tool_calls`` step opens and receives the code line by line
(``CodeStart``, ``CodeInput``); the code runs with the run's code_interpreter files in
/mnt data; each PNG it shows becomes a file (``Produced``) and an ``image`` output; each file
it writes to /mnt/data becomes a file that links in the reply (``sandbox:/mnt/data/<name>``)
point to; ``CodeOutputs`` completes the step. The model gets the logs (errors and timeouts
included, so it can recover) and a note of the images and files, and goes on.

``Reply`` carries what the next message shows: the images (``image_file`` parts, before its
text) and the file links its text gets ``file_path`` annotations on, at their exact ranges.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Generator, Iterator
from typing import BinaryIO

from asst_engine.models.base import ToolCall
from asst_engine.models.turn import (
    CodeInput,
    CodeOutputs,
    CodeStart,
    FileLink,
    Image,
    MessageEnd,
    Produced,
    Text,
    Turn,
    TurnEvent,
)
from asst_engine.tools.produced import OutputFile
from asst_engine.tools.sandbox import Execution, Sandbox

SANDBOX_LINK = "sandbox:/mnt/data/"
NO_SANDBOX = (
    "This server runs no code: the run has the code_interpreter tool but the server was "
    "started without a sandbox; remove code_interpreter from the assistant or the run."
)


class Reply:
    """What the reply message shows besides the model's text, gathered from the code run."""

    def __init__(self) -> None:
        self.images: list[str] = []
        self.links: dict[str, str] = {}  # sandbox link -> name of the file made
        self.count = 0  # images made in this turn, for their names
        self.text = ""  # of the message being written
        self.writing = False

    def pass_on(self, event: TurnEvent) -> Iterator[TurnEvent]:
        """``event`` as the reply shows it: the images not shown yet open the next message
        (before its text), and its text gets the file links it completes."""
        if isinstance(event, Text | MessageEnd) and not self.writing:
            self.writing = True
            yield from (Image(name) for name in self.images)
            self.images = []
        if isinstance(event, Text):
            yield self._links(event)
            return
        if isinstance(event, MessageEnd):
            self.writing, self.text = False, ""
        yield event

    def _links(self, event: Text) -> Text:
        start = len(self.text)
        self.text += event.text
        notes = []
        for link, name in self.links.items():
            found = self.text.rfind(link)
            if found >= 0 and found + len(link) > start:
                notes.append(FileLink(link, name))
        return Text(event.text, event.notes + tuple(notes))


def run_calls(
    sandbox: Sandbox, turn: Turn, calls: tuple[ToolCall, ...], tokens: int, reply: Reply
) -> Generator[TurnEvent, None, dict[str, str]]:
    """Run each ``python`` call; the outputs for the model, by call id. The calls' cost
    (``tokens``) goes on the first step."""
    outputs: dict[str, str] = {}
    for call in calls:
        code = code_of(call.arguments)
        yield CodeStart()
        for line in code.splitlines(keepends=True):
            yield CodeInput(line)
        done = _execute(sandbox, turn, code)
        images = []
        for png in done.images:
            reply.count += 1
            images.append(f"image-{reply.count}.png")
            yield Produced(OutputFile(images[-1], png))
        for name, path in done.files_written:
            reply.links[SANDBOX_LINK + name] = name
            yield Produced(OutputFile(name, path.read_bytes()))
        reply.images += images
        yield CodeOutputs(done.logs, tuple(images), tokens)
        tokens = 0
        outputs[call.id] = _for_model(done, images)
    return outputs


def code_of(arguments: str) -> str:
    """The code of a call: ``{"code": ...}``; a model that sends bare code is taken at its word."""
    try:
        parsed = json.loads(arguments)
    except ValueError:
        return arguments
    if isinstance(parsed, dict) and isinstance(parsed.get("code"), str):
        return str(parsed["code"])
    return arguments


def _execute(sandbox: Sandbox, turn: Turn, code: str) -> Execution:
    with contextlib.ExitStack() as stack:
        files: list[tuple[str, BinaryIO]] = []
        for name, file_id in turn.code_files:
            reader = turn.open_file(file_id)
            if reader is not None:
                files.append((name, stack.enter_context(reader)))
        return sandbox.execute(turn.run["thread_id"], code, files)


def _for_model(done: Execution, images: list[str]) -> str:
    notes = [f"[image shown to the user: {name}]" for name in images]
    notes += [f"[file written: {SANDBOX_LINK}{name}]" for name, _ in done.files_written]
    logs = done.logs if done.logs or notes else "(no output)"
    return "\n".join([logs.rstrip("\n"), *notes]).strip("\n")
