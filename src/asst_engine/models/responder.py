"""``ModelResponder``: a run's turns answered by a chat-completions model.

For each turn (the run's start, then each round of submitted tool outputs) it resolves the run's
``model`` to a provider (``providers.resolve``), builds the request from the assistant, the run,
the thread and the rounds answered so far (``prompt.build_request``: instructions, messages,
function tools, settings, truncation) and streams the model's answer as turn events:

- text pieces as ``Text`` deltas, as they arrive; then ``Prompt`` and ``MessageEnd`` with the
  call's usage;
- function-call fragments as ``CallDelta``s, then ``FunctionCalls`` (finish reason
  ``tool_calls``): the run waits in ``requires_action``;
- finish reason ``length``: the message is cut and the run ends ``incomplete``
  (``max_completion_tokens``); a prompt that does not fit ``max_prompt_tokens`` even with only
  the newest message ends it ``incomplete`` (``max_prompt_tokens``) without a call;
- a ``ModelError`` (after the provider's own retries) fails the run with its code
  (``rate_limit_exceeded``, ``server_error``, ``invalid_prompt``); a model no provider serves
  fails it with ``server_error`` and the configuration's one-line message.
When the run is cancelled the model's stream stops and so do the events.

Construct with ``ModelResponder(providers.load(os.environ, model_map))``.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator

from asst_engine.models.base import (
    SERVER_ERROR,
    Finish,
    ModelError,
    ModelEvent,
    TextDelta,
    ToolCall,
)
from asst_engine.models.prompt import ToolRound, build_request, prompt_tokens
from asst_engine.models.providers import ModelConfig, ModelConfigError, resolve
from asst_engine.models.searching import Searching
from asst_engine.models.turn import (
    Answered,
    CallDelta,
    Failed,
    FunctionCall,
    FunctionCalls,
    Incomplete,
    MessageEnd,
    Prompt,
    Text,
    Turn,
    TurnEvent,
)

FILTERED = "The model provider's content filter stopped the reply."


class ModelResponder:
    def __init__(self, config: ModelConfig) -> None:
        self.config = config

    def hold(self, turn: Turn) -> int:
        """A model-backed run starts at once."""
        return 0

    def respond(self, turn: Turn, cancel: threading.Event) -> Iterator[TurnEvent]:
        """The turn's events; the model is called when the first one is taken."""
        try:
            resolved = resolve(self.config, turn.run["model"])
        except ModelConfigError as error:
            yield Failed(SERVER_ERROR, str(error))
            return
        rounds = [_round(answered) for answered in turn.answered]
        searching = Searching(turn.search) if turn.search is not None else None
        while True:
            request = build_request(
                turn.assistant,
                turn.run,
                turn.messages,
                rounds,
                model=resolved.name,
                images=resolved.images,
                image_urls=turn.image_urls,
                filenames=turn.filenames,
            )
            request.tools.extend(searching.tools() if searching else [])
            budget = turn.run.get("max_prompt_tokens")
            if budget is not None and prompt_tokens(request) > budget:
                yield Incomplete("max_prompt_tokens")
                return
            try:
                searched = yield from _answer(resolved.model.stream(request, cancel), searching)
            except ModelError as error:
                yield Failed(error.code, error.message)
                return
            if searched is None:
                return
            rounds.append(searched)


def _answer(
    stream: Iterator[ModelEvent], searching: Searching | None
) -> Generator[TurnEvent, None, ToolRound | None]:
    """Pass one model call's events on; the round to ask again with when it searched."""
    for event in _events(stream):
        if searching is None:
            yield event
        elif isinstance(event, FunctionCalls) and (ran := searching.run(event)) is not None:
            hosted, searched = ran
            yield hosted
            return searched
        else:
            yield from searching.take(event)
    return None


def _round(answered: tuple[Answered, ...]) -> ToolRound:
    calls = tuple(ToolCall(a.call_id, a.name, a.arguments) for a in answered)
    return ToolRound(calls, {a.call_id: a.output for a in answered})


def _events(stream: Iterator[ModelEvent]) -> Iterator[TurnEvent]:
    """The model's stream as turn events; nothing more once it stops without a ``Finish``."""
    written = False
    calls: dict[int, list[str]] = {}
    for event in stream:
        if isinstance(event, TextDelta):
            if event.text:
                written = True
                yield Text(event.text)
        elif isinstance(event, Finish):
            yield Prompt(event.prompt_tokens)
            yield from _ending(event, written, calls)
            return
        else:
            call = calls.setdefault(event.index, ["", ""])
            call[0] = call[0] or event.name or ""
            call[1] += event.arguments
            yield CallDelta(event.index, event.name, event.arguments)


def _ending(finish: Finish, written: bool, calls: dict[int, list[str]]) -> Iterator[TurnEvent]:
    tokens = finish.completion_tokens
    if finish.reason == "length":
        yield MessageEnd(tokens, cut=True)
        yield Incomplete("max_completion_tokens")
    elif calls:
        if written:
            yield MessageEnd(0)  # text alongside the calls: its own message; the calls cost
        asked = tuple(FunctionCall(*calls[index]) for index in sorted(calls))
        yield FunctionCalls(asked, tokens)
    elif finish.reason == "content_filter":
        if written:
            yield MessageEnd(tokens, cut=True)
        yield Failed(SERVER_ERROR, FILTERED)
    else:
        yield MessageEnd(tokens)
