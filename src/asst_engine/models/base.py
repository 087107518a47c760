"""The model seam: one request shape in, a stream of events out, one error type.

Every provider (an OpenAI-compatible chat-completions server, a scripted model) implements
``Model.stream``. A stream yields ``TextDelta`` and ``ToolCallDelta`` fragments as they arrive and
ends with one ``Finish``. When ``cancel`` is set the stream stops promptly and ends without a
``Finish``; a failure raises ``ModelError``, whose ``code`` is one a run's ``last_error`` takes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

RATE_LIMIT = "rate_limit_exceeded"
SERVER_ERROR = "server_error"
INVALID_PROMPT = "invalid_prompt"


@dataclass(frozen=True)
class ChatRequest:
    """A chat-completions request; ``None`` leaves a setting to the provider's default."""

    model: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: str | dict[str, Any] | None = None
    temperature: float | None = None
    top_p: float | None = None
    response_format: dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    max_tokens: int | None = None
    reasoning_effort: str | None = None


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolCallDelta:
    """A fragment of the tool call at ``index``: ``id`` and ``name`` come once, ``arguments``
    in pieces to concatenate."""

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(frozen=True)
class Finish:
    """``reason`` is the chat finish reason: stop, length, tool_calls or content_filter."""

    reason: str
    prompt_tokens: int
    completion_tokens: int


ModelEvent = TextDelta | ToolCallDelta | Finish


class ModelError(Exception):
    """A model call that failed: ``code`` is ``rate_limit_exceeded``, ``server_error`` or
    ``invalid_prompt``; ``retryable`` says whether trying again later may succeed."""

    def __init__(self, code: str, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable


class Model(Protocol):
    def stream(self, request: ChatRequest, cancel: threading.Event) -> Iterator[ModelEvent]: ...


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text, as the model wrote it


@dataclass(frozen=True)
class Completion:
    """A whole answer; ``finish`` is ``None`` when the stream was cancelled."""

    text: str
    tool_calls: tuple[ToolCall, ...]
    finish: Finish | None


def collect(events: Iterable[ModelEvent]) -> Completion:
    """Assemble a stream: texts joined, tool-call fragments merged by index (in index order).

    A call whose server sent no id keeps ``""``: the caller names it.
    """
    text: list[str] = []
    calls: dict[int, list[str]] = {}
    finish: Finish | None = None
    for event in events:
        if isinstance(event, TextDelta):
            text.append(event.text)
        elif isinstance(event, ToolCallDelta):
            call = calls.setdefault(event.index, ["", "", ""])
            call[0] = call[0] or event.id or ""
            call[1] = call[1] or event.name or ""
            call[2] += event.arguments
        else:
            finish = event
    tools = tuple(ToolCall(*calls[index]) for index in sorted(calls))
    return Completion("".join(text), tools, finish)
