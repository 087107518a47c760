"""The server under test for the client conformance suite, started the way a user starts it.

Each test module gets its own ``asst serve --scripted`` process on a free loopback port (``--port
0``), with its own data dir; it is ready once it has written ``server.json``, and it is stopped
(SIGTERM) on teardown. ``server_command`` is the one place that says how the server is launched.

Some clients refuse plain http (azure-core's bearer-token policy): ``tls_url`` serves https with
a certificate from a throw-away certificate authority (``--tls-cert``/``--tls-key``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

READY_TIMEOUT = 15.0  # seconds; a cold start on a loaded 2-core machine stays well below
STOP_TIMEOUT = 5.0
# The server's environment leaves out the user's credentials and settings.
SCRUBBED_PREFIXES = ("OPENAI_", "AZURE_", "ASST_", "_ASST_")
# Pollers wait this long between retrievals when the server suggests it (openai-poll-after-ms);
# runs advance once per retrieval, so a short hint keeps polling flows fast.
POLL_AFTER_MS = 5


def server_command(data_dir: Path, *options: str) -> list[str]:
    """The command line that serves the Assistants API on a free loopback port."""
    return [
        sys.executable, "-m", "asst_cli", "serve", "--scripted", "--port", "0",
        "--data-dir", str(data_dir), "--poll-after-ms", str(POLL_AFTER_MS), *options,
    ]  # fmt: skip


def wait_for_url(process: subprocess.Popen[bytes], data_dir: Path, timeout: float) -> str:
    """The server's url once it listens (its ``server.json``); fail if it exits or is slow."""
    deadline = time.monotonic() + timeout
    info = data_dir / "server.json"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _, err = process.communicate()
            pytest.fail(f"server exited with {process.returncode}: {err.decode()[-2000:]}")
        if info.exists():
            return str(json.loads(info.read_text())["url"])
        time.sleep(0.02)  # a real process starting: there is no clock to inject
    process.kill()
    pytest.fail(f"server did not listen within {timeout:.0f} s")


@pytest.fixture(scope="module")
def child_env() -> dict[str, str]:
    """The environment for processes the tests start (module fixtures run before the
    per-test isolation, so they scrub it themselves)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_PREFIXES)}


def served(command: list[str], data_dir: Path, env: dict[str, str]) -> Iterator[str]:
    """Run the server ``command`` starts; its url while it runs."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield wait_for_url(process, data_dir, READY_TIMEOUT)
    finally:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


@pytest.fixture(scope="module")
def server_url(
    child_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a server started for this test module."""
    data_dir = tmp_path_factory.mktemp("data")
    yield from served(server_command(data_dir), data_dir, child_env)


@dataclass(frozen=True)
class Tls:
    url: str  # https://127.0.0.1:<port>
    ca_file: Path  # the certificate authority that signed the server's certificate


@pytest.fixture(scope="module")
def tls_url(child_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tls]:
    """A server for this test module serving https, with a certificate made for this run."""
    import trustme

    authority = trustme.CA()
    folder = tmp_path_factory.mktemp("tls")
    issued = authority.issue_cert("127.0.0.1")
    authority.cert_pem.write_to_path(str(folder / "ca.pem"))
    issued.private_key_pem.write_to_path(str(folder / "key.pem"))
    (folder / "cert.pem").write_bytes(b"".join(pem.bytes() for pem in issued.cert_chain_pems))
    data_dir = tmp_path_factory.mktemp("data")
    tls = ("--tls-cert", str(folder / "cert.pem"), "--tls-key", str(folder / "key.pem"))
    for url in served(server_command(data_dir, *tls), data_dir, child_env):
        yield Tls(url, folder / "ca.pem")
