"""The local backend: asst starts, or reuses, a background `asst serve` on loopback.

Real processes: the server asst starts is `python -m asst_cli serve ...`, and runs get their
replies from the fake model, never the network.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from asst_cli.local import backend, server
from asst_engine.testing.fake_model import FakeModel

from harness import Runner

STOP_WITHIN = 10.0


def _pid(data_dir: Path) -> int:
    return int(json.loads((data_dir / "server.json").read_text())["pid"])


def _stop(data_dir: Path) -> None:
    """Stop the data dir's server, and wait until its process is gone."""
    try:
        pid = _pid(data_dir)
    except (OSError, ValueError):
        return
    os.kill(pid, signal.SIGTERM)
    try:
        os.waitpid(pid, 0)  # started in this process: reap it
    except ChildProcessError:
        until = time.monotonic() + STOP_WITHIN
        while _running(pid) and time.monotonic() < until:
            time.sleep(0.05)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an exited process its new parent has yet to reap)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    found = tmp_path / "data"
    monkeypatch.setenv("ASST_DATA_DIR", str(found))
    try:
        yield found
    finally:
        _stop(found)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeModel]:
    with FakeModel() as model:
        monkeypatch.setenv("ASST_MODEL_BASE_URL", model.url)
        yield model


def _key(data_dir: Path) -> str:
    return (data_dir / "local.key").read_text().strip()


def test_first_command_starts_a_server_the_next_reuses_it(
    cli: Runner, data_dir: Path, fake: FakeModel
) -> None:
    created = cli("assistants", "create", "--name", "helper", "--model", "gpt-4o", "-o", "id")
    assert (created.exit_code, created.stderr) == (0, "")
    pid = _pid(data_dir)
    reply = cli("run", "--wait", "-o", "text", "-a", created.stdout.strip(), "Say hello")
    assert (reply.exit_code, reply.stdout, reply.stderr) == (0, "You said: Say hello\n", "")
    assert _pid(data_dir) == pid
    key = _key(data_dir)
    assert (data_dir / "local.key").stat().st_mode & 0o777 == 0o600
    assert key not in created.stdout + reply.stdout + reply.stderr
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    assert argv == [
        sys.executable,
        *("-m", "asst_cli", "serve", "--host", "127.0.0.1", "--port", "0"),
        *("--data-dir", str(data_dir), "--api-key-file", str(data_dir / "local.key")),
        *("--idle-timeout", "900"),
    ]
    environ = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
    assert f"ASST_MODEL_BASE_URL={fake.url}" in environ
    assert not [item for item in environ if key in item]


def test_auth_status_shows_the_server_and_the_model_not_its_key(
    cli: Runner, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASST_MODEL_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("ASST_MODEL_API_KEY", "sk-model-secret-1234")
    checked = cli("--backend", "local", "auth", "status", "--check", "-o", "json")
    assert (checked.exit_code, checked.stderr) == (0, "")
    url = json.loads((data_dir / "server.json").read_text())["url"]
    assert checked.json() == {
        "backend": "local",
        "endpoint": f"{url}/v1",
        "api_version": None,
        "auth": "bearer api key (generated, in the data dir)",
        "credential": str(data_dir / "local.key"),
        "profile": "default",
        "sources": {
            "backend": "command line",
            "data_dir": "environment (ASST_*)",
            "model_base_url": "environment (ASST_*)",
            "model_api_key": "environment (ASST_*)",
        },
        "data_dir": str(data_dir),
        "server": f"running (pid {_pid(data_dir)})",
        "model": "http://127.0.0.1:9/v1",
        "idle_timeout": 900,
        "check": "ok",
    }
    assert "sk-model-secret" not in checked.stdout


def test_nothing_configured_is_local_and_names_how_to_add_a_model(
    cli: Runner, tmp_path: Path
) -> None:
    result = cli("auth", "status", "-o", "table")
    data_dir = tmp_path / "xdg-data" / "asst"
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "backend       local\n"
        "endpoint\n"
        "server        not running\n"
        f"data-dir      {data_dir}\n"
        "idle-timeout  900\n"
        "model         none (set ASST_MODEL_BASE_URL, e.g. http://localhost:11434/v1)\n"
        "auth          bearer api key (generated, in the data dir)\n"
        f"credential    {data_dir / 'local.key'}\n"
        "profile       default\n"
    )
    assert not data_dir.exists()  # inspecting starts nothing


def _asst(*args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "asst_cli", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.usefixtures("fake")
def test_concurrent_processes_start_one_server(cli: Runner, data_dir: Path) -> None:
    started = [_asst("assistants", "create", "--name", f"a{n}", "--model", "m") for n in (1, 2)]
    outcomes = [(*p.communicate(timeout=60), p.returncode) for p in started]
    assert [(code, err) for _, err, code in outcomes] == [(0, ""), (0, "")]
    listed = cli("assistants", "list", "-o", "json")
    # One server holds both; a second one would have been refused (server.lock) and its asst
    # process would have failed.
    assert sorted(a["name"] for a in listed.json()) == ["a1", "a2"]


def _gone_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.usefixtures("fake")
@pytest.mark.parametrize("stale", ["dead pid", "nothing listening"])
def test_a_stale_server_json_is_replaced(cli: Runner, data_dir: Path, stale: str) -> None:
    pid = _gone_pid() if stale == "dead pid" else os.getpid()
    data_dir.mkdir()
    (data_dir / "server.json").write_text(json.dumps({"pid": pid, "url": "http://127.0.0.1:9"}))
    result = cli("assistants", "list", "-o", "json")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "[]\n", "")
    assert _pid(data_dir) not in (pid, os.getpid())


def test_missing_serve_extra_exits_2(
    cli: Runner, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "SERVE_MODULES", ("uvicorn", "starlette"))
    monkeypatch.setattr(server, "find_spec", lambda name: None if name == "uvicorn" else name)
    result = cli("--backend", "local", "assistants", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "Error: the local backend's server needs modules that are not installed: uvicorn "
        "(install the serve extra: pip install 'asst-cli[serve]')\n",
    )
    assert not (data_dir / "server.json").exists()


def test_openai_key_alone_uses_the_local_engine_and_says_so_once(
    cli: Runner, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-secret-5678")
    first = cli("assistants", "list", "-o", "json")
    assert (first.exit_code, first.stdout, first.stderr) == (0, "[]\n", backend.ANNOUNCEMENT + "\n")
    again = cli("assistants", "list", "-o", "json")
    assert (again.exit_code, again.stdout, again.stderr) == (0, "[]\n", "")
    environ = Path(f"/proc/{_pid(data_dir)}/environ").read_bytes().decode().split("\0")
    model = [item for item in environ if item.startswith("ASST_MODEL_")]
    assert sorted(model) == [
        "ASST_MODEL_API_KEY=sk-openai-secret-5678",
        "ASST_MODEL_BASE_URL=https://api.openai.com/v1",
    ]


def test_the_server_gets_no_client_settings() -> None:
    from asst_cli.local.config import LocalSettings

    local = LocalSettings(Path("/d"), 60, "http://m/v1", None, "/maps/m.yaml")
    env = {"PATH": "/bin", "ASST_API_KEY": "k", "_ASST_COMPLETE": "bash", "ASST_MODEL_API_KEY": "x"}
    assert server.serve_environment(local, env) == {
        "PATH": "/bin",
        "ASST_MODEL_BASE_URL": "http://m/v1",
        "ASST_MODEL_MAP": "/maps/m.yaml",
    }


@pytest.mark.parametrize(
    ("args", "env", "stderr"),
    [
        (
            ("--backend", "local", "--endpoint", "http://h/v1"),
            {},
            "Error: an endpoint (from command line) does not apply to backend local, which "
            "starts its own server (remove the endpoint, or choose another backend with --backend)",
        ),
        (
            ("--backend", "local"),
            {"ASST_IDLE_TIMEOUT": "soon"},
            "Error: idle_timeout must be a whole number of seconds >= 1 (from environment "
            "(ASST_*)) (the default is 900)",
        ),
    ],
    ids=["endpoint", "idle-timeout"],
)
def test_bad_local_settings_exit_2(
    cli: Runner,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    env: dict[str, str],
    stderr: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = cli(*args, "auth", "status")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr + "\n")


def test_an_unusable_data_dir_exits_2(cli: Runner, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = cli("--backend", "local", "--data-dir", str(tmp_path / "file"), "assistants", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"Error: cannot use the data dir {tmp_path / 'file'}: File exists "
        "(choose another with --data-dir or ASST_DATA_DIR)\n",
    )


@pytest.mark.usefixtures("fake")
def test_a_server_with_another_model_is_reused_and_says_so(
    cli: Runner, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("assistants", "list").exit_code == 0
    pid = _pid(data_dir)
    monkeypatch.setenv("ASST_MODEL_BASE_URL", "http://127.0.0.1:9/v1")
    result = cli("assistants", "list", "-o", "json")
    assert (result.exit_code, result.stdout) == (0, "[]\n")
    assert result.stderr == backend.MODEL_DIFFERS.format(pid=pid) + "\n"
    monkeypatch.delenv("ASST_MODEL_BASE_URL")
    assert cli("assistants", "list").stderr == ""  # nothing asked for, nothing to say


def test_threads_list_is_the_local_servers_own(cli: Runner, data_dir: Path) -> None:
    made = cli("threads", "create", "-o", "id")
    assert made.exit_code == 0, made.stderr
    listed = cli("threads", "list", "-o", "id")
    assert (listed.exit_code, listed.stdout) == (0, made.stdout)
    assert listed.stderr == "Threads from the server's own list.\n"


def test_the_profiles_output_format_holds_on_the_local_backend(
    cli: Runner, data_dir: Path, isolated_env: Path
) -> None:
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "config.yaml").write_text("profiles:\n  default:\n    output: id\n")
    (isolated_env / "config.yaml").chmod(0o600)
    made = cli("threads", "create")
    assert (made.exit_code, made.stderr) == (0, "")
    assert made.stdout.startswith("thread_") and made.stdout.count("\n") == 1
