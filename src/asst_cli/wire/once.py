"""Creates that are safe to retry: a lost answer never makes an object twice.

The protocol has no idempotency key, so before sending a create again asst looks for the object
the lost attempt may have made, and returns it if found. Each failure is sorted first:

- not done (429, or no connection was made): sent again, as any request is (polling.send);
- perhaps done (the connection broke after the request left, a timeout, a 5xx): looked up, and
  sent again only when nothing was found;
- anything else: raised at once.

A candidate must have been created since the first attempt (less ``CLOCK_SKEW`` for a server clock
behind ours) and carry everything the request asked for (see ``matches``). Kinds without a list
to look in (threads, and create-and-run, on dialects that cannot list threads) are never sent
again once perhaps done: the error says so, and nothing is made twice.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from .. import paths
from ..errors import AsstError, ExitCode

CLOCK_SKEW = 5.0
LOOK_BACK = 20  # newest objects searched; a lost attempt's object is among the very newest

Finder = Callable[[float], "dict[str, Any] | None"]
_THREAD_CHILD = re.compile(r"^/threads/[^/]+/(messages|runs)$")
_STORE_FILES = re.compile(r"^/vector_stores/[^/]+/files$")
UNFINDABLE = {paths.THREADS, paths.THREAD_RUNS}
_LISTED = {paths.ASSISTANTS, paths.VECTOR_STORES}


class PerhapsDone(AsstError):
    """A create whose answer was lost, of a kind that cannot be looked up."""

    def __init__(self, path: str, detail: str) -> None:
        made = "a thread and its run" if path == paths.THREAD_RUNS else "a thread"
        super().__init__(
            f"POST {path}: {detail}; the server may have made {made} all the same",
            "asst did not send it again, so nothing was made twice; this backend cannot list "
            "threads to find it, so run the command again if no reply comes",
            ExitCode.TEMPORARY,
        )


class Found(Exception):
    """A streamed create whose answer was lost, and the object that attempt made (``made``):
    the stream it opened is gone, so the caller follows the object another way."""

    def __init__(self, made: dict[str, Any]) -> None:
        super().__init__(f"found {made.get('id')} made by an attempt whose answer was lost")
        self.made = made


def is_create(path: str) -> bool:
    return (
        path in UNFINDABLE
        or path in _LISTED
        or bool(_THREAD_CHILD.match(path) or _STORE_FILES.match(path))
    )


def verdict(exc: Exception) -> str:
    """``"again"``, ``"perhaps"`` or ``"final"`` for a failed attempt (see the module's doc)."""
    import openai

    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429:
            return "again"
        return "perhaps" if exc.status_code >= 500 else "final"
    if isinstance(exc, openai.APITimeoutError):
        return "perhaps"
    if isinstance(exc, openai.APIConnectionError):
        cause = type(exc.__cause__).__name__
        return "again" if cause in {"ConnectError", "ConnectTimeout"} else "perhaps"
    return "final"


def matches(candidate: Mapping[str, Any], body: Mapping[str, Any], started: float) -> bool:
    """Made since ``started``, and equal to ``body`` in every field both hold that the server
    echoes as sent (text content is compared as text)."""
    if float(candidate.get("created_at") or 0) < started - CLOCK_SKEW:
        return False
    for key, wanted in body.items():
        if key == "content" and isinstance(wanted, str):
            parts = candidate.get("content") or []
            texts = [p.get("text", {}).get("value") for p in parts if isinstance(p, dict)]
            if texts != [wanted]:
                return False
        elif key in candidate and candidate[key] != wanted and key not in _NOT_ECHOED:
            return False
    return True


# Fields a server may fill in or normalise (defaults, expanded resources), so they prove nothing.
_NOT_ECHOED = frozenset({"tools", "tool_resources", "response_format", "content", "stream"})


def finder(path: str, body: Mapping[str, Any], get: Callable[..., Any]) -> Finder | None:
    """How to find what a create at ``path`` made; None where nothing can be looked up."""
    if path in UNFINDABLE:
        return None
    if _STORE_FILES.match(path):
        file_id = str(body.get("file_id"))
        return lambda _: _present(get, f"{path}/{paths.segment(file_id, 'file id')}")
    if path in _LISTED or _THREAD_CHILD.match(path):

        def newest(started: float) -> dict[str, Any] | None:
            listing = get(path, {"limit": LOOK_BACK, "order": "desc"})
            found = [o for o in listing.get("data", []) if matches(o, body, started)]
            return found[0] if found else None

        return newest
    return None


def _present(get: Callable[..., Any], path: str) -> dict[str, Any] | None:
    import openai

    try:
        found: dict[str, Any] = get(path)
        return found
    except openai.NotFoundError:
        return None


def settler(path: str, find: Finder | None) -> Callable[[Exception], Any]:
    """What polling.send asks before it sends a failed create again: the object the lost
    attempt made if found (returned instead), None to send again; raises when a repeat could
    make a second one (see the module's doc). Lookups go through the same deadline."""
    started = time.time()

    def settle(exc: Exception) -> Any:
        kind = verdict(exc)
        if kind == "final":
            raise exc
        if kind == "again":
            return None
        if find is None:
            raise PerhapsDone(path, _detail(exc)) from exc
        return find(started)

    return settle


def _detail(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    return f"the server answered {status}" if status else "the answer was lost"
