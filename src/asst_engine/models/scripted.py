"""The deterministic "model": decides how a run ends from the thread's last user message.

It is pure (text in, outcome out); ``scripted_turns.ScriptedResponder`` tells an outcome as the
turn events of the ``Responder`` seam, as a model-backed responder would stream them.
Tests and cassettes pick a lifecycle with keywords in the user message:

- ``call <fname>`` (optionally followed by a JSON object of arguments), when the run has a
  function tool of that name: the run stops in ``requires_action`` asking for that call; several
  ``call`` phrases ask for parallel calls. After the outputs are submitted the run completes with
  a reply quoting them.
- ``please fail``: the run ``failed`` with ``last_error.code == "server_error"``.
- ``please expire``: the run ``expired``.
- ``please stop early``: the run ends ``incomplete`` (``max_completion_tokens``), its message cut.
- ``please hang``: the run stays ``in_progress`` until it is cancelled (a streamed one keeps its
  stream open, silent, until then): for deadline tests.
- ``please queue for N polls``: the first N retrievals still find the run ``queued``; then it
  goes on as the rest of the message says: for polling and backoff tests. (A streamed run does
  not wait.)
- ``please cite``: the run completes with ``According to <file>: "<quote>"【4:0†source】`` whose
  marker carries a ``file_citation`` annotation (``file_id``, and ``quote`` where the dialect's
  schema has one) of the first file found in the thread's message attachments, then the
  assistant's, then the thread's ``file_search`` vector stores. With no such file the reply says
  so and cites nothing. If the run has the ``file_search`` tool, a ``tool_calls`` step with a
  ``file_search`` call listing that file comes before the message.
- ``please make a file``: the run creates two files (purpose ``assistants_output``), ``data.csv``
  and ``chart.png``, and replies with an ``image_file`` part showing the PNG, then the text
  ``Here is the data: [Download data.csv](sandbox:/mnt/data/data.csv)`` whose sandbox link
  carries a ``file_path`` annotation to the CSV. If the run has the ``code_interpreter`` tool, a
  ``tool_calls`` step with the ``code_interpreter`` call (its image output) comes first.
- anything else: the run ``completed`` with the reply ``You said: <text>``.

The first keyword in that order wins, except ``please queue for N polls``, which combines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from asst_engine.models.turn import (
    Citation,
    Code,
    Expired,
    Failed,
    FileLink,
    FunctionCall,
    Search,
    Stalled,
)
from asst_engine.tools.produced import CHART_CODE, DATA_CSV, OutputFile, chart_png
from asst_engine.tools.search import Source

CALL = re.compile(r"\bcall\s+([A-Za-z0-9_-]{1,64})")
QUEUE = re.compile(r"\bplease queue for (\d{1,4}) polls?\b")
CITATION_MARKER = "【4:0†source】"
SANDBOX_CSV = "sandbox:/mnt/data/data.csv"


@dataclass(frozen=True)
class Reply:
    text: str
    notes: tuple[Citation | FileLink, ...] = ()
    # An output file shown as an ``image_file`` part before the text.
    image: str | None = None
    files: tuple[OutputFile, ...] = ()
    # The built-in tool the model used first; it gets a ``tool_calls`` step.
    tool: Search | Code | None = None


@dataclass(frozen=True)
class ToolCalls:
    calls: tuple[FunctionCall, ...]


@dataclass(frozen=True)
class Incomplete:
    reason: str
    partial_text: str


# Failures, expiry and hanging are told as the turn events of the same names.
Outcome = Reply | ToolCalls | Failed | Expired | Incomplete | Stalled


def respond(
    prompt: str,
    functions: Iterable[str],
    source: Source | None = None,
    tools: Iterable[str] = (),
) -> Outcome:
    """The outcome of a run whose last user message is ``prompt``.

    ``functions`` are the run's function names, ``tools`` its built-in tool types
    (``file_search``, ``code_interpreter``) and ``source`` the file a search would find.
    """
    lowered = prompt.lower()
    if "please fail" in lowered:
        return Failed("server_error", "Sorry, something went wrong.")
    if "please expire" in lowered:
        return Expired()
    if "please hang" in lowered:
        return Stalled()
    reply = f"You said: {prompt}"
    if "please stop early" in lowered:
        return Incomplete("max_completion_tokens", reply[: max(1, len(reply) // 2)])
    if "please cite" in lowered:
        return cite(source, "file_search" in tools)
    if "please make a file" in lowered:
        return make_files("code_interpreter" in tools)
    calls = _function_calls(prompt, set(functions))
    if calls:
        return ToolCalls(calls)
    return Reply(reply)


def queued_polls(prompt: str) -> int:
    """How many retrievals find the run still ``queued`` (``please queue for N polls``)."""
    found = QUEUE.search(prompt.lower())
    return int(found.group(1)) if found else 0


def cite(source: Source | None, searched: bool) -> Reply:
    search = Search(() if source is None else (source,)) if searched else None
    if source is None:
        return Reply("I found no file to cite.", tool=search)
    text = f'According to {source.filename}: "{source.quote}"{CITATION_MARKER}'
    return Reply(text, (Citation(CITATION_MARKER, source),), tool=search)


def make_files(ran_code: bool) -> Reply:
    files = (OutputFile("data.csv", DATA_CSV), OutputFile("chart.png", chart_png()))
    return Reply(
        f"Here is the data: [Download data.csv]({SANDBOX_CSV})",
        (FileLink(SANDBOX_CSV, "data.csv"),),
        image="chart.png",
        files=files,
        tool=Code(CHART_CODE, "chart.png") if ran_code else None,
    )


def after_tools(outputs: Iterable[tuple[str, str]]) -> Reply:
    """The reply once tool outputs are in: ``(function name, output)`` pairs, quoted in order."""
    quoted = "; ".join(f"{name} returned {output!r}" for name, output in outputs)
    return Reply(f"Tool outputs: {quoted}")


def _function_calls(prompt: str, functions: set[str]) -> tuple[FunctionCall, ...]:
    calls = []
    for match in CALL.finditer(prompt):
        if match.group(1) in functions:
            calls.append(FunctionCall(match.group(1), _arguments(prompt[match.end() :])))
    return tuple(calls)


def _arguments(rest: str) -> str:
    """A JSON object right after the function name becomes the arguments; otherwise ``{}``."""
    text = rest.lstrip()
    if text.startswith("{"):
        try:
            value, _ = json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError:
            return "{}"
        if isinstance(value, dict):
            return json.dumps(value, separators=(",", ":"))
    return "{}"


def count_tokens(text: str) -> int:
    """A stand-in token count (words), stable across runs for the ``usage`` fields."""
    return len(text.split())
