"""The server under test for the client conformance suite, started the way a user starts it.

Each test module gets its own server: a subprocess on a free loopback port, ready once the port
accepts connections, killed on teardown. ``server_command`` is the one place that says how the
server is launched, so moving to ``asst serve`` changes one function.

Some clients refuse plain http (azure-core's bearer-token policy); ``tls_url`` puts a TLS
terminator with a throw-away certificate authority in front of the same server for them.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

HOST = "127.0.0.1"
READY_TIMEOUT = 15.0  # seconds; a cold start on a loaded 2-core machine stays well below
STOP_TIMEOUT = 5.0
# The server's environment leaves out the user's credentials and settings.
SCRUBBED_PREFIXES = ("OPENAI_", "AZURE_", "ASST_", "_ASST_")
# Pollers wait this long between retrievals when the server suggests it (openai-poll-after-ms);
# runs advance once per retrieval, so a short hint keeps polling flows fast.
POLL_AFTER_MS = 5


def server_command(port: int) -> list[str]:
    """The command line that serves the Assistants API on ``HOST:port``."""
    return [
        sys.executable,
        "-m",
        "asst_engine",
        "--host",
        HOST,
        "--port",
        str(port),
        "--poll-after-ms",
        str(POLL_AFTER_MS),
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(process: subprocess.Popen[bytes], port: int, timeout: float) -> None:
    """Return once ``port`` accepts connections; fail if the server exits or takes too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _, err = process.communicate()
            pytest.fail(f"server exited with {process.returncode}: {err.decode()[-2000:]}")
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
        except OSError:
            time.sleep(0.02)  # a real process starting: there is no clock to inject
            continue
        return
    process.kill()
    pytest.fail(f"server did not listen on {HOST}:{port} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def child_env() -> dict[str, str]:
    """The environment for processes the tests start (module fixtures run before the
    per-test isolation, so they scrub it themselves)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_PREFIXES)}


@pytest.fixture(scope="module")
def server_url(child_env: dict[str, str]) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a server started for this test module."""
    port = free_port()
    process = subprocess.Popen(
        server_command(port), env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for_port(process, port, READY_TIMEOUT)
        yield f"http://{HOST}:{port}"
    finally:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


@dataclass(frozen=True)
class Tls:
    url: str  # https://127.0.0.1:<port>
    ca_file: Path  # the certificate authority that signed the server's certificate


@pytest.fixture(scope="module")
def tls_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tls]:
    """The module's server behind TLS, with a certificate made for this run."""
    import trustme

    authority = trustme.CA()
    ca_file = tmp_path_factory.mktemp("tls") / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(HOST).configure_cert(context)
    backend = int(server_url.rsplit(":", 1)[1])
    proxy = TlsProxy(context, backend)
    try:
        yield Tls(f"https://{HOST}:{proxy.port}", ca_file)
    finally:
        proxy.stop()


class TlsProxy:
    """Terminates TLS on a loopback port and pipes the bytes to the plain server."""

    def __init__(self, context: ssl.SSLContext, backend: int) -> None:
        self.backend = backend
        self.loop = asyncio.new_event_loop()
        self.writers: set[asyncio.StreamWriter] = set()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(context, ready), daemon=True)
        self.thread.start()
        if not ready.wait(READY_TIMEOUT):
            pytest.fail("the TLS terminator did not start")

    def _run(self, context: ssl.SSLContext, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self._serve, HOST, 0, ssl=context)
        )
        self.port: int = self.server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()
        self.loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(HOST, self.backend)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, up_writer}
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    async def _shutdown(self) -> None:
        """Close the listener and drop open connections (no TLS goodbye: the tests are over)."""
        self.server.close()
        for writer in self.writers:
            writer.transport.abort()
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0)  # let the aborted transports report their loss

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(STOP_TIMEOUT)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(STOP_TIMEOUT)


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    """Copy until either side closes; then close ``sink`` so the other direction ends too."""
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    except (OSError, ssl.SSLError):
        pass  # a peer went away mid-transfer: nothing left to deliver
    finally:
        sink.close()
