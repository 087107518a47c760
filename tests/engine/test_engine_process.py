"""The asst serve process's pieces that need no process: its listener, its url, loopback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from asst_engine.assemble import ServeConfig
from asst_engine.http.asgi import Activity
from asst_engine.process import run
from asst_engine.process.state import DataDir


def test_the_listener_says_tcp_so_asyncio_turns_nagle_off() -> None:
    listener = run._bind("127.0.0.1", 0)
    try:
        assert (listener.family, listener.proto) == (socket.AF_INET, socket.IPPROTO_TCP)
    finally:
        listener.close()


@pytest.mark.parametrize(
    ("host", "tls", "url"),
    [
        ("127.0.0.1", False, "http://127.0.0.1:9"),
        ("0.0.0.0", False, "http://127.0.0.1:9"),
        ("::", True, "https://[::1]:9"),
        ("::1", False, "http://[::1]:9"),
        ("example.internal", True, "https://example.internal:9"),
    ],
)
def test_the_url_clients_on_this_machine_use(host: str, tls: bool, url: str) -> None:
    pem = Path("x.pem") if tls else None
    assert run._url(ServeConfig(Path(), host=host, tls_cert=pem, tls_key=pem), 9) == url


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False), ("::", False), ("10.0.0.1", False), ("example.com", False)],
)  # fmt: skip
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert run._is_loopback(host) is loopback


def test_taking_the_data_dir_drops_a_killed_servers_server_json(tmp_path: Path) -> None:
    (tmp_path / "server.json").write_text('{"pid": 1, "url": "http://127.0.0.1:9"}\n')
    data_dir = DataDir(tmp_path)
    data_dir.lock()
    try:
        assert not (tmp_path / "server.json").exists()
    finally:
        data_dir.release()


def test_the_idle_timeout_waits_for_requests_and_for_runs_at_work() -> None:
    working = [True]
    idle = run.Idle(10.0, Activity(last=100.0), lambda: working[0])
    assert not idle.over(200.0)  # a run at work: the idle period starts again now
    working[0] = False
    assert [idle.over(209.0), idle.over(210.0)] == [False, True]
    idle.activity.in_flight = 1
    assert not idle.over(300.0)
    assert not run.Idle(None, Activity(), lambda: False).over(1e9)
