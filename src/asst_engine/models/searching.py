"""A model's file_search, run inside the engine while the model's turn goes on.

The model is offered the ``file_search`` function (``tools/file_search.DEFINITION``) next to the
run's own functions. When it calls it, the engine searches (``Turn.search``), records a completed
``file_search`` tool step (``HostedCall``) and asks the model again with the results, marked
with their sources; the client never sees ``requires_action`` for it. The reply's text passes
through ``Markers``, so a source marker reaches the message whole and becomes a
``file_citation`` annotation on exactly its characters.

A model that asks for file_search and client functions at once gets the search only; it is asked
again and may repeat the others. After ``MAX_SEARCHES`` searches in a turn the tool is no longer
offered, so a model that keeps searching has to answer.

A run resumed after ``requires_action`` starts a new turn: its earlier searches are read back
from their steps (``Turn.searches``), shown to the model again in their place among the rounds
(``earlier_round``), and keep their numbers, so a marker of one still becomes a citation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from asst_engine.models.base import ToolCall
from asst_engine.models.prompt import ToolRound
from asst_engine.models.turn import (
    CallDelta,
    Citation,
    FunctionCalls,
    HostedCall,
    MessageEnd,
    Search,
    SearchFiles,
    Text,
    TurnEvent,
)
from asst_engine.tools.file_search import (
    DEFINITION,
    NAME,
    Findings,
    Markers,
    citations,
    queries_of,
)
from asst_engine.tools.search import Source

MAX_SEARCHES = 5


class Searching:
    """One turn's searches: what was found so far, and the reply text held for markers."""

    def __init__(self, search: SearchFiles, earlier: Sequence[Findings] = ()) -> None:
        self.search = search
        self.findings: list[Findings] = list(earlier)
        self.earlier = len(earlier)
        self.markers = Markers()
        self.names: dict[int, str] = {}  # function name of each streamed call, by index

    def tools(self) -> list[dict[str, Any]]:
        return [DEFINITION] if len(self.findings) - self.earlier < MAX_SEARCHES else []

    def take(self, event: TurnEvent) -> Iterator[TurnEvent]:
        """The events to pass on for one of the model's (search calls are held back)."""
        if isinstance(event, CallDelta):
            if event.name:
                self.names[event.index] = event.name
            if self.names.get(event.index) != NAME:
                yield event
        elif isinstance(event, Text):
            yield from self._text(self.markers.feed(event.text))
        elif isinstance(event, MessageEnd):
            yield from self._text(self.markers.flush())
            yield event
        else:
            yield event

    def run(self, asked: FunctionCalls) -> tuple[HostedCall, ToolRound] | None:
        """Run the turn's search calls: the tool step to record, the round for the model."""
        wanted = [call for call in asked.calls if call.name == NAME]
        if not wanted:
            return None
        self.names.clear()
        calls, outputs, found = [], {}, []
        for call in wanted:
            findings = self.search(queries_of(call.arguments), len(self.findings))
            self.findings.append(findings)
            call_id = _call_id(findings)
            calls.append(ToolCall(call_id, NAME, call.arguments))
            outputs[call_id] = findings.for_model()
            found.append(findings)
        sources = tuple(Source(r.file_id, r.filename, "") for f in found for r in f.results)
        return HostedCall(Search(sources, tuple(found)), asked.completion_tokens), ToolRound(
            tuple(calls), outputs
        )

    def _text(self, piece: str) -> Iterator[Text]:
        if piece:
            notes = tuple(
                Citation(c.marker, Source(c.result.file_id, c.result.filename, c.quote))
                for c in citations(piece, self.findings)
            )
            yield Text(piece, notes)


def earlier_round(findings: Findings) -> ToolRound:
    """An earlier search of the run as the model sees it again: its call, then its results."""
    call = ToolCall(_call_id(findings), NAME, json.dumps({"queries": list(findings.queries)}))
    return ToolRound((call,), {call.id: findings.for_model()})


def _call_id(findings: Findings) -> str:
    return f"call_file_search_{findings.message}"
