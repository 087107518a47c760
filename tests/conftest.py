"""Test isolation and the replay harness.

Every test runs with a private config directory and none of the user's OPENAI_*, AZURE_* or ASST_*
variables. HTTP is replayed from cassettes/ (vcrpy, record mode ``none``). To record, run the tests
with ``ASST_RECORD=1``: each test then talks to a fresh, deterministic asst_engine server on
127.0.0.1:8787, so re-recording an unchanged test reproduces its cassette byte for byte.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

from asst_cli import polling

import harness
from loopback import Stub
from suite_order import LONGEST_FIRST

SCRUBBED_PREFIXES = ("OPENAI_", "AZURE_", "ASST_", "_ASST_")

# Property tests drive the real CLI once per example. "fast", the default (and CI's), tries a few
# dozen inputs per test; "deep" (pytest --hypothesis-profile=deep) a thousand, for a long search.
# Either way a failing example is kept in .hypothesis/ and tried first the next time.
PROPERTY_SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
settings.register_profile("fast", max_examples=50, **PROPERTY_SETTINGS)
settings.register_profile("deep", max_examples=1000, **PROPERTY_SETTINGS)
settings.load_profile("fast")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    here = Path(__file__).parent
    items.sort(key=lambda item: rank.get(item.path.relative_to(here).as_posix(), len(rank)))


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """Recording runs in one process: every recorded test serves its engine on port 8787.
    Otherwise ``-n auto`` starts one worker per core and one more: about a third of the suite's
    time is spent waiting (on deadlines, servers, sandboxes), and the extra worker fills it; with
    two more, the workers' own start-up cost more than they saved. PYTEST_XDIST_AUTO_NUM_WORKERS
    still decides when it is set."""
    if harness.RECORD:
        return 0
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return len(os.sched_getaffinity(0)) + 1 if hasattr(os, "sched_getaffinity") else None


@pytest.fixture
def tmp_path(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new folder per test, under the session's base temp like pytest's own. pytest's numbers
    each folder by listing the session's folders and moves a "-current" link: every test asks
    for one (isolated_env), and that bookkeeping cost more than many a test."""
    name = re.sub(r"\W", "_", request.node.name)[:30]
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=tmp_path_factory.getbasetemp()))


@pytest.fixture(scope="session", autouse=True)
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The user cache dir of every test in this process, servers of a module included: what is
    kept there (matplotlib's font list) depends on the machine only, so it is made once."""
    path = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as session:
        session.setenv("XDG_CACHE_HOME", str(path))
        yield path


@pytest.fixture(scope="session")
def font_cache(shared_cache: Path) -> Path:
    """Where a server keeps matplotlib's font list (assemble.py): a test's own Sandbox uses it
    too, or each would spend a second or two making the list again."""
    return shared_cache / "asst" / "matplotlib"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith(SCRUBBED_PREFIXES):
            monkeypatch.delenv(name)
    config = tmp_path / "config"
    monkeypatch.setenv("ASST_CONFIG_DIR", str(config))
    # The local backend's default data dir (platformdirs), so no test can touch the user's.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.chdir(tmp_path)
    yield config


class SkippingClock:
    """Real time, plus every sleep asst asks for, skipped at once: a deadline still passes
    while a live server is slow, and no test waits out a polling interval."""

    def __init__(self) -> None:
        self.skipped = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return time.monotonic() + self.skipped

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.skipped += seconds


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> SkippingClock:
    skipping = SkippingClock()
    monkeypatch.setattr(polling, "CLOCK", skipping)
    return skipping


@pytest.fixture
def cli() -> harness.Runner:
    return harness.Runner()


@pytest.fixture(params=harness.DIALECTS)
def dialect(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    name: str = request.param
    for key, value in harness.DIALECT_ENV[name].items():
        monkeypatch.setenv(key, value)
    return name


@pytest.fixture
def cassette(request: pytest.FixtureRequest, dialect: str) -> Iterator[harness.Recorder]:
    with harness.recording(request.node) as recorder:
        yield recorder


@pytest.fixture
def rejected_credential(dialect: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dialect's credential is one the server refuses (401: exit 4)."""
    monkeypatch.setenv(harness.CREDENTIAL[dialect], "rejected")


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any request would fail with exit 75, so exit 2 proves a check came before it."""
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unused-0000")
    monkeypatch.setenv("ASST_MAX_RETRIES", "0")


def _live_engine(monkeypatch: pytest.MonkeyPatch, dialect: str) -> Iterator[Any]:
    from asst_engine import Engine, serve

    server = serve("127.0.0.1", 0, Engine())
    # A client that gave up (a deadline) leaves the handler writing to a closed socket, perhaps
    # after this test: that is expected here, and must not print into a later test's stderr.
    server.handle_error = lambda *_: None
    env = {key: value.replace(harness.BASE, server.url) for key, value in
           harness.DIALECT_ENV[dialect].items()}  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An engine on 127.0.0.1 (free port) for faults a cassette cannot hold (slow answers,
    dropped connections); the openai dialect points at it."""
    yield from _live_engine(monkeypatch, "openai")


@pytest.fixture(params=harness.DIALECTS)
def live_dialect(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The same, once per dialect."""
    yield from _live_engine(monkeypatch, request.param)


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stub]:
    """A server on 127.0.0.1 whose answers each test sets with ``stub.answer`` (loopback.py)."""
    server = Stub(lambda method, path: {})
    monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-live-test-0000")
    try:
        yield server
    finally:
        server.stop()
