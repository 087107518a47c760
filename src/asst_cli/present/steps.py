"""What a run did besides writing its reply, for ``threads show --steps``: the code it ran
(code_interpreter input, then its logs and images), the files it searched, the functions it
called with their outputs. Rendering only: the steps come in, text goes out."""

from __future__ import annotations

import json
from typing import Any


def tool_calls(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tool calls of a run's steps, in the order they were made."""
    calls: list[dict[str, Any]] = []
    for step in steps:
        details = step.get("step_details") or {}
        if details.get("type") == "tool_calls":
            calls += [c for c in details.get("tool_calls") or [] if isinstance(c, dict)]
    return calls


def markdown(call: dict[str, Any]) -> str:
    """One tool call as Markdown: a heading line, then its code or arguments and outputs."""
    kind = call.get("type")
    if kind == "code_interpreter":
        return _code(call.get("code_interpreter") or {})
    if kind == "file_search":
        results = (call.get("file_search") or {}).get("results") or []
        found = ", ".join(str(r.get("file_name") or r.get("file_id")) for r in results)
        return f"▸ file_search: {len(results)} results" + (f" ({found})" if found else "") + "\n"
    function = call.get("function") or {}
    shown = f"▸ {function.get('name', '?')}({function.get('arguments', '')})"
    output = function.get("output")
    return shown + ("" if output is None else f" → {json.dumps(output)}") + "\n"


def _code(code: dict[str, Any]) -> str:
    parts = [f"▸ code_interpreter ran:\n\n```python\n{str(code.get('input', '')).rstrip()}\n```\n"]
    for output in code.get("outputs") or []:
        if output.get("type") == "logs" and output.get("logs"):
            parts.append(f"\noutput:\n\n```\n{str(output['logs']).rstrip()}\n```\n")
        elif output.get("type") == "image":
            parts.append(f"\nimage: {(output.get('image') or {}).get('file_id', '')}\n")
    return "".join(parts)
