"""The fake model's file search, scripted by the last user message.

``please search <query>``, when a ``file_search`` function is offered, calls it with
``{"queries": ["<query>"]}``; after its result the reply cites the first source marker the result
holds (``According to the files【0:0†name】.``), or says nothing was found. With
``please search <query> then call <fname> {json}`` the search's result is followed by that call
instead, and the reply to its output starts with the first marker of the searches the model was
shown (a model that no longer sees them cites nothing).
"""

from __future__ import annotations

import json
import re

from asst_engine.tools.file_search import MARKER, NAME

SEARCH = re.compile(r"\bplease search (.+?)(?: then (call .+))?$", re.IGNORECASE | re.DOTALL)
Outputs = list[tuple[str, str]]  # tool messages as (function name, output)


def query(prompt: str, functions: list[str]) -> str | None:
    """The arguments of the search the prompt asks for, or None."""
    searched = SEARCH.search(prompt)
    if searched is None or NAME not in functions:
        return None
    return json.dumps({"queries": [searched.group(1).strip()]})


def then(prompt: str, outputs: Outputs) -> str | None:
    """After a search's result, the ``call <fname> {json}`` the prompt asks for next, or None."""
    searched = SEARCH.search(prompt)
    if searched is None or not outputs or outputs[-1][0] != NAME:
        return None
    return searched.group(2)


def reply(outputs: Outputs) -> str | None:
    """The reply to a search's result: cite its first marker, if any; None after other tools."""
    if not outputs or outputs[-1][0] != NAME:
        return None
    marker = MARKER.search(outputs[-1][1])
    return f"According to the files{marker.group(0)}." if marker else "Nothing was found."


def cited(shown: Outputs, replied: str) -> str:
    """``replied``, after the first marker of the searches in ``shown`` (every tool message)."""
    texts = (text for name, text in shown if name == NAME)
    marker = next((found.group(0) for text in texts if (found := MARKER.search(text))), None)
    return f"According to the files{marker}. {replied}" if marker else replied
