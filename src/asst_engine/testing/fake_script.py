"""What the fake chat-completions server answers: pure functions from a request body.

The last user message scripts the answer, with the engine's scripted responder's keywords
(``asst_engine.models.scripted``): ``call <fname> {json}`` when a function tool of that name is
offered (several: parallel calls), ``please fail`` (HTTP 500), ``please stop early`` (finish reason
``length``), ``please hang`` (the stream stays open, silent), anything else ``You said: <text>``.
The fake adds ``please rate limit`` (429 with ``Retry-After: 1``; ``please rate limit N times``:
only the first N identical requests) and ``please sleep <ms>`` (waits before answering). When
the last message is a tool result the reply quotes the outputs, as the responder does.

File search (``please search <query>``) is scripted in ``fake_search``; the quickstart's sine
wave and "show me the code" in ``fake_quickstart``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import struct
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from asst_engine.models import scripted as responder
from asst_engine.models.turn import Failed, Stalled
from asst_engine.testing import fake_quickstart, fake_search
from asst_engine.tools import file_search

SLEEP = re.compile(r"\bplease sleep (\d{1,7})\b")
RATE_LIMIT = re.compile(r"\bplease rate limit(?: (\d{1,4}) times?)?\b")
DIMENSIONS = 64
ARGUMENT_PIECE = 8  # characters of arguments per tool-call chunk


@dataclass(frozen=True)
class Refusal:
    """An HTTP error answer, with OpenAI's error body."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Answer:
    text: str = ""
    calls: tuple[Call, ...] = ()
    finish: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    sleep_ms: int = 0
    hang: bool = False

    def pieces(self) -> list[str]:
        """The content chunks: one per word with the spaces before it."""
        return re.findall(r"\s*\S+|\s+$", self.text)


def error(status: int, message: str, kind: str, code: str | None = None) -> Refusal:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return Refusal(status, body)


def answer(body: Any, seen: Counter[str]) -> Answer | Refusal:
    """The answer to a chat-completions ``body``; ``seen`` counts identical requests."""
    problem = _invalid(body)
    if problem:
        return error(400, problem, "invalid_request_error")
    messages: list[dict[str, Any]] = body["messages"]
    used = responder.count_tokens(" ".join(_text(m.get("content")) for m in messages))
    prompt = next(
        (_text(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), ""
    )
    key = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    functions = [
        t["function"]["name"] for t in body.get("tools") or [] if t.get("type") == "function"
    ]
    if messages[-1].get("role") == "tool":
        then = fake_search.then(prompt, _outputs(messages))
        following = responder.respond(then, functions) if then else None
        if isinstance(following, responder.ToolCalls):
            return _calling(key, following, used, 0)
        reply = _after_tools(prompt, messages)
        return Answer(reply, (), "stop", used, responder.count_tokens(reply))
    lowered = prompt.lower()
    limited = RATE_LIMIT.search(lowered)
    seen[key] += 1
    if limited and (limited.group(1) is None or seen[key] <= int(limited.group(1))):
        limit = error(429, "Rate limit reached. Please try again in 1s.", "requests")
        return Refusal(429, limit.body, {"Retry-After": "1"})
    slept = SLEEP.search(lowered)
    sleep_ms = int(slept.group(1)) if slept else 0
    quickstart = _quickstart(prompt, messages, functions, key)
    if quickstart is not None:
        return replace(quickstart, prompt_tokens=used, sleep_ms=sleep_ms)
    arguments = fake_search.query(prompt, functions)
    if arguments is not None:
        call = Call(_call_id(key, 0), file_search.NAME, arguments)
        spent = responder.count_tokens(arguments)
        return Answer("", (call,), "tool_calls", used, spent, sleep_ms)
    outcome = responder.respond(prompt, functions)
    if isinstance(outcome, Failed):
        message = "The server had an error while processing your request. Sorry about that!"
        return error(500, message, "server_error")
    if isinstance(outcome, responder.ToolCalls):
        return _calling(key, outcome, used, sleep_ms)
    if isinstance(outcome, responder.Incomplete):
        text = outcome.partial_text
        return Answer(text, (), "length", used, responder.count_tokens(text), sleep_ms)
    text = outcome.text if isinstance(outcome, responder.Reply) else f"You said: {prompt}"
    hang = isinstance(outcome, Stalled)
    return Answer(text, (), "stop", used, responder.count_tokens(text), sleep_ms, hang)


def _after_tools(prompt: str, messages: list[dict[str, Any]]) -> str:
    """The reply once the trailing tool messages are in: python's, file_search's, others'."""
    outputs = _outputs(messages)
    coded = [output for name, output in outputs if name == fake_quickstart.PYTHON]
    scripted = fake_quickstart.reply(prompt, messages, coded[-1]) if coded else None
    found = scripted or fake_search.reply(outputs)
    if found is not None:
        return found
    return fake_search.cited(_tool_messages(messages), responder.after_tools(outputs).text)


def _calling(key: str, outcome: responder.ToolCalls, used: int, sleep_ms: int) -> Answer:
    calls = tuple(Call(_call_id(key, i), c.name, c.arguments) for i, c in enumerate(outcome.calls))
    spent = responder.count_tokens(" ".join(c.name + " " + c.arguments for c in calls))
    return Answer("", calls, "tool_calls", used, spent, sleep_ms)


def _quickstart(
    prompt: str, messages: list[dict[str, Any]], functions: list[str], key: str
) -> Answer | None:
    """The quickstart's python call or its code shown (``fake_quickstart``), or None."""
    code = fake_quickstart.call(prompt, functions)
    if code is not None:
        python = Call(_call_id(key, 0), fake_quickstart.PYTHON, json.dumps({"code": code}))
        spent = responder.count_tokens(python.arguments)
        return Answer("", (python,), "tool_calls", completion_tokens=spent)
    shown = fake_quickstart.show_code(prompt, messages)
    if shown is not None:
        return Answer(shown, completion_tokens=responder.count_tokens(shown))
    return None


def _call_id(key: str, index: int) -> str:
    return "call_" + hashlib.sha256(f"{key}:{index}".encode()).hexdigest()[:24]


def _invalid(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "you must provide a model parameter"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "Invalid 'messages': empty array. Expected an array with minimum length 1."
    if not all(isinstance(m, dict) for m in messages):
        return "Invalid 'messages': every message must be an object."
    return None


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"
        )
    return ""


def _outputs(messages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The trailing tool messages as (function name, output), names from the calls they answer."""
    every = _tool_messages(messages)
    trailing = 0
    while trailing < len(messages) and messages[-1 - trailing].get("role") == "tool":
        trailing += 1
    return every[len(every) - trailing :]


def _tool_messages(messages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Every tool message as (function name, output), names from the calls they answer."""
    names: dict[str, str] = {}
    for message in messages:
        for call in message.get("tool_calls") or []:
            names[call.get("id", "")] = call.get("function", {}).get("name", "")
    return [
        (names.get(message.get("tool_call_id", ""), "unknown"), _text(message.get("content")))
        for message in messages
        if message.get("role") == "tool"
    ]


def chunks(answer: Answer, meta: dict[str, Any], usage: bool) -> list[dict[str, Any]]:
    """The stream's chunks, as OpenAI sends them: role, content or tool-call fragments, finish,
    then the usage chunk when asked for (``usage: null`` on the others)."""
    role: dict[str, Any] = {"role": "assistant", "content": None if answer.calls else ""}
    deltas: list[dict[str, Any]] = [{**role, "refusal": None}]
    deltas += [{"content": piece} for piece in answer.pieces()]
    for index, call in enumerate(answer.calls):
        head = {"index": index, "id": call.id, "type": "function"}
        deltas.append({"tool_calls": [{**head, "function": {"name": call.name, "arguments": ""}}]})
        for start in range(0, len(call.arguments), ARGUMENT_PIECE):
            piece = call.arguments[start : start + ARGUMENT_PIECE]
            deltas.append({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    choices = [[_choice(delta, None)] for delta in deltas] + [[_choice({}, answer.finish)]]
    extra = {"usage": None} if usage else {}
    out = [{**meta, "object": "chat.completion.chunk", "choices": c, **extra} for c in choices]
    if usage:
        out.append(
            {**meta, "object": "chat.completion.chunk", "choices": [], "usage": _usage(answer)}
        )
    return out


def _choice(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}


def _usage(answer: Answer) -> dict[str, int]:
    total = answer.prompt_tokens + answer.completion_tokens
    return {
        "prompt_tokens": answer.prompt_tokens,
        "completion_tokens": answer.completion_tokens,
        "total_tokens": total,
    }


def completion(answer: Answer, meta: dict[str, Any]) -> dict[str, Any]:
    """The non-streamed ``chat.completion``."""
    message: dict[str, Any] = {"role": "assistant", "content": answer.text or None, "refusal": None}
    if answer.calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in answer.calls
        ]
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": answer.finish}
    return {**meta, "object": "chat.completion", "choices": [choice], "usage": _usage(answer)}


def embed(text: str) -> list[float]:
    """A hashed bag of words: each word adds ±1 to one of 64 buckets; then unit length."""
    vector = [0.0] * DIMENSIONS
    for word in re.findall(r"\w+", text.lower()):
        digest = hashlib.sha256(word.encode()).digest()
        vector[int.from_bytes(digest[:4], "big") % DIMENSIONS] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector] if norm else vector


def embeddings(body: Any) -> dict[str, Any] | Refusal:
    inputs = body.get("input") if isinstance(body, dict) else None
    if isinstance(inputs, str):
        inputs = [inputs]
    if not isinstance(inputs, list) or not inputs or not all(isinstance(i, str) for i in inputs):
        return error(
            400,
            "'input' must be a string or a non-empty array of strings.",
            "invalid_request_error",
        )
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for index, text in enumerate(inputs):
        vector: Any = embed(text)
        if as_base64:
            vector = base64.b64encode(struct.pack(f"<{DIMENSIONS}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": vector})
    tokens = sum(responder.count_tokens(text) for text in inputs)
    usage = {"prompt_tokens": tokens, "total_tokens": tokens}
    return {"object": "list", "data": data, "model": str(body.get("model", "")), "usage": usage}
