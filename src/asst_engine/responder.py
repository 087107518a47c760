"""The deterministic "model": decides how a run ends from the thread's last user message.

It is pure (text in, outcome out) so the polling lifecycle and a later streaming path can share
it. Tests and cassettes pick a lifecycle with keywords in the user message:

- ``call <fname>`` (optionally followed by a JSON object of arguments), when the run has a
  function tool of that name: the run stops in ``requires_action`` asking for that call; several
  ``call`` phrases ask for parallel calls. After the outputs are submitted the run completes with
  a reply quoting them.
- ``please fail``: the run ``failed`` with ``last_error.code == "server_error"``.
- ``please expire``: the run ``expired``.
- ``please stop early``: the run ends ``incomplete`` (``max_completion_tokens``), its message cut.
- anything else: the run ``completed`` with the reply ``You said: <text>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

CALL = re.compile(r"\bcall\s+([A-Za-z0-9_-]{1,64})")


@dataclass(frozen=True)
class Reply:
    text: str


@dataclass(frozen=True)
class FunctionCall:
    name: str
    arguments: str  # JSON text, as the API sends it


@dataclass(frozen=True)
class ToolCalls:
    calls: tuple[FunctionCall, ...]


@dataclass(frozen=True)
class Failure:
    code: str
    message: str


@dataclass(frozen=True)
class Expiry:
    pass


@dataclass(frozen=True)
class Incomplete:
    reason: str
    partial_text: str


Outcome = Reply | ToolCalls | Failure | Expiry | Incomplete


def respond(prompt: str, functions: Iterable[str]) -> Outcome:
    """The outcome of a run whose last user message is ``prompt``."""
    lowered = prompt.lower()
    if "please fail" in lowered:
        return Failure("server_error", "Sorry, something went wrong.")
    if "please expire" in lowered:
        return Expiry()
    reply = f"You said: {prompt}"
    if "please stop early" in lowered:
        return Incomplete("max_completion_tokens", reply[: max(1, len(reply) // 2)])
    calls = _function_calls(prompt, set(functions))
    if calls:
        return ToolCalls(calls)
    return Reply(reply)


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
