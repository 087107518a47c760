"""asst serve: the real server process on loopback, and its status and stop commands."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from harness import Runner
from serving import Served, scrubbed_env, serve, server_command

KEYS = ("sk-first-key-0001", "sk-second-key-0002")
REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")
OPENAI = {"OpenAI-Beta": "assistants=v2"}


def call(
    url: str, method: str, path: str, headers: dict[str, str] | None = None, body: Any = None
) -> tuple[int, dict[str, str], Any]:
    """One request; the status, the headers (lower-case names) and the body (JSON if it is)."""
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=10)
    data = None if body is None else json.dumps(body).encode()
    sent = {**(headers or {}), **({"Content-Type": "application/json"} if data else {})}
    try:
        connection.request(method, path, data, sent)
        response = connection.getresponse()
        raw = response.read()
        got = {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()
    is_json = got.get("content-type") == "application/json"
    return response.status, got, json.loads(raw) if is_json else raw


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **OPENAI}


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server with two keys, for the whole module."""
    options = [arg for key in KEYS for arg in ("--api-key", key)]
    with serve(tmp_path_factory.mktemp("data"), *options) as served:
        yield served


def test_a_started_server_describes_itself_in_server_json(keyed: Served) -> None:
    info = json.loads((keyed.data_dir / "server.json").read_text())
    from asst_cli import __version__

    assert set(info) == {"pid", "url", "started_at", "version", "data_dir"}
    assert (info["pid"], info["version"], info["data_dir"]) == (
        keyed.process.pid, __version__, str(keyed.data_dir),
    )  # fmt: skip
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", info["url"])


@pytest.mark.parametrize("path", ["/health", "/healthz"])
def test_health_needs_no_key_and_carries_a_request_id(keyed: Served, path: str) -> None:
    status, headers, body = call(keyed.url, "GET", path)
    assert (status, body) == (200, {"status": "ok"})
    assert REQUEST_ID.fullmatch(headers["x-request-id"])


def test_a_request_id_the_client_sends_comes_back(keyed: Served) -> None:
    status, headers, _ = call(
        keyed.url, "GET", "/v1/assistants", {**bearer(KEYS[0]), "X-Request-Id": "trace-42"}
    )
    assert (status, headers["x-request-id"]) == (200, "trace-42")


UNKNOWN_KEY = "Incorrect API key provided: sk-********4321."


@pytest.mark.parametrize(
    ("path", "headers", "envelope"),
    [
        ("/v1/assistants", {"Authorization": "Bearer sk-unknown-4321", **OPENAI},
         {"message": UNKNOWN_KEY, "type": "invalid_request_error", "param": None,
          "code": "invalid_api_key"}),
        ("/openai/assistants?api-version=2024-05-01-preview", {"api-key": "sk-unknown-4321"},
         {"message": UNKNOWN_KEY, "type": "invalid_request_error", "code": "invalid_api_key"}),
        ("/api/projects/p/assistants?api-version=v1", {"Authorization": "Bearer sk-unknown-4321"},
         {"message": UNKNOWN_KEY, "type": "invalid_request_error", "param": None,
          "code": "invalid_api_key"}),
        ("/api/projects/p/assistants?api-version=v1", {},
         {"message": "Authentication required: send 'Authorization: Bearer <token>'.",
          "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}),
    ],
    ids=["openai", "azure", "foundry", "foundry-missing"],
)  # fmt: skip
def test_a_key_the_server_lacks_is_401_in_the_dialects_shape(
    keyed: Served, path: str, headers: dict[str, str], envelope: dict[str, Any]
) -> None:
    status, _, body = call(keyed.url, "GET", path, headers)
    assert (status, body) == (401, {"error": envelope})


def test_each_key_sees_only_its_own_objects(keyed: Served) -> None:
    status, _, made = call(keyed.url, "POST", "/v1/assistants", bearer(KEYS[0]), {"model": "m"})
    assert status == 200
    theirs = call(keyed.url, "GET", f"/v1/assistants/{made['id']}", bearer(KEYS[1]))
    assert theirs[0] == 404
    listed = call(keyed.url, "GET", "/v1/assistants", bearer(KEYS[1]))[2]
    assert [item["id"] for item in listed["data"]] == []
    mine = call(keyed.url, "GET", "/v1/assistants", bearer(KEYS[0]))[2]
    assert made["id"] in [item["id"] for item in mine["data"]]
    # The Azure dialect's api-key header names the same key: the same owner.
    azure = call(
        keyed.url, "GET", f"/openai/assistants/{made['id']}?api-version=2024-05-01-preview",
        {"api-key": KEYS[0]},
    )  # fmt: skip
    assert (azure[0], azure[2]["id"]) == (200, made["id"])


def test_a_body_over_its_limit_is_413_before_it_is_sent(keyed: Served) -> None:
    where = urlsplit(keyed.url)
    for content_type, size, limit in (
        ("application/json", 32 * 1024 * 1024 + 1, 32),
        ("multipart/form-data; boundary=x", 512 * 1024 * 1024 + 1, 512),
    ):
        connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=10)
        connection.putrequest("POST", "/v1/files")
        for name, value in {**bearer(KEYS[0]), "Content-Type": content_type}.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(size))
        connection.endheaders()  # and no body: the answer comes first
        response = connection.getresponse()
        body = json.loads(response.read())
        connection.close()
        assert (response.status, body) == (413, {"error": {
            "message": f"The request body is too large: the limit is {limit} MB.",
            "type": "invalid_request_error", "param": None, "code": "request_too_large",
        }})  # fmt: skip


def test_status_prints_the_running_server(cli: Runner, keyed: Served) -> None:
    result = cli("serve", "status", "--data-dir", str(keyed.data_dir), "-o", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    shown = result.json()
    assert (shown["url"], shown["pid"], shown["data_dir"]) == (
        keyed.url, keyed.process.pid, str(keyed.data_dir),
    )  # fmt: skip
    assert isinstance(shown["uptime"], int)
    assert shown["uptime"] >= 0


def test_a_second_server_on_the_same_data_dir_is_refused(cli: Runner, keyed: Served) -> None:
    # --idle-timeout: should the refusal fail, this server stops by itself, and the test fails.
    args = ("--scripted", "--port", "0", "--idle-timeout", "5", "--data-dir", str(keyed.data_dir))
    result = cli("serve", *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: another server is using the data dir {keyed.data_dir} at {keyed.url} "
        f"(pid {keyed.process.pid}); stop it with 'asst serve stop --data-dir {keyed.data_dir}' "
        "or choose another --data-dir\n"
    )


def test_a_non_loopback_address_without_keys_is_refused(cli: Runner, tmp_path: Path) -> None:
    args = ("--host", "0.0.0.0", "--port", "0", "--idle-timeout", "5", "--data-dir", str(tmp_path))
    result = cli("serve", *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: refusing to serve 0.0.0.0 without API keys: anyone who reaches it could use it; "
        "give --api-key (or ASST_SERVE_API_KEYS, --api-key-file) or bind 127.0.0.1\n"
    )
    assert not (tmp_path / "server.json").exists()


def test_sigterm_stops_gracefully(tmp_path: Path) -> None:
    with serve(tmp_path) as served:
        assert (tmp_path / "server.json").exists()
        code = served.stop()
    assert code == 0
    assert not (tmp_path / "server.json").exists()


def test_idle_timeout_stops_the_server(tmp_path: Path) -> None:
    process = subprocess.Popen(
        server_command(tmp_path, "--idle-timeout", "0.2"),
        env=scrubbed_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    served = Served(process, tmp_path)
    served.wait_ready()
    _, err = process.communicate(timeout=15)
    assert process.returncode == 0, err.decode()
    assert "no request and no active run for 0.2 s (--idle-timeout): stopping" in err.decode()
    assert not (tmp_path / "server.json").exists()


def test_stop_ends_the_server_then_status_and_stop_say_none_runs(
    cli: Runner, tmp_path: Path
) -> None:
    with serve(tmp_path) as served:
        result = cli("serve", "stop", "--data-dir", str(tmp_path))
        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr == f"Stopped the server at {served.url} (pid {served.process.pid}).\n"
        assert served.process.wait(10) == 0
    for command in ("status", "stop"):
        result = cli("serve", command, "--data-dir", str(tmp_path))
        assert (result.exit_code, result.stdout) == (3, "")
        assert result.stderr == (
            f"Error: no server is running for the data dir {tmp_path} "
            f"(start one with 'asst serve --data-dir {tmp_path}')\n"
        )


def test_a_stale_server_json_is_not_a_running_server(cli: Runner, tmp_path: Path) -> None:
    """What a kill -9 leaves: server.json, but no process holding the lock."""
    with serve(tmp_path) as served:
        os.kill(served.process.pid, signal.SIGKILL)
        served.process.wait(10)
    assert (tmp_path / "server.json").exists()
    result = cli("serve", "status", "--data-dir", str(tmp_path))
    assert result.exit_code == 3


def multipart(boundary: str, fields: dict[str, str], name: str, data: bytes) -> bytes:
    parts = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    )
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return parts + head + data + f"\r\n--{boundary}--\r\n".encode()


def test_a_file_goes_up_and_comes_down_byte_for_byte(keyed: Served) -> None:
    data = bytes(range(256)) * (3 * 4096 + 7)  # 3 MB and a bit: many pieces each way
    body = multipart("b0undary", {"purpose": "assistants"}, "blob.bin", data)
    where = urlsplit(keyed.url)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=10)
    headers = {**bearer(KEYS[0]), "Content-Type": "multipart/form-data; boundary=b0undary"}
    connection.request("POST", "/v1/files", body, headers)
    response = connection.getresponse()
    made = json.loads(response.read())
    assert response.status == 200, made
    assert (made["bytes"], made["filename"], made["purpose"]) == (
        len(data),
        "blob.bin",
        "assistants",
    )
    connection.request("GET", f"/v1/files/{made['id']}/content", headers=bearer(KEYS[0]))
    response = connection.getresponse()
    assert (response.status, response.getheader("Content-Length")) == (200, str(len(data)))
    assert response.read() == data
    connection.close()


def test_an_upload_missing_its_purpose_is_400(keyed: Served) -> None:
    body = multipart("xyz", {}, "a.txt", b"hello")
    status, _, answer = call_raw(keyed.url, "/v1/files", body, "multipart/form-data; boundary=xyz")
    assert (status, answer) == (400, {"error": {
        "message": "Missing required parameter: 'purpose'.", "type": "invalid_request_error",
        "param": "purpose", "code": "missing_required_parameter",
    }})  # fmt: skip


def test_a_multipart_body_without_a_boundary_is_400(keyed: Served) -> None:
    status, _, answer = call_raw(keyed.url, "/v1/files", b"--x--", "multipart/form-data")
    assert (status, answer) == (400, {"error": {
        "message": "Expected a multipart/form-data body with a boundary.",
        "type": "invalid_request_error", "param": None, "code": "invalid_body",
    }})  # fmt: skip


def call_raw(url: str, path: str, body: bytes, content_type: str) -> tuple[int, Any, Any]:
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=10)
    connection.request("POST", path, body, {**bearer(KEYS[0]), "Content-Type": content_type})
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, response.getheaders(), answer


def test_an_unreadable_key_file_is_a_usage_error(cli: Runner, tmp_path: Path) -> None:
    args = ("--api-key-file", "absent.txt", "--idle-timeout", "5", "--data-dir", str(tmp_path))
    result = cli("serve", *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: cannot read the key file absent.txt: No such file or directory\n"
    )


def test_keys_from_the_environment_and_a_file_each_open_the_server(tmp_path: Path) -> None:
    key_file = tmp_path / "keys.txt"
    key_file.write_text("sk-from-the-file-0003\n\n")
    env = {**scrubbed_env(), "ASST_SERVE_API_KEYS": "sk-from-the-env-0001, sk-from-the-env-0002"}
    with serve(tmp_path / "data", "--api-key-file", str(key_file), env=env) as served:
        for key in ("sk-from-the-env-0001", "sk-from-the-env-0002", "sk-from-the-file-0003"):
            assert call(served.url, "GET", "/v1/assistants", bearer(key))[0] == 200
        assert call(served.url, "GET", "/v1/assistants", bearer("sk-other-key-0004"))[0] == 401
