"""Running the real CLI in-process, and recording or replaying its HTTP traffic."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import vcr

from asst_cli.app import run

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
HOST, PORT = "127.0.0.1", 8787
# Read at import: the isolation fixture clears every ASST_* variable before each test runs.
RECORD = os.environ.get("ASST_RECORD") == "1"
BASE = f"http://{HOST}:{PORT}"
DIALECTS = ("openai", "azure", "foundry")
# The variable holding each dialect's credential (a key, or Foundry's bearer token).
CREDENTIAL = {"openai": "OPENAI_API_KEY", "azure": "AZURE_OPENAI_API_KEY", "foundry": "ASST_TOKEN"}
DIALECT_ENV = {
    "openai": {"OPENAI_BASE_URL": f"{BASE}/v1", "OPENAI_API_KEY": "sk-test-openai-key-0000"},
    "azure": {
        "AZURE_OPENAI_ENDPOINT": BASE,
        "AZURE_OPENAI_API_KEY": "test-azure-key-0000",
        "OPENAI_API_VERSION": "2024-05-01-preview",
    },
    "foundry": {"ASST_ENDPOINT": f"{BASE}/api/projects/test", "ASST_TOKEN": "test-foundry-token"},
}
KEPT_REQUEST_HEADERS = {"content-type", "openai-beta", "accept"}
KEPT_RESPONSE_HEADERS = {
    "content-type",
    "content-disposition",
    "openai-poll-after-ms",
    "retry-after",
}


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class Runner:
    """Runs ``asst`` through its real entry point with captured streams."""

    def __call__(self, *args: str, stdin: str = "") -> Result:
        out, err = io.StringIO(), io.StringIO()
        old_stdin = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = run(list(args))
        finally:
            sys.stdin = old_stdin
        return Result(int(code), out.getvalue(), err.getvalue())


def _keep(headers: dict[str, Any], kept: set[str]) -> dict[str, Any]:
    return {k: v for k, v in headers.items() if k.lower() in kept}


def _scrub_request(request: Any) -> Any:
    request.headers = _keep(dict(request.headers), KEPT_REQUEST_HEADERS)
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = _keep(response["headers"], KEPT_RESPONSE_HEADERS)
    return response


_BOUNDARY = re.compile(rb"--[0-9a-f]{16,}")


def _normal_body(request: Any) -> Any:
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    content_type = str(request.headers.get("content-type", ""))
    if "json" in content_type and body:
        return json.loads(body)
    if "multipart" in content_type:
        return _BOUNDARY.sub(b"--BOUNDARY", body)
    return body


def body_matcher(recorded: Any, sent: Any) -> None:
    """Requests match only if their bodies mean the same (JSON compared as data)."""
    assert _normal_body(recorded) == _normal_body(sent), "request body differs from the cassette"


class Recorder:
    """The cassette in use, and (when recording) the engine behind it."""

    def __init__(self, path: Path, cassette: Any) -> None:
        self.path = path
        self.cassette = cassette

    @property
    def requests(self) -> list[Any]:
        return list(self.cassette.requests)

    def answer(self, path_end: str, method: str = "POST") -> Any:
        """The JSON body of the recorded response to the first request whose path ends so."""
        request = next(r for r in self.requests if r.method == method and r.path.endswith(path_end))
        return json.loads(self.cassette.responses_of(request)[0]["body"]["string"])


def cassette_path(node: pytest.Item) -> Path:
    module = Path(str(node.fspath)).stem
    return CASSETTES / module / f"{node.name}.yaml"


class _FixedBoundaryOs:
    """``os`` as httpx2's multipart encoder sees it while recording: a fixed boundary, so that
    re-recording an unchanged upload reproduces its cassette byte for byte."""

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    @staticmethod
    def urandom(size: int) -> bytes:
        return b"\x5a" * size


@contextlib.contextmanager
def _fixed_multipart_boundary() -> Iterator[None]:
    import httpx2._multipart

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx2._multipart, "os", _FixedBoundaryOs())
        yield


@contextlib.contextmanager
def _engine(seed: str, options: dict[str, Any]) -> Iterator[None]:
    from asst_engine.engine import Engine
    from asst_engine.testing.server import serve

    server = serve(HOST, PORT, Engine.deterministic(seed, **options))
    try:
        with _fixed_multipart_boundary():
            yield
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def _repeat_last() -> Iterator[None]:
    """Replay identical requests in recorded order, then repeat the last answer (vcrpy's own
    repeat mode always answers with the first, which would freeze a polled run in time)."""
    from vcr.cassette import Cassette

    original = Cassette.play_response

    def play(self: Any, request: Any) -> Any:
        matches = list(self._responses(request))
        if not matches:
            return original(self, request)
        index, response = next(
            ((i, r) for i, r in matches if self.play_counts[i] == 0), matches[-1]
        )
        self.play_counts[index] += 1
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Cassette, "play_response", play)
        yield


@contextlib.contextmanager
def recording(node: pytest.Item) -> Iterator[Recorder]:
    path = cassette_path(node)
    record = RECORD
    if not record and not path.exists():
        pytest.fail(f"no cassette {path.relative_to(ROOT)}; record it with ASST_RECORD=1")
    if record:
        path.unlink(missing_ok=True)
    marker = node.get_closest_marker("engine")
    engine_options = dict(marker.kwargs) if marker else {}
    # A test whose request count depends on time (a deadline) may replay a request again.
    repeats = node.get_closest_marker("repeats") is not None
    recorder = vcr.VCR(
        record_mode="all" if record else "none",
        match_on=["method", "scheme", "host", "port", "path", "query", "body"],
        filter_headers=["authorization", "api-key", "cookie", "set-cookie"],
        before_record_request=_scrub_request,
        before_record_response=_scrub_response,
        decode_compressed_response=True,
    )
    recorder.register_matcher("body", body_matcher)
    server = _engine(node.nodeid, engine_options) if record else contextlib.nullcontext()
    replay_order = _repeat_last() if repeats else contextlib.nullcontext()
    with (
        server,
        replay_order,
        recorder.use_cassette(str(path), allow_playback_repeats=repeats) as cassette,
    ):
        yield Recorder(path, cassette)
    if record and not path.exists():
        # vcrpy writes nothing for a test that sent nothing; replay still needs the file.
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("interactions: []\nversion: 1\n")
    # With repeats, identical requests replay the first recording, so later ones stay unplayed.
    if not record and not repeats:
        assert cassette.all_played, f"{path.name}: some recorded requests were never sent"


class FakeServer:
    """Stands in for api.py where the engine cannot give the answer a test needs (a file that
    fails to index, a hostile file name, the fields another service adds): each request is
    answered from what the test set and recorded in ``asked``.

    ``lists`` answers lists by path (an exception is raised instead); ``polls`` answers polls
    in turn as (body, openai-poll-after-ms); ``posted`` answers POSTs by the path's last
    segment; ``objects`` answers GETs and ``contents`` downloads, by path.
    """

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        *,
        lists: dict[str, list[dict[str, Any]] | Exception] | None = None,
        polls: list[tuple[dict[str, Any], str | None]] | None = None,
    ) -> None:
        from asst_cli import api

        self.asked: list[str] = []
        self.lists = dict(lists or {})
        self.polls = list(polls or [])
        self.posted: dict[str, Callable[[Any], dict[str, Any]]] = {}
        self.objects: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        for name in ("get", "get_response", "post", "delete", "iterate", "stream_get"):
            monkeypatch.setattr(api, name, getattr(self, name))

    def get(self, path: str, params: Any = None) -> Any:
        self.asked.append(f"GET {path}")
        return self.objects[path]

    def get_response(self, path: str, params: Any = None, within: float | None = None) -> Any:
        import httpx2

        self.asked.append(f"GET {path}")
        body, hint = self.polls.pop(0)
        headers = {"openai-poll-after-ms": hint} if hint else {}
        return httpx2.Response(200, json=body, headers=headers)

    def post(self, path: str, body: Any = None) -> Any:
        self.asked.append(f"POST {path}")
        return self.posted[path.rsplit("/", 1)[-1]](body)

    def delete(self, path: str) -> Any:
        self.asked.append(f"DELETE {path}")
        return {"id": path.rsplit("/", 1)[-1], "deleted": True}

    def iterate(self, path: str, params: Any = None) -> Any:
        self.asked.append(f"LIST {path} {params}")
        found = self.lists.get(path, [])
        if isinstance(found, Exception):
            raise found
        return iter(found)

    @contextlib.contextmanager
    def stream_get(self, path: str) -> Iterator[Any]:
        import httpx2

        self.asked.append(f"GET {path}")
        yield httpx2.Response(200, content=self.contents[path])


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt here, and a process started meanwhile can be interrupted,
    as under a terminal: a test run a shell started in the background ignores SIGINT, and
    whatever it starts inherits that (the Ctrl-C tests would then wait out their limits)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
