"""A bound on the JSON replies asst reads whole: a hostile or broken server cannot exhaust memory.

Every object, list page and error of the protocol is small (a page of 100 messages is well under
a megabyte), so a JSON reply larger than ``MAX_REPLY`` is refused: at once when its length is
announced, else as soon as that many bytes have arrived. File contents and event streams are
read in pieces and are not bounded here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import AsstError

if TYPE_CHECKING:
    import httpx2

MAX_REPLY = 64 * 1024 * 1024


class ReplyTooLarge(AsstError):
    def __init__(self) -> None:
        super().__init__(
            f"the server's reply is larger than {MAX_REPLY:,} bytes, more than any "
            "answer of the protocol",
            "check the endpoint: it does not look like an Assistants API",
        )


def bound(sdk: Any) -> None:
    """Make the SDK client's HTTP client check every reply (``sdk._client`` is its httpx client,
    the one seam the SDK offers short of building that client in its place)."""
    sdk._client.event_hooks["response"].append(_check)


def _check(response: httpx2.Response) -> None:
    if "json" not in response.headers.get("content-type", ""):
        return
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_REPLY:
        raise ReplyTooLarge
    response.stream = _capped(response.stream)


def _capped(stream: Any) -> Any:
    import httpx2

    class Capped(httpx2.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            seen = 0
            for chunk in stream:
                seen += len(chunk)
                if seen > MAX_REPLY:
                    raise ReplyTooLarge
                yield chunk

        def close(self) -> None:
            stream.close()

    return Capped()
