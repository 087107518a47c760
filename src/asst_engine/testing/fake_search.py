"""The fake model's file search, scripted by the last user message.

``please search <query>``, when a ``file_search`` function is offered, calls it with
``{"queries": ["<query>"]}``; after its result the reply cites the first source marker the result
holds (``According to the files【0:0†name】.``), or says nothing was found.
"""

from __future__ import annotations

import json
import re

NAME = "file_search"
SEARCH = re.compile(r"\bplease search (.+)", re.IGNORECASE | re.DOTALL)
MARKER = re.compile(r"【\d+:\d+†[^】]*】")
Outputs = list[tuple[str, str]]  # tool messages as (function name, output)


def query(prompt: str, functions: list[str]) -> str | None:
    """The arguments of the search the prompt asks for, or None."""
    searched = SEARCH.search(prompt)
    if searched is None or NAME not in functions:
        return None
    return json.dumps({"queries": [searched.group(1).strip()]})


def reply(outputs: Outputs) -> str | None:
    """The reply to a search's result: cite its first marker, if any; None after other tools."""
    if not outputs or outputs[-1][0] != NAME:
        return None
    marker = MARKER.search(outputs[-1][1])
    return f"According to the files{marker.group(0)}." if marker else "Nothing was found."
