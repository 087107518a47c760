"""The only module that sends requests through the SDK.

It uses the client's generic request methods rather than the typed (and deprecated) beta
resources: every dialect's objects come back exactly as the server sent them (Foundry adds fields
the typed models drop), and asst avoids the half second the typed resources cost to import.
Paths are the protocol's own, built in paths.py; the backend only decides where they go (see
client.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import checks, client, ledger, paths, polling, settings
from .errors import AsstError, ExitCode, UsageError
from .wire import limits, once

if TYPE_CHECKING:
    import httpx2
    from openai import OpenAI

T = TypeVar("T")
PAGE_SIZE_ALL = 100
CANCEL_TIME_LIMIT = 5.0  # seconds a cancel may take, retries included
# Asks the SDK for the undecoded HTTP response (headers, streamed body) instead of parsed JSON.
_RAW_STREAM = {"X-Stainless-Raw-Response": "stream"}
_state: dict[str, Any] = {
    "options": settings.GlobalOptions(),
    "client": None,
    "deadline": polling.Deadline(None),
}


def configure(options: settings.GlobalOptions) -> None:
    """Remember the root command's options; the client is built on the first request."""
    _state.update(options=options, client=None, deadline=polling.Deadline(None))


def start_deadline(seconds: float | None) -> polling.Deadline:
    """Start the command's deadline (``--timeout``): from now on no request outlasts it."""
    deadline = polling.Deadline(seconds)
    _state["deadline"] = deadline
    return deadline


def _send(
    call: Callable[[Any], T],
    within: float | None = None,
    settle: polling.Settle | None = None,
    **options: Any,
) -> T:
    """One request, retried as polling.send says, bounded by the command's deadline (and
    ``within``); ``settle`` as polling.send's."""
    deadline: polling.Deadline = _state["deadline"]
    retries = current_settings().max_retries
    return polling.send(call, options, deadline, retries, within, settle)


def named_profile() -> str | None:
    """The profile named by --profile or ASST_PROFILE, if any."""
    options: settings.GlobalOptions = _state["options"]
    return options.profile or settings.named_profile_env()


def current_settings() -> settings.Settings:
    return settings.resolve(_state["options"])


def _client() -> OpenAI:
    if _state["client"] is None:
        _state["client"] = client.build(current_settings(), _state["options"].debug)
        limits.bound(_state["client"])
    sdk: OpenAI = _state["client"]
    return sdk


@dataclass
class Page:
    data: list[dict[str, Any]]
    has_more: bool
    last_id: str | None


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (params or {}).items() if v is not None}


def get(path: str, params: Mapping[str, Any] | None = None) -> Any:
    return _send(lambda o: _client().get(path, cast_to=object, options=o), params=_clean(params))


def post(path: str, body: Mapping[str, Any] | None = None) -> Any:
    """POST a JSON body; without one (cancel) the request has no body at all, as specified.
    A failed create is sent again only where that cannot make its object twice (see once.py)."""
    sent = None if body is None else dict(body)
    settle = None
    if sent is not None and once.is_create(path):
        settle = once.settler(path, once.finder(path, sent, get))
    answer = _send(
        lambda o: _client().post(path, body=sent, cast_to=object, options=o), settle=settle
    )
    created(path, answer)
    return answer


def update(path: str, body: Mapping[str, Any]) -> Any:
    """POST an update. Metadata merges, as everywhere in asst: the keys given are set on the live
    object's (a key given an empty value is removed), the others stay; the server alone would
    replace the whole mapping, and with it the identity asst keeps there."""
    sent = dict(body)
    if isinstance(body.get("metadata"), dict):
        live = get(path).get("metadata") or {}
        merged = {**live, **body["metadata"]}
        sent["metadata"] = {key: value for key, value in merged.items() if value != ""}
        if len(sent["metadata"]) > checks.METADATA_MAX_KEYS:
            raise UsageError(
                f"metadata would have {len(sent['metadata'])} keys, more than "
                f"{checks.METADATA_MAX_KEYS}",
                "remove some with --metadata KEY= (an empty value)",
            )
    return post(path, sent)


def created(path: str, answer: Any) -> None:
    """Every answer to a POST passes here (streamed runs: their first run event), so that the
    ledger records each thread asst creates, whichever command created it."""
    ledger.notice(current_settings(), path, answer)


def post_raw(path: str, data: bytes, content_type: str) -> Any:
    """POST a body that is not one JSON object (the engine's JSON-lines import)."""
    headers = {"Content-Type": content_type}
    return _send(
        lambda o: _client().post(path, content=data, cast_to=object, options=o), headers=headers
    )


def cancel(path: str) -> Any:
    """POST ``path``/cancel on its own short time limit, not the command's deadline: it is sent
    when that deadline has passed or the command was interrupted, and exit must not wait on a
    stalled server."""
    deadline = polling.Deadline(CANCEL_TIME_LIMIT, _state["deadline"].clock)
    retries = current_settings().max_retries

    def call(options: Any) -> Any:
        return _client().post(paths.cancel(path), body=None, cast_to=object, options=options)

    try:
        return polling.send(call, {}, deadline, retries)
    except polling.DeadlineCut:
        raise AsstError(
            f"no answer within {CANCEL_TIME_LIMIT:g} s", None, ExitCode.TEMPORARY
        ) from None


def delete(path: str) -> Any:
    return _send(lambda o: _client().delete(path, cast_to=object, options=o))


def get_response(
    path: str, params: Mapping[str, Any] | None = None, within: float | None = None
) -> httpx2.Response:
    """A GET whose headers matter too (e.g. ``openai-poll-after-ms``); the body is read.

    ``within``: seconds left before a deadline of the caller's, which this must not outlast.
    """
    import httpx2

    def call(options: Any) -> httpx2.Response:
        response: httpx2.Response = _client().get(path, cast_to=httpx2.Response, options=options)
        return response

    return _send(call, within, params=_clean(params))


def get_polled(path: str, within: float | None = None) -> tuple[dict[str, Any], float | None]:
    """A polled object and the server's hint for the next poll (``openai-poll-after-ms``)."""
    response = get_response(path, within=within)
    found: dict[str, Any] = response.json()
    return found, polling.poll_hint(response)


@contextmanager
def stream_get(path: str) -> Iterator[httpx2.Response]:
    """A GET whose body is streamed (file downloads); closed when the block ends."""
    import httpx2

    def call(options: Any) -> httpx2.Response:
        response: httpx2.Response = _client().get(
            path, cast_to=httpx2.Response, options=options, stream=True
        )
        return response

    response = _send(call, headers=_RAW_STREAM)
    try:
        yield response
    finally:
        response.close()


@contextmanager
def stream_post(
    path: str, body: Mapping[str, Any], within: float | None = None
) -> Iterator[httpx2.Response]:
    """A POST whose response body is streamed (server-sent events); closed when the block ends.

    The opening request is retried like any other, and a create as safely as :func:`post`'s:
    when the lost attempt's object is found, :class:`once.Found` is raised with it, for the
    stream that would have told of it is gone. ``within`` as for :func:`get_response`.
    """
    import httpx2

    sent = dict(body)
    settle = None
    if once.is_create(path):
        settle = once.settler(path, once.finder(path, sent, get))

    def call(options: Any) -> httpx2.Response:
        response: httpx2.Response = _client().post(
            path, body=sent, cast_to=httpx2.Response, options=options, stream=True
        )
        return response

    response: Any = _send(call, within, settle, headers=_RAW_STREAM)
    if isinstance(response, dict):
        raise once.Found(response)
    try:
        yield response
    finally:
        response.close()


def upload(file: Path, purpose: str, filename: str | None = None) -> Any:
    """POST /files as multipart, streaming the file from disk (afresh for each attempt). A lost
    answer is followed by a look for a file of the same name, size and purpose made since,
    before sending again."""
    name, size = filename or file.name, file.stat().st_size

    def call(options: Any) -> Any:
        with file.open("rb") as handle:
            parts = [("file", (name, handle, "application/octet-stream"))]
            return _client().post(
                paths.FILES, body={"purpose": purpose}, files=parts, options=options, cast_to=object
            )

    def find(started: float) -> dict[str, Any] | None:
        wanted = {"filename": name, "bytes": size, "purpose": purpose}
        for listed in pages(paths.FILES, {"purpose": purpose}):
            for candidate in listed.data:
                if once.matches(candidate, wanted, started):
                    return candidate
        return None

    settle = once.settler(paths.FILES, find)
    return _send(call, settle=settle, headers={"Content-Type": "multipart/form-data"})


def page(path: str, params: Mapping[str, Any] | None = None) -> Page:
    body = get(path, params)
    data = body.get("data", []) if isinstance(body, dict) else []
    last = body.get("last_id") if isinstance(body, dict) else None
    if not last and data:
        last = data[-1].get("id")
    more = bool(body.get("has_more")) if isinstance(body, dict) else False
    return Page(data=list(data), has_more=more, last_id=last)


def iterate(path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Every object of a list, page after page, holding one page in memory at a time."""
    query = _clean(params)
    query.setdefault("limit", PAGE_SIZE_ALL)
    for current in pages(path, query):
        yield from current.data


def pages(path: str, params: Mapping[str, Any] | None = None) -> Iterator[Page]:
    """Every page of a list, each asked for after the last; a server that hands out a cursor
    it gave before would send the same pages forever, so that ends in an error instead."""
    query = _clean(params)
    seen: set[str] = set()
    while True:
        current = page(path, query)
        yield current
        if not current.has_more or not current.last_id:
            return
        if current.last_id in seen:
            raise AsstError(
                f"the server repeated the page cursor {current.last_id} while listing {path}",
                "list one page at a time with --after instead of --all",
            )
        seen.add(current.last_id)
        query["after"] = current.last_id
