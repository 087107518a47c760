"""``ChatCompletionsModel``: any OpenAI-compatible chat-completions server through the openai SDK.

Each call runs in a worker thread that streams from the SDK into a queue; the caller's iterator
reads the queue and checks ``cancel`` at least every ``POLL`` seconds, so a cancelled run stops
at once even while the server is silent, and the worker then closes the SDK stream.

Retries are ours, not the SDK's (it gets ``max_retries=0``): waits must end when the run is
cancelled, and a retry is only safe before the first event reached the caller. 429, 408, 409,
5xx and connection failures are retried up to ``RetryPolicy.max_retries`` times, waiting what
``Retry-After`` asks (when it asks for at most ``max_retry_after`` seconds; longer, the call
gives up at once) or else an exponential backoff with jitter. A server that sends no usage chunk
gets the prompt module's estimate instead.

The SDK is imported on first use, so loading the configuration does not import it.
"""

from __future__ import annotations

import contextlib
import queue
import random
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asst_engine.models import errors
from asst_engine.models.base import (
    ChatRequest,
    Finish,
    ModelError,
    ModelEvent,
    TextDelta,
    ToolCallDelta,
)
from asst_engine.models.prompt import estimate_tokens, prompt_tokens

if TYPE_CHECKING:
    from openai import OpenAI
    from openai.types.chat import ChatCompletionChunk

POLL = 0.05
# Wait ``seconds`` unless ``halt`` is set first; True when halted. Tests inject one that records.
Waiter = Callable[[float, threading.Event], bool]


def wait_on(seconds: float, halt: threading.Event) -> bool:
    return halt.wait(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds before retry ``attempt`` (0-based), or ``None`` to give up."""
        if retry_after is not None:
            return max(0.0, retry_after) if retry_after <= self.max_retry_after else None
        backoff = min(self.max_delay, self.base_delay * 2.0**attempt)
        return backoff * (1 - 0.25 * self.jitter())


class ChatCompletionsModel:
    """A ``Model`` over ``base_url``; ``token_limit`` names the request field that carries
    ``max_tokens`` (OpenAI's reasoning models take only ``max_completion_tokens``)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 600.0,
        retry: RetryPolicy | None = None,
        token_limit: str = "max_tokens",
        wait: Waiter = wait_on,
    ) -> None:
        self.base_url = base_url
        self._api_key = api_key
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.token_limit = token_limit
        self._wait = wait
        self._client: OpenAI | None = None
        self._lock = threading.Lock()

    def client(self) -> OpenAI:
        with self._lock:
            if self._client is None:
                from openai import OpenAI

                self._client = OpenAI(
                    base_url=self.base_url,
                    api_key=self._api_key,
                    max_retries=0,
                    timeout=self.timeout,
                )
            return self._client

    def stream(self, request: ChatRequest, cancel: threading.Event) -> Iterator[ModelEvent]:
        call = _Call(self, request)
        worker = threading.Thread(target=call.run, name="asst-model-call", daemon=True)
        worker.start()
        try:
            while not cancel.is_set():
                try:
                    item = call.channel.get(timeout=POLL)
                except queue.Empty:
                    continue
                if item is None or cancel.is_set():
                    return
                if isinstance(item, ModelError):
                    raise item
                yield item
        finally:
            call.abort()

    def _attempt(self, request: ChatRequest, call: _Call) -> Iterator[ModelEvent]:
        """One request; SDK failures come out as ``errors.Failed``."""
        import openai

        try:
            chunks = self.client().chat.completions.create(**arguments(request, self.token_limit))
            call.opened(chunks)
            yield from events(chunks, request)
        except openai.OpenAIError as error:
            raise errors.failed(error, self.base_url, self._api_key) from error

    def _retried(self, request: ChatRequest, call: _Call) -> Iterator[ModelEvent]:
        attempt = 0
        while True:
            started = False
            try:
                for event in self._attempt(request, call):
                    started = True
                    yield event
                return
            except errors.Failed as failed:
                error = failed.error
                pause = self.retry.delay(attempt, failed.retry_after)
                final = started or not error.retryable or attempt >= self.retry.max_retries
                if final or pause is None:
                    raise error from None
            if self._wait(pause, call.halt):
                return
            attempt += 1


class _Call:
    """One in-flight call: the worker's side (``run``) and the caller's (``abort``)."""

    def __init__(self, model: ChatCompletionsModel, request: ChatRequest) -> None:
        self.model = model
        self.request = request
        self.channel: queue.Queue[ModelEvent | ModelError | None] = queue.Queue()
        self.halt = threading.Event()
        self._stream: Any = None
        self._lock = threading.Lock()

    def opened(self, stream: Any) -> None:
        with self._lock:
            self._stream = stream
        if self.halt.is_set():
            self._close()

    def run(self) -> None:
        try:
            for event in self.model._retried(self.request, self):
                if self.halt.is_set():
                    break
                self.channel.put(event)
            self.channel.put(None)
        except ModelError as error:
            self.channel.put(error)
        except Exception as error:  # the worker must report, never die with a traceback
            if not self.halt.is_set():
                message = f"The model call failed unexpectedly: {type(error).__name__}: {error}"
                self.channel.put(ModelError("server_error", message))
        finally:
            self._close()

    def abort(self) -> None:
        self.halt.set()
        self._close()

    def _close(self) -> None:
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            # Closing a broken connection may fail; it is gone either way.
            with contextlib.suppress(Exception):
                stream.close()


def arguments(request: ChatRequest, token_limit: str = "max_tokens") -> dict[str, Any]:
    """The SDK's keyword arguments for ``request``: settings left ``None`` are not sent."""
    sent: dict[str, Any] = {
        "model": request.model,
        "messages": request.messages,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    optional = {
        "tools": request.tools or None,
        "tool_choice": request.tool_choice,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "response_format": request.response_format,
        "parallel_tool_calls": request.parallel_tool_calls,
        token_limit: request.max_tokens,
        "reasoning_effort": request.reasoning_effort,
    }
    sent.update({key: value for key, value in optional.items() if value is not None})
    return sent


def events(chunks: Iterable[ChatCompletionChunk], request: ChatRequest) -> Iterator[ModelEvent]:
    """Chunks as events, then the ``Finish``. Tool calls under finish reason ``stop`` (older
    Ollama) or under none make it ``tool_calls``; a stream without usage gets the estimate."""
    reason: str | None = None
    usage: tuple[int, int] | None = None
    written: list[str] = []
    called = False
    for chunk in chunks:
        if chunk.usage is not None:
            usage = (chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
        for choice in chunk.choices[:1]:
            if choice.delta.content:
                written.append(choice.delta.content)
                yield TextDelta(choice.delta.content)
            for position, call in enumerate(choice.delta.tool_calls or []):
                called = True
                function = call.function
                fragment = (function.arguments if function else None) or ""
                written.append(fragment)
                # Some servers leave out the index when they send whole calls.
                index = call.index if isinstance(call.index, int) else position
                yield ToolCallDelta(index, call.id, function.name if function else None, fragment)
            reason = choice.finish_reason or reason
    if called and reason in (None, "stop"):
        reason = "tool_calls"
    if usage is None:
        usage = (prompt_tokens(request), estimate_tokens("".join(written)))
    yield Finish(reason or "stop", *usage)
