"""Engine assembly: the one place that turns ``asst serve``'s options into a wired ``Engine``.

Three choices, each one call:
- the store: in memory (today, for every mode);
- the driver: runs move on when polled (``PollDriver``), which keeps scripted runs
  deterministic for cassettes and client tests;
- the responder: the keyword-scripted one (``--scripted``; today also without it).

A persistent store, a background worker and a model-backed responder each take the place of
one of these calls (``_store``, ``_driver``, ``_responder``) when they exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from asst_engine.engine import Engine
from asst_engine.models.scripted_turns import ScriptedResponder
from asst_engine.models.turn import Responder
from asst_engine.runs.driver import Driver, PollDriver
from asst_engine.store.base import Store
from asst_engine.store.memory import MemoryStore


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
    idle_timeout: float | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    log_level: str = "info"
    poll_after_ms: int | None = None


def build_engine(config: ServeConfig) -> Engine:
    """The engine ``config`` asks for."""
    return Engine(
        store=_store(config),
        driver=_driver(config),
        responder=_responder(config),
        poll_after_ms=config.poll_after_ms,
    )


def _store(config: ServeConfig) -> Store:
    return MemoryStore()


def _driver(config: ServeConfig) -> Driver:
    return PollDriver()


def _responder(config: ServeConfig) -> Responder:
    return ScriptedResponder()
