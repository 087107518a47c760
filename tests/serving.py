"""Real ``asst serve`` processes for tests: started the way a user starts them, on loopback.

``serve(data_dir, *options)`` starts ``asst serve --scripted --port 0`` and waits until it has
written ``server.json`` (it listens then); ``Served.stop()`` sends SIGTERM and returns the exit
code. With ``model=<fake model's url>`` the server is the real one instead: the SQLite store in
the data dir, background workers, and that model behind every run (``--model-base-url``).
``server_command`` is the one place that says how the server is launched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

READY_TIMEOUT = 15.0  # seconds; a cold start on a loaded 2-core machine stays well below
STOP_TIMEOUT = 10.0
# The server's environment leaves out the user's credentials and settings.
SCRUBBED_PREFIXES = ("OPENAI_", "AZURE_", "ASST_", "_ASST_")


def server_command(data_dir: Path, *options: str, model: str | None = None) -> list[str]:
    """The command line that serves the Assistants API on a free loopback port: scripted, or
    with the model at ``model`` (a base URL)."""
    replies = ["--scripted"] if model is None else ["--model-base-url", model]
    return [
        sys.executable, "-m", "asst_cli", "serve", *replies, "--port", "0",
        "--data-dir", str(data_dir), *options,
    ]  # fmt: skip


def scrubbed_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_PREFIXES)}


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    data_dir: Path
    url: str = ""

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> str:
        """The url once the server listens; fail if it exits first or takes too long."""
        deadline = time.monotonic() + timeout
        info = self.data_dir / "server.json"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                _, err = self.process.communicate()
                pytest.fail(f"server exited with {self.process.returncode}: {err.decode()[-2000:]}")
            written = json.loads(info.read_text()) if info.exists() else {}
            if written.get("pid") == self.process.pid:  # not one a killed server left
                self.url = str(written["url"])
                return self.url
            time.sleep(0.02)  # a real process starting: there is no clock to inject
        self.process.kill()
        pytest.fail(f"server did not listen within {timeout:.0f} s")

    def stop(self) -> int:
        """SIGTERM, then the exit code (killed if it outlasts ``STOP_TIMEOUT``)."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            code = self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()
        return code


@contextmanager
def serve(
    data_dir: Path, *options: str, env: dict[str, str] | None = None, model: str | None = None
) -> Iterator[Served]:
    """A running server, stopped on exit."""
    process = subprocess.Popen(
        server_command(data_dir, *options, model=model),
        env=scrubbed_env() if env is None else env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    served = Served(process, data_dir)
    try:
        served.wait_ready()
        yield served
    finally:
        served.stop()
