"""The turn-level contract between a run and whatever decides its outcome.

A ``Responder`` is given a ``Turn`` (the run's settings, the thread, the function calls already
answered) and answers with a stream of ``TurnEvent``s, which the run lifecycle turns into steps,
messages, stream events and the run's final status:

- ``Prompt(tokens)``: the size of the prompt, for the run's ``usage.prompt_tokens``;
- ``Produced(file)``: a file the turn made (stored with purpose ``assistants_output``);
- ``HostedCall(tool, completion_tokens)``: a built-in tool call, a completed ``tool_calls`` step;
- ``CodeStart()``, ``CodeInput(piece)``, ``CodeOutputs(logs, images, completion_tokens)``: a
  ``code_interpreter`` call as it happens: its step opens, its code arrives in pieces, then its
  outputs (``images`` name files ``Produced`` before) complete the step;
- ``Image(filename)``, ``Text(text, notes)``: the reply message, part by part and delta by
  delta as they arrive (``notes`` are the annotations whose text this delta completes);
- ``MessageEnd(completion_tokens, cut)``: the reply is complete (or cut: ``incomplete``);
- ``CallDelta(index, name, arguments)``: a fragment of a function call as a model streams it
  (the name once, the arguments in pieces); the turn still ends with ``FunctionCalls``;
- ``FunctionCalls(calls, completion_tokens)``: the run stops in ``requires_action``; once the
  outputs are submitted the responder is asked again, with them in ``Turn.answered``;
- ``Failed(code, message)``, ``Expired()``, ``Incomplete(reason)``: how the run ends otherwise;
- ``Stalled()``: the run stays ``in_progress`` until it is cancelled.
A stream that simply ends completes the run. ``respond`` is called when the run starts (or
resumes); an implementation that calls a model does its work lazily, as the events are taken,
and stops early when ``cancel`` is set. Errors of a model map to ``Failed`` (``last_error``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from asst_engine.json_types import JSON
from asst_engine.tools.file_search import Findings
from asst_engine.tools.produced import OutputFile
from asst_engine.tools.search import Source

# A run's file search: ``search(queries, message)`` (see ``tools/run_search.py``).
SearchFiles = Callable[[Sequence[str], int], Findings]


@dataclass(frozen=True)
class Citation:
    """A ``file_citation`` annotation on ``text`` (the marker) in the reply."""

    text: str
    source: Source


@dataclass(frozen=True)
class FileLink:
    """A ``file_path`` annotation on ``text`` (a sandbox path) to a file the run made."""

    text: str
    filename: str


@dataclass(frozen=True)
class Search:
    """A ``file_search`` tool call and what it found: ``found`` (the scripted responder's
    first file), or ``findings`` (a model's searches, one call each, with scores and content)."""

    found: tuple[Source, ...]
    findings: tuple[Findings, ...] = ()


@dataclass(frozen=True)
class EarlierSearch:
    """A search this run made before its latest round of function calls, read back from its
    step: ``rounds`` is how many function rounds came before it."""

    rounds: int
    findings: Findings


@dataclass(frozen=True)
class Code:
    """A ``code_interpreter`` tool call whose output is the image file ``image``."""

    input: str
    image: str


@dataclass(frozen=True)
class CodeStart:
    pass


@dataclass(frozen=True)
class CodeInput:
    piece: str


@dataclass(frozen=True)
class CodeOutputs:
    logs: str
    images: tuple[str, ...]
    completion_tokens: int


@dataclass(frozen=True)
class FunctionCall:
    name: str
    arguments: str  # JSON text, as the API sends it


@dataclass(frozen=True)
class Answered:
    """A function call of an earlier round of the run, with the output the client submitted."""

    call_id: str
    name: str
    arguments: str
    output: str


def _no_source() -> Source | None:
    return None


def _no_file(file_id: str) -> BinaryIO | None:
    return None


@dataclass(frozen=True)
class Turn:
    """What a responder reads. ``run`` and ``messages`` are the stored objects: read only."""

    run: JSON
    messages: tuple[JSON, ...]
    # Rounds of function calls answered so far, oldest first, calls in the order asked.
    answered: tuple[tuple[Answered, ...], ...] = ()
    # What the run's file search finds first (files of the thread, assistant and stores).
    find_source: Callable[[], Source | None] = field(default=_no_source)
    # The run's assistant (settings the run leaves unset fall back to it).
    assistant: JSON = field(default_factory=dict)
    # Names of the files the messages attach, by file id.
    filenames: Mapping[str, str] = field(default_factory=dict)
    # The images of the messages' ``image_file`` parts as data: URLs, by file id.
    image_urls: Mapping[str, str] = field(default_factory=dict)
    # The run's file search, when it has the file_search tool.
    search: SearchFiles | None = None
    # The code_interpreter files (assistant's, thread's, attachments') as (name, file id), and
    # how to read one: the sandbox reads them outside the unit of work, from the blobs only.
    code_files: tuple[tuple[str, str], ...] = ()
    open_file: Callable[[str], BinaryIO | None] = field(default=_no_file)
    # The code earlier runs of the thread ran (code_interpreter inputs), by run id.
    code_history: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # This run's searches so far, oldest first (a run resumed after requires_action).
    searches: tuple[EarlierSearch, ...] = ()


@dataclass(frozen=True)
class Prompt:
    tokens: int


@dataclass(frozen=True)
class Produced:
    file: OutputFile


@dataclass(frozen=True)
class HostedCall:
    tool: Search | Code
    completion_tokens: int


@dataclass(frozen=True)
class Image:
    """An ``image_file`` part showing a file ``Produced`` earlier in the turn."""

    filename: str


@dataclass(frozen=True)
class Text:
    text: str
    notes: tuple[Citation | FileLink, ...] = ()


@dataclass(frozen=True)
class MessageEnd:
    completion_tokens: int
    cut: bool = False


@dataclass(frozen=True)
class CallDelta:
    """A fragment of the turn's function call at ``index`` (the model's numbering)."""

    index: int
    name: str | None
    arguments: str


@dataclass(frozen=True)
class FunctionCalls:
    calls: tuple[FunctionCall, ...]
    completion_tokens: int


@dataclass(frozen=True)
class Failed:
    code: str
    message: str


@dataclass(frozen=True)
class Expired:
    pass


@dataclass(frozen=True)
class Incomplete:
    reason: str


@dataclass(frozen=True)
class Stalled:
    pass


TurnEvent = (
    Prompt
    | Produced
    | HostedCall
    | CodeStart
    | CodeInput
    | CodeOutputs
    | Image
    | Text
    | MessageEnd
    | CallDelta
    | FunctionCalls
    | Failed
    | Expired
    | Incomplete
    | Stalled
)


class Responder(Protocol):
    """Decides a run's outcome, one turn (round of function calls) at a time."""

    def hold(self, turn: Turn) -> int:
        """How many retrievals find the run still ``queued`` before it starts (0 for a model)."""
        ...

    def respond(self, turn: Turn, cancel: threading.Event) -> Iterator[TurnEvent]: ...
