"""The scripted responder behind the ``Responder`` seam: keyword outcomes as turn events.

``scripted.respond`` decides (pure, keywords in the last user message); this module tells that
decision as the events a model-backed responder would send: files made, the built-in tool call,
the reply in word-boundary deltas with each annotation on the delta that completes its text,
then how the run ends. It decides when ``respond`` is called (the run's start), not when the
events are taken, so a run's outcome does not depend on when it is polled.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

from asst_engine.json_types import JSON
from asst_engine.models import scripted
from asst_engine.models.turn import (
    Citation,
    Expired,
    Failed,
    FileLink,
    FunctionCalls,
    HostedCall,
    Image,
    Incomplete,
    MessageEnd,
    Produced,
    Prompt,
    Stalled,
    Text,
    Turn,
    TurnEvent,
)

# Deltas a reply streams in: enough for clients to exercise their delta handling.
CHUNKS = 3
_WORD = re.compile(r"\s*\S+\s*|\s+")


class ScriptedResponder:
    """Keyword-driven outcomes (see ``scripted``): deterministic, for tests and cassettes."""

    def hold(self, turn: Turn) -> int:
        return scripted.queued_polls(_last_user_text(turn))

    def respond(self, turn: Turn, cancel: threading.Event) -> Iterator[TurnEvent]:
        if turn.answered:
            pairs = ((call.name, call.output) for call in turn.answered[-1])
            return iter(_reply(scripted.after_tools(pairs)))
        tools = turn.run["tools"]
        functions = [t["function"]["name"] for t in tools if t["type"] == "function"]
        builtins = [t["type"] for t in tools if t["type"] != "function"]
        prompt = _last_user_text(turn)
        outcome = scripted.respond(prompt, functions, turn.find_source(), builtins)
        everything = " ".join([turn.run["instructions"], *(text_of(m) for m in turn.messages)])
        return iter([Prompt(scripted.count_tokens(everything)), *_events(outcome)])


def _events(outcome: scripted.Outcome) -> list[TurnEvent]:
    if isinstance(outcome, scripted.Reply):
        return _reply(outcome)
    if isinstance(outcome, scripted.ToolCalls):
        return [FunctionCalls(outcome.calls, len(outcome.calls))]
    if isinstance(outcome, (Failed, Expired, Stalled)):
        return [outcome]
    return [*_reply(scripted.Reply(outcome.partial_text), cut=True), Incomplete(outcome.reason)]


def _reply(reply: scripted.Reply, cut: bool = False) -> list[TurnEvent]:
    """Files first, then the tool call that made or found them, then the message."""
    events: list[TurnEvent] = [Produced(file) for file in reply.files]
    if reply.tool is not None:
        events.append(HostedCall(reply.tool, 1))
    if reply.image is not None:
        events.append(Image(reply.image))
    events += _deltas(reply.text, reply.notes)
    events.append(MessageEnd(scripted.count_tokens(reply.text), cut))
    return events


def _deltas(text: str, notes: tuple[Citation | FileLink, ...]) -> list[TurnEvent]:
    """``text`` in a few deltas; a note travels with the delta that completes its text."""
    waiting = list(notes)
    out: list[TurnEvent] = []
    end = 0
    for piece in split(text):
        end += len(piece)
        last = end == len(text)
        done = [n for n in waiting if text.index(n.text) + len(n.text) <= end or last]
        waiting = [n for n in waiting if n not in done]
        out.append(Text(piece, tuple(done)))
    return out


def split(value: str, count: int = CHUNKS) -> list[str]:
    """``value`` in at most ``count`` consecutive pieces, cut between words."""
    words = _WORD.findall(value) or [value]
    size = -(-len(words) // count)
    return ["".join(words[i : i + size]) for i in range(0, len(words), size)]


def _last_user_text(turn: Turn) -> str:
    texts = [text_of(m) for m in turn.messages if m["role"] == "user"]
    return texts[-1] if texts else ""


def text_of(message: JSON) -> str:
    return " ".join(p["text"]["value"] for p in message["content"] if p["type"] == "text")
