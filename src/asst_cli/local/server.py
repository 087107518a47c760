"""Find the local server for a data dir, or start one: ``asst serve`` in the background.

The server's side of the contract (``asst serve``): once listening it writes ``server.json``
({"pid", "url", ...}) atomically into its data dir, answers ``GET /health``, takes its keys from
``--api-key-file``, stops by itself after ``--idle-timeout`` seconds without work, and removes
``server.json`` when it stops. This side: one generated key in ``local.key`` (0600, never on a
command line), and a start lock (``start.lock``) so that asst processes starting at once start
one server between them; the others find it running and reuse it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from ..errors import AsstError, ExitCode, UsageError
from .config import LocalSettings

# What 'asst serve' imports beyond the client's own dependencies (the serve extra's import
# names: uvicorn, h11, python-multipart; file search's pypdf and python-docx).
SERVE_MODULES = ("uvicorn", "h11", "python_multipart", "pypdf", "docx")
INSTALL_HINT = "install the serve extra: pip install 'asst-cli[serve]'"
START_TIMEOUT = 30.0
HEALTH_TIMEOUT = 2.0
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Running:
    pid: int
    url: str


def key_path(data_dir: Path) -> Path:
    return data_dir / "local.key"


def log_path(data_dir: Path) -> Path:
    return data_dir / "serve.log"


def check_extra() -> None:
    """The serve extra is installed, or a one-line error naming the install command (exit 2)."""
    missing = [name for name in SERVE_MODULES if find_spec(name) is None]
    if missing:
        raise UsageError(
            "the local backend's server needs modules that are not installed: "
            + ", ".join(missing),
            INSTALL_HINT,
        )


def read_key(data_dir: Path) -> str:
    """The data dir's key, created on first use: random, mode 0600, written atomically (a
    complete file linked into place), so concurrent processes all end up with the same key."""
    path = key_path(data_dir)
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)  # the key opens every object in the data dir: keep it private
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    fd, tmp = tempfile.mkstemp(prefix=".local-key-", dir=data_dir)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"sk-local-{secrets.token_urlsafe(32)}\n")
        with contextlib.suppress(FileExistsError):  # another process was first: use its key
            os.link(tmp, path)
    finally:
        Path(tmp).unlink()
    return path.read_text(encoding="utf-8").strip()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive, though not ours to use
    return True


def recorded(data_dir: Path) -> Running | None:
    """The server ``server.json`` names, if its process is alive (no request is made)."""
    try:
        data = json.loads((data_dir / "server.json").read_text(encoding="utf-8"))
        found = Running(int(data["pid"]), str(data["url"]).rstrip("/"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found if found.pid > 0 and _alive(found.pid) else None


def healthy(url: str, key: str) -> bool:
    import urllib.request

    request = urllib.request.Request(f"{url}/health", headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=HEALTH_TIMEOUT) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def _start_lock(data_dir: Path) -> Iterator[None]:
    """Held while one process checks for a server and, if need be, starts it."""
    import fcntl

    with (data_dir / "start.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def serve_command(local: LocalSettings) -> list[str]:
    """The command line of the server: no secret on it (the key travels in a file)."""
    return [
        sys.executable,
        "-m",
        "asst_cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--data-dir",
        str(local.data_dir),
        "--api-key-file",
        str(key_path(local.data_dir)),
        "--idle-timeout",
        str(local.idle_timeout),
    ]


def serve_environment(local: LocalSettings, env: dict[str, str]) -> dict[str, str]:
    """The server's environment: the user's, without asst's client settings (another backend's
    key, a completion request), with the model configuration that was resolved for it."""
    child = {k: v for k, v in env.items() if not k.startswith(("ASST_", "_ASST_"))}
    model = {
        "ASST_MODEL_BASE_URL": local.model_base_url,
        "ASST_MODEL_API_KEY": local.model_api_key,
        "ASST_MODEL_MAP": local.model_map,
    }
    child.update({name: value for name, value in model.items() if value})
    return child


def model_fingerprint(local: LocalSettings) -> str:
    """Which model configuration a server was started with (a digest: the key is not kept)."""
    raw = json.dumps([local.model_base_url, local.model_api_key, local.model_map])
    return hashlib.sha256(raw.encode()).hexdigest()


def started_with(data_dir: Path) -> str | None:
    """The model fingerprint of the server asst last started for the data dir."""
    try:
        return (data_dir / "local.model").read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _spawn(local: LocalSettings) -> subprocess.Popen[bytes]:
    record = local.data_dir / "local.model"
    record.touch(mode=0o600)
    record.write_text(model_fingerprint(local), encoding="utf-8")
    with log_path(local.data_dir).open("ab") as log:
        # A session of its own: the terminal's Ctrl-C and hang-up are not the server's.
        return subprocess.Popen(
            serve_command(local),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            cwd=local.data_dir,
            env=serve_environment(local, dict(os.environ)),
            start_new_session=True,
        )


def _last_log_line(data_dir: Path) -> str:
    try:
        lines = log_path(data_dir).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "no log"
    return next((line.strip() for line in reversed(lines) if line.strip()), "no output")


def _wait_started(child: subprocess.Popen[bytes], local: LocalSettings, key: str) -> Running:
    """Until the child has written server.json and answers /health; bounded."""
    until = time.monotonic() + START_TIMEOUT
    log = log_path(local.data_dir)
    while time.monotonic() < until:
        code = child.poll()
        if code is not None:
            raise AsstError(
                f"the local server exited ({code}) on start: {_last_log_line(local.data_dir)}",
                f"see {log}",
            )
        # Any server.json now is new (the stale one was removed under the start lock): the
        # child's, whatever process in it writes the file, or one started by hand meanwhile.
        found = recorded(local.data_dir)
        if found and healthy(found.url, key):
            return found
        time.sleep(POLL_SECONDS)
    raise AsstError(
        f"the local server (pid {child.pid}) did not start within {START_TIMEOUT:g} s",
        f"see {log}",
        ExitCode.TEMPORARY,
    )


def ensure(local: LocalSettings) -> tuple[Running, str]:
    """The running server for the data dir and its key, started if none answers."""
    try:
        local.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = read_key(local.data_dir)
    except OSError as exc:
        raise UsageError(
            f"cannot use the data dir {local.data_dir}: {exc.strerror}",
            "choose another with --data-dir or ASST_DATA_DIR",
        ) from exc
    found = recorded(local.data_dir)
    if found and healthy(found.url, key):
        return found, key
    check_extra()
    with _start_lock(local.data_dir):
        # Another process may have started one while this one waited for the lock.
        found = recorded(local.data_dir)
        if found and healthy(found.url, key):
            return found, key
        # Stale: its process is gone, or it no longer answers where it said it listens.
        (local.data_dir / "server.json").unlink(missing_ok=True)
        return _wait_started(_spawn(local), local, key), key
