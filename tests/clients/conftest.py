"""The server under test for the client conformance suite, started the way a user starts it.

Each test module gets its own ``asst serve`` process on a free loopback port (``--port 0``), as
users run it: the SQLite store in its own data dir, runs worked on in the background, and the
fake model (``asst_engine.testing.fake_model``, on loopback) behind every run, so text and tool
calls stream in the model's pieces. It is ready once it has written ``server.json``, and it is
stopped (SIGTERM) on teardown (see ``tests/serving.py``, shared with the server's own tests).

Some clients refuse plain http (azure-core's bearer-token policy): ``tls_url`` serves https with
a certificate from a throw-away certificate authority (``--tls-cert``/``--tls-key``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from asst_engine.testing.fake_model import FakeModel

from serving import scrubbed_env, serve

# Pollers wait this long between retrievals when the server suggests it (openai-poll-after-ms):
# the fake model answers at once, so a short hint keeps polling flows fast.
POLL_HINT = ("--poll-after-ms", "5")


@pytest.fixture(scope="module")
def child_env() -> dict[str, str]:
    """The environment for processes the tests start (module fixtures run before the
    per-test isolation, so they scrub it themselves)."""
    return scrubbed_env()


@pytest.fixture(scope="module")
def model() -> Iterator[FakeModel]:
    """The model behind the server's runs: the fake one, on loopback."""
    with FakeModel() as fake:
        yield fake


@pytest.fixture(scope="module")
def server_url(
    child_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory, model: FakeModel
) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a server started for this test module."""
    data_dir = tmp_path_factory.mktemp("data")
    with serve(data_dir, *POLL_HINT, env=child_env, model=model.url) as served:
        yield served.url


@dataclass(frozen=True)
class Tls:
    url: str  # https://127.0.0.1:<port>
    ca_file: Path  # the certificate authority that signed the server's certificate


@pytest.fixture(scope="module")
def tls_url(
    child_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory, model: FakeModel
) -> Iterator[Tls]:
    """A server for this test module serving https, with a certificate made for this run."""
    import trustme

    authority = trustme.CA()
    folder = tmp_path_factory.mktemp("tls")
    issued = authority.issue_cert("127.0.0.1")
    authority.cert_pem.write_to_path(str(folder / "ca.pem"))
    issued.private_key_pem.write_to_path(str(folder / "key.pem"))
    (folder / "cert.pem").write_bytes(b"".join(pem.bytes() for pem in issued.cert_chain_pems))
    tls = ("--tls-cert", str(folder / "cert.pem"), "--tls-key", str(folder / "key.pem"))
    data_dir = tmp_path_factory.mktemp("data")
    with serve(data_dir, *POLL_HINT, *tls, env=child_env, model=model.url) as served:
        yield Tls(served.url, folder / "ca.pem")
