"""One sandbox root for the folder (matplotlib's font list is made once), one sandbox per module;
each test uses threads of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from asst_engine.tools.sandbox import Limits, Sandbox

# Small limits keep the bombs quick; the cells here need far less.
LIMITS = Limits(
    memory_bytes=1 << 30, processes=16, cpu_seconds=60, file_bytes=1 << 20, tmp_bytes=8 << 20
)


@pytest.fixture(scope="session")
def sandbox_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sandbox")


@pytest.fixture(scope="module")
def sandbox(sandbox_root: Path, font_cache: Path) -> Iterator[Sandbox]:
    opened = Sandbox(sandbox_root, timeout=30, limits=LIMITS, font_cache=font_cache)
    assert opened.refusal is None, opened.refusal
    yield opened
    opened.close()
