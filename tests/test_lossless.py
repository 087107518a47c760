"""Faults that must lose or duplicate nothing: lost answers, repeated cursors, hostile replies.

These talk to servers on 127.0.0.1 (tests/loopback.py): an answer that never arrives, or a
server that misbehaves in one precise way, cannot be held in a cassette.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from asst_cli.wire import limits
from asst_engine import Engine, EngineServer, serve
from test_files import run_binary

from harness import Runner, interruptible
from loopback import LossyProxy, Stub, every, lose_first


def test_all_stops_when_the_server_repeats_a_page_cursor(cli: Runner, stub: Stub) -> None:
    def same_page(method: str, path: str) -> dict[str, Any]:
        item = {"id": "asst_1", "object": "assistant", "name": "a", "model": "m", "created_at": 0}
        # "More" every time, for long enough that a client that does not notice is caught.
        more = len(stub.seen) < 5
        return {"object": "list", "data": [item], "has_more": more, "last_id": "asst_1"}

    stub.answer = same_page
    result = cli("assistants", "list", "--all", "-o", "id")
    assert result.exit_code == 1
    assert result.stdout == "asst_1\nasst_1\n"
    assert result.stderr == (
        "Error: the server repeated the page cursor asst_1 while listing /assistants "
        "(list one page at a time with --after instead of --all)\n"
    )
    assert stub.seen == [
        "GET /v1/assistants?limit=100",
        "GET /v1/assistants?limit=100&after=asst_1",
    ]


# -- lost answers: the engine does the work, the proxy closes the connection instead of answering


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[EngineServer]:
    server = serve("127.0.0.1", 0, Engine())
    server.handle_error = lambda *_: None  # type: ignore[method-assign]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-live-test-0000")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def losing(
    engine: EngineServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., LossyProxy]]:
    """``losing("POST /v1/files")``: from then on, asst talks to the engine through a proxy that
    loses the answer to the first such request."""
    proxies: list[LossyProxy] = []

    def start(*requests: str, refuse: tuple[str, ...] = ()) -> LossyProxy:
        proxy = LossyProxy(engine.url, lose_first(*requests), every(*refuse))
        proxies.append(proxy)
        monkeypatch.setenv("OPENAI_BASE_URL", f"{proxy.url}/v1")
        return proxy

    yield start
    for proxy in proxies:
        proxy.stop()


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def made(proxy: LossyProxy, request: str) -> int:
    return proxy.seen.count(request)


def test_a_lost_upload_answer_makes_one_file(cli: Runner, losing: Any) -> None:
    Path("a.txt").write_text("alpha\n")
    proxy = losing("POST /v1/files")
    uploaded = ok(cli("files", "upload", "a.txt", "-o", "json")).json()
    assert proxy.lost == ["POST /v1/files"]
    assert made(proxy, "POST /v1/files") == 1  # found by name, size and time: never sent again
    listed = ok(cli("files", "list", "-o", "json")).json()
    assert [(f["id"], f["filename"]) for f in listed] == [(uploaded[0]["id"], "a.txt")]


@pytest.mark.parametrize(
    ("argv", "path", "listing"),
    [
        (
            ("assistants", "create", "--name", "bot", "--model", "gpt-4o"),
            "/v1/assistants",
            ("assistants", "list"),
        ),
        (
            ("vector-stores", "create", "--name", "docs"),
            "/v1/vector_stores",
            ("vector-stores", "list"),
        ),
    ],
)
def test_a_lost_create_answer_makes_one_object(
    cli: Runner, losing: Any, argv: tuple[str, ...], path: str, listing: tuple[str, ...]
) -> None:
    proxy = losing(f"POST {path}")
    created = ok(cli(*argv, "-o", "id")).stdout.strip()
    assert proxy.lost == [f"POST {path}"]
    assert ok(cli(*listing, "-o", "id")).stdout.split() == [created]


def test_apply_after_a_lost_answer_makes_one_assistant(cli: Runner, losing: Any) -> None:
    Path("bot.yaml").write_text(
        "kind: assistant\nname: bot\nmodel: gpt-4o\ninstructions: Be brief.\n"
    )
    proxy = losing("POST /v1/assistants")
    ok(cli("apply", "-f", "bot.yaml", "-o", "none"))
    assert proxy.lost == ["POST /v1/assistants"]
    listed = ok(cli("assistants", "list", "-o", "json")).json()
    assert [(a["name"], a["metadata"]) for a in listed] == [("bot", {"asst-name": "bot"})]
    again = ok(cli("apply", "-f", "bot.yaml", "-o", "text"))
    assert again.stdout == f"assistant/bot unchanged ({listed[0]['id']})\n"


def test_a_lost_message_or_run_answer_makes_one_of_each(cli: Runner, losing: Any) -> None:
    aid = ok(cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-o", "id"))
    thread = ok(cli("threads", "create", "-o", "id")).stdout.strip()
    proxy = losing("POST /v1/threads/*/messages", "POST /v1/threads/*/runs")
    ok(cli("messages", "create", thread, "hello", "-o", "none"))
    run = ok(cli("runs", "create", thread, "-a", aid.stdout.strip(), "-o", "id")).stdout.strip()
    assert proxy.lost == [f"POST /v1/threads/{thread}/messages", f"POST /v1/threads/{thread}/runs"]
    messages = ok(cli("messages", "list", thread, "-o", "json")).json()
    assert [m["role"] for m in messages] == ["user"]
    assert ok(cli("runs", "list", thread, "-o", "id")).stdout.split() == [run]


@pytest.mark.parametrize("mode", [(), ("--stream",)])
def test_a_lost_create_and_run_answer_is_not_sent_again(
    cli: Runner, losing: Any, mode: tuple[str, ...]
) -> None:
    aid = ok(cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-o", "id"))
    proxy = losing("POST /v1/threads/runs")
    result = cli("run", *mode, "-a", aid.stdout.strip(), "hello")
    assert result.exit_code == 75
    assert made(proxy, "POST /v1/threads/runs") == 1
    assert result.stderr == (
        "Error: POST /threads/runs: the answer was lost; the server may have made a thread and "
        "its run all the same (asst did not send it again, so nothing was made twice; this "
        "backend cannot list threads to find it, so run the command again if no reply comes)\n"
    )


@pytest.mark.parametrize("target", [("-O", "-"), ("--dir", ".")])
def test_a_cut_download_ends_75_to_stdout_as_to_a_file(stub: Stub, target: tuple[str, str]) -> None:
    def cut(method: str, path: str) -> Any:
        if path.endswith("/content"):
            return b"first bytes"
        return {"id": "file-1", "object": "file", "filename": "a.txt", "bytes": 1011}

    stub.answer = cut
    code, out, err = run_binary("files", "download", "file-1", *target)
    assert code == 75
    assert err == (
        "Error: the download was cut off: peer closed connection without sending complete "
        "message body (received 11 bytes, expected 1011) (try again)\n"
    )
    assert out == (b"first bytes" if target[1] == "-" else b"")
    assert sorted(p.name for p in Path().iterdir()) == []  # no partial file


def test_an_upload_an_outage_left_unattached_is_deleted_by_the_next_add(
    cli: Runner, losing: Any
) -> None:
    store = ok(cli("vector-stores", "create", "--name", "docs", "-o", "id")).stdout.strip()
    Path("a.txt").write_text("alpha\n")
    Path("b.txt").write_text("beta\n")
    # The upload gets through; then the server is away for the attach and for its undoing.
    proxy = losing(
        refuse=(
            "POST /v1/vector_stores/*/files",
            "GET /v1/vector_stores/*/files/*",
            "DELETE /v1/files/*",
        )
    )
    first = cli("--max-retries", "0", "vector-stores", "files", "add", store, "a.txt")
    assert first.exit_code == 75
    orphan = ok(cli("files", "list", "-o", "id")).stdout.strip()
    assert f"and {orphan}, uploaded for it, is left until the next successful add" in first.stderr
    proxy.refuse = lambda *_: False  # the server is back
    second = ok(cli("vector-stores", "files", "add", store, "b.txt", "-o", "none"))
    assert second.stderr == f"Deleted 1 upload(s) an earlier run left unattached: {orphan}\n"
    assert [f["filename"] for f in ok(cli("files", "list", "-o", "json")).json()] == ["b.txt"]
    third = ok(cli("vector-stores", "files", "add", store, "b.txt", "-o", "none"))
    assert "Deleted" not in third.stderr  # struck off once deleted


@pytest.mark.parametrize("chunked", [False, True])
def test_a_reply_larger_than_any_answer_is_refused(
    cli: Runner, stub: Stub, monkeypatch: pytest.MonkeyPatch, chunked: bool
) -> None:
    monkeypatch.setattr(limits, "MAX_REPLY", 100_000)
    item = {"id": "asst_1", "object": "assistant", "name": "x" * 1000, "created_at": 0}
    page = {"object": "list", "data": [item] * 200, "has_more": False}  # ~220 kB
    text = json.dumps(page).encode()
    chunks = [text[i : i + 10_000] for i in range(0, len(text), 10_000)]
    stub.answer = lambda method, path: chunks if chunked else page
    result = cli("--max-retries", "0", "assistants", "list")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the server's reply is larger than 100,000 bytes, more than any answer of the "
        "protocol "
        "(check the endpoint: it does not look like an Assistants API)\n"
    )


# -- Ctrl-C during an upload to a server that has stopped reading --------------------------------


@pytest.mark.parametrize(
    ("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"]
)
def test_ctrl_c_stops_an_upload_to_a_stalled_server_at_once_and_for_good(
    tmp_path: Path, stop: signal.Signals, code: int
) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (32 * 2**20))  # more than any socket buffer: the upload must stall
    listener = socket.create_server(("127.0.0.1", 0))
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_BASE_URL"}
    env.update(OPENAI_API_KEY="sk-live-test-0000")
    env["OPENAI_BASE_URL"] = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    command = [sys.executable, "-m", "asst_cli", "files", "upload", str(big)]
    with interruptible():  # a Python handler becomes the default in the child
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        listener.settimeout(30)
        connection, _ = listener.accept()  # the upload has begun; nothing is read from it
        connection.settimeout(30)
        head = connection.recv(65536)
        assert head.startswith(b"POST /v1/files ")
        time.sleep(0.5)  # a real process, a real signal: let the sender fill the buffers
        process.send_signal(stop)
        began = time.monotonic()
        _, stderr = process.communicate(timeout=30)
        assert time.monotonic() - began < 1.5  # a second, and a margin for a busy machine
        assert process.returncode == code, stderr
        received = len(head)
        while chunk := connection.recv(2**20):  # the server catches up: the body is cut short
            received += len(chunk)
        assert received < big.stat().st_size
    finally:
        process.kill()
        process.communicate()
        listener.close()


def test_uploads_of_a_failed_apply_are_deleted_by_the_next_and_no_others(
    cli: Runner, losing: Any
) -> None:
    Path("a.txt").write_text("alpha\n")
    Path("b.txt").write_text("beta\n")
    Path("a.yaml").write_text("kind: vector_store\nname: a\nfiles: [a.txt]\n")
    Path("b.yaml").write_text("kind: vector_store\nname: b\nfiles: [b.txt]\n")
    proxy = losing()
    made = 0

    def second_store(method: str, path: str) -> bool:  # a is made, b's upload gets through
        nonlocal made
        made += (method, path) == ("POST", "/v1/vector_stores")
        return made > 1 and (method, path) == ("POST", "/v1/vector_stores")

    proxy.refuse = second_store
    failed = cli("--max-retries", "0", "apply", "-f", "a.yaml", "-f", "b.yaml", "-o", "none")
    assert failed.exit_code == 75
    stray = [
        f["id"] for f in ok(cli("files", "list", "-o", "json")).json() if f["filename"] == "b.txt"
    ]
    proxy.refuse = lambda *_: False
    again = ok(cli("apply", "-f", "a.yaml", "-f", "b.yaml", "-o", "none"))
    assert again.stderr == f"Deleted 1 upload(s) an earlier run left unattached: {stray[0]}\n"
    files = ok(cli("files", "list", "-o", "json")).json()
    assert sorted(f["filename"] for f in files) == ["a.txt", "b.txt"]
    stores = ok(cli("vector-stores", "list", "-o", "json")).json()
    for store in stores:  # each store holds its own file, a's untouched by the sweep
        held = ok(cli("vector-stores", "files", "list", store["id"], "-o", "id")).stdout.split()
        assert len(held) == 1 and held[0] in {f["id"] for f in files}
