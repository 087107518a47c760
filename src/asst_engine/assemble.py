"""Engine assembly: the one place that turns ``asst serve``'s options into a wired ``Engine``.

Each choice is one call, by mode:

- ``--scripted`` (tests, demos): the memory store, runs moved on when polled (``PollDriver``,
  deterministic as cassettes need) and the keyword-scripted responder;
- otherwise: the SQLite store under the data dir, runs worked on in background threads
  (``WorkerDriver``, which recovers the runs a previous process left active) and a model behind
  every run (``ModelResponder``, configured from ``ASST_MODEL_*`` with ``--model-*`` on top).
  File search indexes into ``DATA_DIR/index.sqlite`` with a pool of indexer threads, and the
  files a stopped server was indexing are indexed again. The model's code_interpreter code runs
  in the sandbox under ``DATA_DIR/sandbox`` (``--code-timeout``, ``--unsafe-code-without-sandbox``).

The caller holds the data dir's lock before ``assemble`` (opening the SQLite store cleans up
what a crashed process left, which must never race a live server), and calls
``Assembly.close`` once at shutdown.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from asst_engine.engine import Engine
from asst_engine.models.providers import ModelConfig, ModelConfigError
from asst_engine.process.state import ServeError
from asst_engine.runs.worker import WorkerDriver
from asst_engine.tools.sandbox import DEFAULT_TIMEOUT, Sandbox

SANDBOX_DIR = "sandbox"


@dataclass(frozen=True)
class ServeConfig:
    """What ``asst serve`` was asked for (the CLI resolves defaults and environment)."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8787
    keys: tuple[str, ...] = ()
    scripted: bool = False
    model_base_url: str | None = None
    model_api_key: str | None = field(default=None, repr=False)
    model_map: Path | None = None
    code_timeout: float = DEFAULT_TIMEOUT
    unsafe_code_without_sandbox: bool = False
    idle_timeout: float | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    log_level: str = "info"
    poll_after_ms: int | None = None


@dataclass
class Assembly:
    """The engine, whether it has runs in hand, and how it all ends."""

    engine: Engine
    busy: Callable[[], bool]
    closers: list[Callable[[], None]]

    def close(self) -> None:
        """Stop the background work first (driver, indexer, index), then what it used."""
        self.engine.close()
        for close in self.closers:
            close()


def assemble(config: ServeConfig) -> Assembly:
    """The engine ``config`` asks for; ``ServeError`` when its model configuration is wrong."""
    if config.scripted:
        return Assembly(Engine(poll_after_ms=config.poll_after_ms), lambda: False, [])
    models = _models(config)
    from asst_engine.models.responder import ModelResponder
    from asst_engine.store.sqlite import SqliteStore
    from asst_engine.tools import indexing
    from asst_engine.tools.index import FtsIndex

    store = SqliteStore.open(config.data_dir)
    sandbox = Sandbox(
        config.data_dir / SANDBOX_DIR,
        timeout=config.code_timeout,
        unsafe_without_sandbox=config.unsafe_code_without_sandbox,
        font_cache=_font_cache(),
    )
    sandbox.start_sweeper()
    driver = WorkerDriver()
    engine = Engine(
        store=store,
        driver=driver,
        responder=ModelResponder(models, sandbox=sandbox),
        index=FtsIndex.open(config.data_dir, os.environ),
        indexer=indexing.Indexer.pool(),
        poll_after_ms=config.poll_after_ms,
    )
    indexing.resume(engine)
    return Assembly(engine, lambda: driver.working() > 0, [sandbox.close, store.close])


def _font_cache() -> Path:
    """matplotlib's font list, shared by every data dir: the user's cache dir (platformdirs;
    $XDG_CACHE_HOME on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("asst")) / "matplotlib"


def _models(config: ServeConfig) -> ModelConfig:
    """The model providers: the environment's, with the ``--model-*`` flags in its place."""
    from asst_engine.models import providers

    environ = dict(os.environ)
    for name, value in (
        ("ASST_MODEL_BASE_URL", config.model_base_url),
        ("ASST_MODEL_API_KEY", config.model_api_key),
        ("ASST_MODEL_MAP", str(config.model_map) if config.model_map else None),
    ):
        if value:
            environ[name] = value
    try:
        return providers.load(environ)
    except ModelConfigError as error:
        raise ServeError(str(error)) from None
