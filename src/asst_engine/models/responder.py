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

file_search: a run with the tool offers the model the search function, run in the engine within
the turn (``searching.py``); once a ``requires_action`` is answered, the model sees the run's
earlier searches again, each before the round of functions that followed it.

code_interpreter: given a ``sandbox``, a run with the code_interpreter tool offers the model the
``python`` function (not shown to clients: the run's tools stay as given); its calls run in the
thread's sandbox within the turn (``interpreter.py``) and the model is called again with their
outputs, up to ``MAX_CODE_ROUNDS`` times. Without a sandbox, or with one that refuses to run
code (no isolation), such a run fails at its start with a ``last_error`` saying why. A model
that asks for python and the client's functions at once has the python run first (its step is
recorded), then the run waits for the functions; once they are answered the model sees that
round of functions, not the python round before it (the run's steps still hold it).

Construct with ``ModelResponder(providers.load(os.environ, model_map), sandbox=Sandbox(...))``.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass

from asst_engine.json_types import JSON
from asst_engine.models.base import (
    SERVER_ERROR,
    ChatRequest,
    Finish,
    ModelError,
    ModelEvent,
    TextDelta,
    ToolCall,
)
from asst_engine.models.interpreter import NO_SANDBOX, Reply, run_calls
from asst_engine.models.prompt import PYTHON, ToolRound, build_request, prompt_tokens
from asst_engine.models.providers import ModelConfig, ModelConfigError, Resolved, resolve
from asst_engine.models.searching import Searching, earlier_round
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
from asst_engine.tools.sandbox import Sandbox

FILTERED = "The model provider's content filter stopped the reply."
MAX_CODE_ROUNDS = 10
TOO_MANY_ROUNDS = (
    f"The model called python {MAX_CODE_ROUNDS} times in a row without replying; "
    "the run stops here."
)


@dataclass(frozen=True)
class Ran:
    """A model call that ended in ``python`` calls (and maybe other calls besides)."""

    python: tuple[ToolCall, ...]
    functions: tuple[FunctionCall, ...]
    tokens: int


class ModelResponder:
    def __init__(self, config: ModelConfig, sandbox: Sandbox | None = None) -> None:
        self.config = config
        self.sandbox = sandbox

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
        coding = any(tool["type"] == "code_interpreter" for tool in turn.run["tools"])
        refused = self._refusal() if coding else None
        if refused is not None:
            yield Failed(SERVER_ERROR, refused)
            return
        rounds = _earlier_rounds(turn)
        searching = None
        if turn.search is not None:
            searching = Searching(turn.search, [earlier.findings for earlier in turn.searches])
        reply, run, coded = Reply(), turn.run, 0
        while coded < MAX_CODE_ROUNDS:
            request = _request(turn, run, rounds, resolved, coding)
            request.tools.extend(searching.tools() if searching else [])
            budget = run.get("max_prompt_tokens")
            if budget is not None and prompt_tokens(request) > budget:
                yield Incomplete("max_prompt_tokens")
                return
            try:
                events = _events(resolved.model.stream(request, cancel), coding)
                ran = yield from _answer(events, searching, reply)
            except ModelError as error:
                yield Failed(error.code, error.message)
                return
            if isinstance(ran, ToolRound):  # a search: ask again
                rounds.append(ran)
                continue
            if ran is None or cancel.is_set():
                return
            done = yield from self._run(turn, ran, reply, searching)
            if done is None:
                return
            rounds += done
            coded += 1
            if run.get("tool_choice") == "required":  # it was: the model may now reply
                run = {**run, "tool_choice": "auto"}
        yield Failed(SERVER_ERROR, TOO_MANY_ROUNDS)

    def _run(
        self, turn: Turn, ran: Ran, reply: Reply, searching: Searching | None
    ) -> Generator[TurnEvent, None, list[ToolRound] | None]:
        """Run the python calls; the other calls are searched, or end the turn (None)."""
        assert self.sandbox is not None  # a run with code has a sandbox, or fails at its start
        outputs = yield from run_calls(self.sandbox, turn, ran.python, ran.tokens, reply)
        rounds = [ToolRound(ran.python, outputs)]
        if ran.functions:
            asked = FunctionCalls(ran.functions, 0)
            searched = searching.run(asked) if searching is not None else None
            if searched is None:  # the client's calls end the turn, as they always do
                yield asked
                return None
            yield searched[0]
            rounds.append(searched[1])
        return rounds

    def _refusal(self) -> str | None:
        return NO_SANDBOX if self.sandbox is None else self.sandbox.refusal


Answer = Generator[TurnEvent, None, Ran | ToolRound | None]


def _answer(
    events: Generator[TurnEvent, None, Ran | None], searching: Searching | None, reply: Reply
) -> Answer:
    """Pass one model call's events on; the python calls to run, or the round to ask again
    with when it searched."""
    while True:
        try:
            event = next(events)
        except StopIteration as stopped:
            ran: Ran | None = stopped.value
            return ran
        if searching is None:
            yield from reply.pass_on(event)
        elif isinstance(event, FunctionCalls) and (found := searching.run(event)) is not None:
            hosted, searched = found
            yield hosted
            return searched
        else:
            for passed in searching.take(event):
                yield from reply.pass_on(passed)


def _request(
    turn: Turn, run: JSON, rounds: list[ToolRound], resolved: Resolved, coding: bool
) -> ChatRequest:
    return build_request(
        turn.assistant,
        run,
        turn.messages,
        rounds,
        model=resolved.name,
        images=resolved.images,
        image_urls=turn.image_urls,
        filenames=turn.filenames,
        python=coding,
        code_history=turn.code_history,
    )


def _earlier_rounds(turn: Turn) -> list[ToolRound]:
    """The run's rounds before this turn, in order: each answered round of functions, after
    the searches that came before it."""
    rounds = []
    for index, answered in enumerate(turn.answered):
        rounds += [earlier_round(s.findings) for s in turn.searches if s.rounds == index]
        rounds.append(_round(answered))
    return rounds


def _round(answered: tuple[Answered, ...]) -> ToolRound:
    calls = tuple(ToolCall(a.call_id, a.name, a.arguments) for a in answered)
    return ToolRound(calls, {a.call_id: a.output for a in answered})


Calls = dict[int, list[str]]  # by the model's index: [call id, name, arguments]


def _events(stream: Iterator[ModelEvent], coding: bool) -> Generator[TurnEvent, None, Ran | None]:
    """The model's stream as turn events; nothing more once it stops without a ``Finish``.
    ``python`` calls (when ``coding``) are kept back: they come back to be run."""
    written = False
    calls: Calls = {}
    for event in stream:
        if isinstance(event, TextDelta):
            if event.text:
                written = True
                yield Text(event.text)
        elif isinstance(event, Finish):
            yield Prompt(event.prompt_tokens)
            return (yield from _ending(event, written, calls, coding))
        else:
            call = calls.setdefault(event.index, [event.id or f"call_{event.index}", "", ""])
            call[1] = call[1] or event.name or ""
            call[2] += event.arguments
            if not (coding and call[1] == PYTHON):
                yield CallDelta(event.index, event.name, event.arguments)
    return None


def _ending(
    finish: Finish, written: bool, calls: Calls, coding: bool
) -> Generator[TurnEvent, None, Ran | None]:
    tokens = finish.completion_tokens
    ordered = [calls[index] for index in sorted(calls)]
    python = tuple(ToolCall(*c) for c in ordered if coding and c[1] == PYTHON)
    functions = tuple(FunctionCall(c[1], c[2]) for c in ordered if not (coding and c[1] == PYTHON))
    if finish.reason == "length":
        yield MessageEnd(tokens, cut=True)
        yield Incomplete("max_completion_tokens")
    elif python or functions:
        if written:
            yield MessageEnd(0)  # text alongside the calls: its own message; the calls cost
        if python:
            return Ran(python, functions, tokens)
        yield FunctionCalls(functions, tokens)
    elif finish.reason == "content_filter":
        if written:
            yield MessageEnd(tokens, cut=True)
        yield Failed(SERVER_ERROR, FILTERED)
    else:
        yield MessageEnd(tokens)
    return None
