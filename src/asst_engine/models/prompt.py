"""From the engine's stored objects (assistant, run, thread messages) to a ``ChatRequest``.

Everything here is pure. The request is built as the service builds a run's prompt:

- system message: the run's ``instructions`` (which override the assistant's) or else the
  assistant's, then the run's ``additional_instructions`` when the run carries them apart;
- the thread's messages in order. Text parts are joined; attachments are named in the text
  (``[attached: report.pdf (file-abc)]``); image parts become ``image_url`` parts when the model
  takes images (``image_file`` ids through ``image_urls``, the data: URLs the engine serves) and
  a note like ``[image: chart.png (file-abc)]`` otherwise (and always in assistant messages);
- then this run's earlier rounds of tool calls: an assistant message with ``tool_calls`` and one
  ``tool`` message per output;
- function tools: the run's own, and for a run with code_interpreter (when the engine runs code)
  the ``python`` function taking ``code``, which the engine runs in the thread's sandbox; an
  assistant message written by a run that ran code starts with a note holding that code
  (``[python ran: ...]``), so the model can tell about it later. Other hosted tools run in the
  engine, so a ``tool_choice`` naming one leaves the model on ``auto``. With no function tools,
  neither ``tool_choice`` nor ``parallel_tool_calls`` is sent (chat servers refuse them then).

Truncation: ``last_messages`` N keeps the thread's last N messages. Then, when the run has
``max_prompt_tokens``, the oldest thread messages are dropped until the estimate fits (the
newest is always kept; the system message and tool rounds are never dropped), and assistant
messages left at the front go too, since many chat templates must start with a user turn.
The estimate, without a tokenizer, is ``ceil(characters / 4)`` of each text, plus 4 per message,
85 per image and the tools' JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asst_engine.models.base import ChatRequest, ToolCall

PER_MESSAGE = 4
PER_IMAGE = 85
Message = dict[str, Any]
PYTHON = "python"
PYTHON_TOOL: Message = {
    "type": "function",
    "function": {
        "name": PYTHON,
        "description": (
            "Run Python code in a stateful session (variables and imports last between calls). "
            "Files are in /mnt/data, and files written there can be linked as "
            "sandbox:/mnt/data/<name>. Figures shown with plt.show() are displayed to the user. "
            "The session has no internet access."
        ),
        "parameters": {
            "type": "object",
            "properties": {"code": {"type": "string", "description": "The code to run."}},
            "required": ["code"],
        },
    },
}


@dataclass(frozen=True)
class ToolRound:
    """One round of this run's tool calls, with ``outputs`` by call id and any text the model
    wrote alongside the calls."""

    calls: tuple[ToolCall, ...]
    outputs: Mapping[str, str]
    text: str = ""


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def message_tokens(message: Mapping[str, Any]) -> int:
    total = PER_MESSAGE
    content = message.get("content")
    if isinstance(content, str):
        total += estimate_tokens(content)
    for part in content if isinstance(content, list) else []:
        total += estimate_tokens(part["text"]) if part["type"] == "text" else PER_IMAGE
    for call in message.get("tool_calls") or []:
        total += estimate_tokens(call["function"]["name"] + call["function"]["arguments"])
    return total


def prompt_tokens(request: ChatRequest) -> int:
    """The estimated prompt size of ``request`` (see the module's note on the estimate)."""
    tools = estimate_tokens(json.dumps(request.tools)) if request.tools else 0
    return tools + sum(message_tokens(message) for message in request.messages)


def build_request(
    assistant: Mapping[str, Any],
    run: Mapping[str, Any],
    thread: Sequence[Mapping[str, Any]],
    rounds: Sequence[ToolRound] = (),
    *,
    model: str,
    images: bool = False,
    image_urls: Mapping[str, str] | None = None,
    filenames: Mapping[str, str] | None = None,
    python: bool = False,
    code_history: Mapping[str, Sequence[str]] | None = None,
) -> ChatRequest:
    """The request for ``run`` of ``assistant`` on ``thread`` (its messages, oldest first).

    ``model`` is the provider's model name; ``images`` whether it takes image input;
    ``image_urls`` maps image file ids to URLs and ``filenames`` file ids to names; ``python``
    offers the ``python`` tool; ``code_history`` holds the code earlier runs ran, by run id.
    """
    names = filenames or {}
    converted = [_message(m, images, image_urls or {}, names) for m in thread]
    _note_code(thread, converted, code_history or {})
    tools = [t for t in run.get("tools") or [] if t.get("type") == "function"]
    if python and PYTHON not in {t["function"]["name"] for t in tools}:
        tools.append(PYTHON_TOOL)
    head = _system(assistant, run)
    tail = [message for round_ in rounds for message in _round(round_)]
    budget = run.get("max_prompt_tokens")
    if budget is not None:
        fixed = sum(message_tokens(m) for m in head + tail)
        fixed += estimate_tokens(json.dumps(tools)) if tools else 0
        converted = _fit(_last(converted, run), budget - fixed)
    else:
        converted = _last(converted, run)
    return ChatRequest(
        model=model,
        messages=head + converted + tail,
        tools=[{"type": "function", "function": dict(t["function"])} for t in tools],
        tool_choice=_tool_choice(run.get("tool_choice"), tools),
        temperature=_setting(run, assistant, "temperature"),
        top_p=_setting(run, assistant, "top_p"),
        response_format=_response_format(_setting(run, assistant, "response_format")),
        parallel_tool_calls=run.get("parallel_tool_calls") if tools else None,
        max_tokens=run.get("max_completion_tokens"),
        reasoning_effort=_setting(run, assistant, "reasoning_effort"),
    )


def _note_code(
    thread: Sequence[Mapping[str, Any]],
    converted: list[Message],
    history: Mapping[str, Sequence[str]],
) -> None:
    """The first assistant message of each run that ran code starts with that code."""
    noted: set[str] = set()
    for message, sent in zip(thread, converted, strict=True):
        run_id = str(message.get("run_id"))
        if message["role"] != "assistant" or run_id not in history or run_id in noted:
            continue
        noted.add(run_id)
        note = "\n".join(f"[python ran:\n```python\n{code}\n```]" for code in history[run_id])
        if isinstance(sent["content"], str):
            sent["content"] = f"{note}\n\n{sent['content']}"
        else:
            sent["content"].insert(0, {"type": "text", "text": note})


def _setting(run: Mapping[str, Any], assistant: Mapping[str, Any], key: str) -> Any:
    value = run.get(key)
    return assistant.get(key) if value is None else value


def _system(assistant: Mapping[str, Any], run: Mapping[str, Any]) -> list[Message]:
    text = run.get("instructions") or assistant.get("instructions") or ""
    extra = run.get("additional_instructions") or ""
    # The engine stores a run's instructions with the additional ones already appended.
    if extra and not text.endswith(extra):
        text = f"{text}\n\n{extra}" if text else extra
    return [{"role": "system", "content": text}] if text else []


def _message(
    message: Mapping[str, Any],
    images: bool,
    image_urls: Mapping[str, str],
    names: Mapping[str, str],
) -> Message:
    role = message["role"]
    parts: list[Message] = []
    for part in message["content"]:
        parts.append(_part(part, images and role == "user", image_urls, names))
    notes = [f"[attached: {_file(a['file_id'], names)}]" for a in message.get("attachments") or []]
    if notes:
        parts.append({"type": "text", "text": "\n".join(notes)})
    if all(part["type"] == "text" for part in parts):
        return {"role": role, "content": "\n\n".join(part["text"] for part in parts)}
    return {"role": role, "content": parts}


def _part(
    part: Mapping[str, Any], images: bool, image_urls: Mapping[str, str], names: Mapping[str, str]
) -> Message:
    kind = part["type"]
    if kind == "text":
        return {"type": "text", "text": part["text"]["value"]}
    if kind == "image_file":
        file_id = part["image_file"]["file_id"]
        url = image_urls.get(file_id)
        if images and url is not None:
            return _image(url, part["image_file"].get("detail"))
        return {"type": "text", "text": f"[image: {_file(file_id, names)}]"}
    url = part["image_url"]["url"]
    if images:
        return _image(url, part["image_url"].get("detail"))
    shown = "inline data" if url.startswith("data:") else url
    return {"type": "text", "text": f"[image: {shown}]"}


def _image(url: str, detail: str | None) -> Message:
    image = {"url": url, **({"detail": detail} if detail else {})}
    return {"type": "image_url", "image_url": image}


def _file(file_id: str, names: Mapping[str, str]) -> str:
    return f"{names[file_id]} ({file_id})" if file_id in names else file_id


def _round(round_: ToolRound) -> list[Message]:
    calls = [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
        for c in round_.calls
    ]
    missing = [call.id for call in round_.calls if call.id not in round_.outputs]
    if missing:
        raise ValueError(f"No output for tool calls {missing}: every call needs one.")
    said: Message = {"role": "assistant", "content": round_.text or None, "tool_calls": calls}
    outputs = [
        {"role": "tool", "tool_call_id": c.id, "content": round_.outputs[c.id]}
        for c in round_.calls
    ]
    return [said, *outputs]


def _last(messages: list[Message], run: Mapping[str, Any]) -> list[Message]:
    strategy = run.get("truncation_strategy") or {}
    keep = strategy.get("last_messages")
    if strategy.get("type") == "last_messages" and keep:
        return messages[-keep:]
    return messages


def _fit(messages: list[Message], budget: int) -> list[Message]:
    kept = list(messages)
    while len(kept) > 1 and sum(message_tokens(m) for m in kept) > budget:
        kept.pop(0)
    if len(kept) < len(messages):
        while len(kept) > 1 and kept[0]["role"] == "assistant":
            kept.pop(0)
    return kept


def _tool_choice(choice: Any, tools: list[Message]) -> str | dict[str, Any] | None:
    if not tools or choice is None:
        return None
    if isinstance(choice, str):
        return choice
    if choice.get("type") == "function":
        return {"type": "function", "function": {"name": choice["function"]["name"]}}
    return "auto"


def _response_format(value: Any) -> dict[str, Any] | None:
    """``auto`` and ``text`` are the chat default, so nothing is sent for them."""
    if not isinstance(value, dict) or value.get("type") == "text":
        return None
    return dict(value)
