"""file_search in runs: the tool the model sees, the search it runs, what it reads back, and the
citations its reply makes.

The model is offered one function, ``file_search``, taking ``queries`` (the service's model sees a
search function of this shape). A call searches the run's stores and the thread's attachments
(``run_search``), best first, at most ``max_num_results`` in all. The model reads each result under
a source marker ``【{message}:{result}†{filename}】`` (``message``: the search's number in the run,
from 0; ``result``: the result's position); markers it repeats in its reply become
``file_citation`` annotations at their exact ranges, quoting the cited chunk.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from asst_engine.json_types import JSON
from asst_engine.tools.search import QUOTE_LENGTH

NAME = "file_search"
# The service's default for gpt-4* models (the file_search tool's ``max_num_results``).
DEFAULT_RESULTS = 20
MARKER = re.compile(r"【(\d+):(\d+)†([^】]*)】")

DEFINITION: JSON = {
    "type": "function",
    "function": {
        "name": NAME,
        "description": (
            "Search the files the user provided. Cite what you use by copying the result's"
            " source marker, such as 【0:1†notes.txt】, into your answer."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "queries": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "One or more search queries, each a short phrase.",
                }
            },
            "required": ["queries"],
        },
    },
}


@dataclass(frozen=True)
class Result:
    file_id: str
    filename: str
    score: float
    text: str


@dataclass(frozen=True)
class Findings:
    """One search call: its number in the run, its queries and its results, best first."""

    message: int
    queries: tuple[str, ...]
    results: tuple[Result, ...]
    threshold: float = 0.0

    def for_model(self) -> str:
        """The tool output: each result's marker, then its text."""
        if not self.results:
            return "No results found."
        return "\n\n".join(
            f"【{self.message}:{index}†{result.filename}】\n{result.text}"
            for index, result in enumerate(self.results)
        )


@dataclass(frozen=True)
class Cited:
    """A marker of the reply at ``start``..``end`` citing ``result``."""

    marker: str
    start: int
    end: int
    result: Result

    @property
    def quote(self) -> str:
        return self.result.text.strip()[:QUOTE_LENGTH]


def settings(run: JSON) -> tuple[int, float]:
    """``max_num_results`` and the score threshold of the run's file_search tool."""
    for tool in run.get("tools") or []:
        if tool.get("type") == NAME:
            options = tool.get(NAME) or {}
            threshold = (options.get("ranking_options") or {}).get("score_threshold", 0.0)
            return int(options.get("max_num_results") or DEFAULT_RESULTS), float(threshold)
    return DEFAULT_RESULTS, 0.0


def queries_of(arguments: str) -> tuple[str, ...]:
    """The queries of a call's JSON arguments (a bare ``query`` string is taken too)."""
    try:
        parsed: Any = json.loads(arguments or "{}")
    except json.JSONDecodeError:
        return ()
    if not isinstance(parsed, dict):
        return ()
    found = parsed.get("queries", parsed.get("query"))
    found = [found] if isinstance(found, str) else found
    return tuple(q for q in found or [] if isinstance(q, str) and q.strip())


def citations(text: str, findings: Iterable[Findings]) -> list[Cited]:
    """The markers of ``text`` that name a result of ``findings``, at their ranges."""
    by_message = {f.message: f for f in findings}
    cited = []
    for match in MARKER.finditer(text):
        found = by_message.get(int(match.group(1)))
        index = int(match.group(2))
        if found is not None and index < len(found.results):
            cited.append(Cited(match.group(0), match.start(), match.end(), found.results[index]))
    return cited


RANKER = "default_2024_08_21"
CONTENT = "step_details.tool_calls[*].file_search.results[*].content"


def step_call(findings: Findings) -> JSON:
    """The ``file_search`` object of the run step's tool call (stored with the results'
    content, which ``without_content`` takes out unless ``include[]`` asks for it)."""
    ranking = {"ranker": RANKER, "score_threshold": findings.threshold}
    results = []
    for result in findings.results:
        content = [{"type": "text", "text": result.text}]
        item = {"file_id": result.file_id, "file_name": result.filename, "score": result.score}
        results.append({**item, "content": content})
    return {"ranking_options": ranking, "results": results}


def findings_of(call: JSON, message: int) -> Findings:
    """The search a step's ``file_search`` call (``step_call``) records, as search number
    ``message`` of the run. The queries are not recorded: the model sees its results again."""
    recorded = call.get(NAME) or {}
    results = tuple(
        Result(
            result["file_id"],
            result["file_name"],
            result["score"],
            "".join(part.get("text", "") for part in result.get("content") or []),
        )
        for result in recorded.get("results") or []
    )
    threshold = (recorded.get("ranking_options") or {}).get("score_threshold", 0.0)
    return Findings(message, (), results, threshold)


def without_content(step: JSON) -> JSON:
    """A copy of ``step`` whose file_search results carry no ``content``."""
    details = step.get("step_details") or {}
    if not any(call.get("type") == NAME for call in details.get("tool_calls") or []):
        return step
    shown = copy.deepcopy(step)
    for call in shown["step_details"]["tool_calls"]:
        for result in (call.get(NAME) or {}).get("results") or []:
            result.pop("content", None)
    return shown


class Markers:
    """Holds back streamed reply text from an unclosed 【 until its 】 arrives, so a source
    marker reaches the message whole, in one delta (a stray 【 is let go after 200 chars)."""

    def __init__(self) -> None:
        self.held = ""

    def feed(self, text: str) -> str:
        """What may be written now."""
        self.held += text
        opened = self.held.rfind("【")
        if opened == -1 or "】" in self.held[opened:] or len(self.held) - opened > 200:
            return self.flush()
        ready, self.held = self.held[:opened], self.held[opened:]
        return ready

    def flush(self) -> str:
        ready, self.held = self.held, ""
        return ready
