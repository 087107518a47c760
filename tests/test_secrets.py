"""Secrets stay secret: no key or token in stdout, stderr, debug logs, tracebacks or cassettes,
and the files that may hold them are private.

Commands run with a recognisable key and token against a live engine on 127.0.0.1 (a free
port; the debug logs and tracebacks of real requests are what is checked, which a replayed
cassette would not produce the same way) and against a closed port (failing requests).
"""

from __future__ import annotations

import contextlib
import io
import logging
import stat
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from asst_cli.app import run
from asst_engine import EngineServer, serve

from harness import CASSETTES, DIALECT_ENV, Runner
from spec_check import check_cassette_secrets

KEY = "sk-asst-leak-check-KEY-4f9c2b7e1d0a"
TOKEN = "asst-leak-check-TOKEN-8e1a77c3b2"
SECRETS = (KEY, TOKEN, KEY[-12:], TOKEN[-12:])
CLOSED = "http://127.0.0.1:9"


def assert_clean(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked into: {text[:2000]}"


def run_all(cli: Runner, *args: str) -> str:
    """stdout, stderr (debug logs included) and any traceback (--debug re-raises) of one
    command, as one text."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            run(list(args))
        except BaseException as exc:
            err.write("".join(traceback.format_exception(exc)))
    return out.getvalue() + err.getvalue()


@pytest.fixture(autouse=True)
def quiet_debug_handlers() -> Iterator[None]:
    """--debug adds a handler per call; keep them from piling up across tests."""
    loggers = [logging.getLogger(name) for name in ("openai", "httpx2")]
    before = {logger.name: list(logger.handlers) for logger in loggers}
    yield
    for logger in loggers:
        logger.handlers = before[logger.name]
        logger.setLevel(logging.NOTSET)


@pytest.fixture
def live() -> Iterator[EngineServer]:
    server = serve("127.0.0.1", 0)
    server.handle_error = lambda *_: None  # type: ignore[method-assign]  # see test_faults
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def with_key(monkeypatch: pytest.MonkeyPatch, live: EngineServer) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", f"{live.url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


@pytest.fixture
def with_token(monkeypatch: pytest.MonkeyPatch, live: EngineServer) -> None:
    monkeypatch.setenv("ASST_ENDPOINT", f"{live.url}/api/projects/leaks")
    monkeypatch.setenv("ASST_TOKEN", TOKEN)


COMMANDS = [
    ("files", "list"),
    ("files", "get", "file-missing"),
    ("assistants", "create", "--name", "x", "--model", "gpt-4o"),
    ("runs", "wait", "thread_missing", "run_missing", "--timeout", "1"),
    ("auth", "status", "--check", "-o", "json"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
@pytest.mark.parametrize("debug", [(), ("--debug",)], ids=["plain", "debug"])
def test_a_key_never_shows(
    cli: Runner, with_key: None, args: tuple[str, ...], debug: tuple[str, ...]
) -> None:
    assert_clean(run_all(cli, *debug, *args))


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
@pytest.mark.parametrize("debug", [(), ("--debug",)], ids=["plain", "debug"])
def test_a_token_never_shows(
    cli: Runner, with_token: None, args: tuple[str, ...], debug: tuple[str, ...]
) -> None:
    assert_clean(run_all(cli, *debug, *args))


@pytest.mark.parametrize("debug", [(), ("--debug",)], ids=["plain", "debug"])
def test_failing_requests_and_their_tracebacks_hold_no_key(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, debug: tuple[str, ...]
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", f"{CLOSED}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("ASST_MAX_RETRIES", "0")
    output = run_all(cli, *debug, "files", "list")
    assert "could not reach the server" in output or "ConnectError" in output
    assert_clean(output)


def test_a_rejected_key_is_not_echoed(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", f"{CLOSED}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert_clean(run_all(cli, "auth", "status"), run_all(cli, "auth", "status", "-o", "json"))


def test_token_command_output_stays_inside(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, live: EngineServer, tmp_path: Path
) -> None:
    script = tmp_path / "token.py"
    script.write_text(f"print({TOKEN!r})\n")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{live.url}/v1")
    monkeypatch.setenv("ASST_TOKEN_COMMAND", f"{sys.executable} {script}")
    for args in (("--debug", "files", "list"), ("auth", "status", "--check", "-o", "json")):
        assert_clean(run_all(cli, *args))


def test_a_failing_token_command_is_reported_without_its_output(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = tmp_path / "token.py"
    script.write_text(f"print({TOKEN!r})\nraise SystemExit(3)\n")
    monkeypatch.setenv("ASST_ENDPOINT", f"{CLOSED}/api/projects/p")
    monkeypatch.setenv("ASST_TOKEN_COMMAND", f"{sys.executable} {script}")
    result = cli("files", "list")
    assert result.exit_code == 4
    assert result.stderr.startswith("Error: token command exited 3: ")
    assert_clean(result.stdout, result.stderr)


def test_stored_secrets_are_masked_and_private(cli: Runner, isolated_env: Path) -> None:
    assert cli("config", "set", "api_key", "-", stdin=KEY + "\n").exit_code == 0
    assert cli("config", "set", "token", "-", stdin=TOKEN + "\n").exit_code == 0
    shown = [
        cli("config", "get", "api_key"),
        cli("config", "get", "token"),
        cli("config", "list", "-o", "json"),
        cli("config", "list", "-o", "table"),
        cli("auth", "status", "-o", "json"),
    ]
    assert_clean(*(r.stdout + r.stderr for r in shown))
    path = isolated_env / "config.yaml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert KEY in path.read_text()  # the file itself holds it, and only its owner reads it


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_config_file_others_can_read_is_warned_about(
    cli: Runner, isolated_env: Path, mode: int
) -> None:
    assert cli("config", "set", "api_key", "-", stdin=KEY + "\n").exit_code == 0
    path = isolated_env / "config.yaml"
    path.chmod(mode)
    result = cli("config", "get", "api_key")
    assert result.stderr.startswith(f"Warning: {path} is readable by other users")
    assert_clean(result.stdout, result.stderr)


def test_a_private_config_file_is_not_warned_about(cli: Runner, isolated_env: Path) -> None:
    assert cli("config", "set", "endpoint", "http://127.0.0.1:9/v1").exit_code == 0
    assert cli("config", "get", "endpoint").stderr == ""


def test_the_state_file_is_private_too(cli: Runner, with_key: None, isolated_env: Path) -> None:
    made = cli("assistants", "create", "--name", "x", "--model", "gpt-4o", "-o", "id")
    assert cli("run", "-a", made.stdout.strip(), "hello", "-o", "id").exit_code == 0
    state = isolated_env / "state.yaml"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600


def test_no_cassette_holds_a_credential() -> None:
    known = [value for env in DIALECT_ENV.values() for name, value in env.items()
             if name.endswith(("_KEY", "_TOKEN"))]  # fmt: skip
    assert known, "the harness's test credentials were not found"
    files = [path for path in CASSETTES.rglob("*") if path.is_file()]
    assert len(files) > 100
    problems = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        problems += [f"{path}: holds {value!r}" for value in known if value in text]
        lowered = text.lower()
        for header in ("authorization:", "api-key:", "cookie:"):
            if f"\n{header}" in lowered or f" {header}" in lowered:
                problems.append(f"{path}: has a {header} header")
        if path.suffix == ".yaml":
            problems += [f"{path}: {p}" for p in check_cassette_secrets(path)]
    assert problems == []
