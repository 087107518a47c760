"""Thread bundles: export, resume, lossless import into an engine, replay, conversations.

Two live engines on loopback stand for the source and the target backend.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asst_cli import api
from asst_cli.errors import AsstError, ExitCode
from asst_engine import Engine, serve

import harness


class Engines:
    """Started engines; ``use`` points the CLI's environment at one of them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.servers: list[Any] = []

    def start(self, dialect: str = "openai") -> Any:
        server = serve("127.0.0.1", 0, Engine())
        server.handle_error = lambda *_: None
        self.servers.append(server)
        self.use(server, dialect)
        return server

    def use(self, server: Any, dialect: str = "openai") -> None:
        for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "ASST_ENDPOINT", "ASST_TOKEN"):
            self.monkeypatch.delenv(name, raising=False)
        for key, value in harness.DIALECT_ENV[dialect].items():
            self.monkeypatch.setenv(key, value.replace(harness.BASE, server.url))


@pytest.fixture
def engines(monkeypatch: pytest.MonkeyPatch) -> Iterator[Engines]:
    found = Engines(monkeypatch)
    try:
        yield found
    finally:
        for server in found.servers:
            server.stop()


def made(cli: harness.Runner, *args: str) -> str:
    result = cli(*args, "-o", "id")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def history(cli: harness.Runner, tmp_path: Path) -> tuple[str, str]:
    """A thread with a cited file, a made file (code interpreter) and a failed run."""
    notes = tmp_path / "notes.txt"
    notes.write_text("the sky is green")
    file_id = made(cli, "files", "upload", str(notes))
    store = made(cli, "vector-stores", "create", "--name", "kb", "--file", file_id)
    tools = ("--tool", "file_search", "--tool", "code_interpreter", "--vector-store", store)
    assistant = made(cli, "assistants", "create", "--name", "helper", "--model", "gpt-4o", *tools)
    first = cli("run", "-a", assistant, "--attach", file_id, "please cite", "--wait", "-o", "json")
    thread = str(first.json()["thread_id"])
    for text, code in (("please make a file", 0), ("please fail", 5)):
        result = cli("run", "-a", assistant, "--thread", thread, text, "--wait", "-o", "none")
        assert result.exit_code == code, result.stderr
    return assistant, thread


def tree(root: Path) -> dict[str, bytes]:
    """Every file of a bundle; the manifest without its source (export time, endpoint)."""
    found = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    manifest = json.loads(found.pop("manifest.json"))
    manifest.pop("source")
    found["manifest.json"] = json.dumps(manifest, sort_keys=True).encode()
    return found


REAL_PAGE = api.page


class PageFault:
    """``api.page`` that fails after ``allowed`` pages (a network loss mid-export)."""

    def __init__(self, allowed: int | None) -> None:
        self.allowed, self.pages = allowed, 0

    def __call__(self, path: str, params: Any = None) -> api.Page:
        self.pages += 1
        if self.allowed is not None and self.pages > self.allowed:
            raise AsstError("could not reach the server", None, ExitCode.TEMPORARY)
        return REAL_PAGE(path, params)


def test_an_interrupted_export_continues_and_ends_with_the_same_bundle(
    cli: harness.Runner, engines: Engines, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engines.start()
    _, thread = history(cli, tmp_path)
    monkeypatch.setattr(api, "PAGE_SIZE_ALL", 2)  # several pages per thread
    whole = PageFault(None)
    monkeypatch.setattr(api, "page", whole)
    assert cli("export", "--thread", thread, "--dir", "whole").exit_code == 0
    cut = PageFault(8)
    monkeypatch.setattr(api, "page", cut)
    failed = cli("export", "--thread", thread, "--dir", "cut")
    assert (failed.exit_code, failed.stderr) == (75, "Error: could not reach the server\n")
    left = sorted(p.name for p in (tmp_path / "cut").rglob("*") if p.is_file())
    assert left == [".progress.json", "assistant-helper.yaml", "assistants.jsonl",
                    "vector-store-kb.yaml", "vector_stores.jsonl"]  # fmt: skip
    resumed = PageFault(None)
    monkeypatch.setattr(api, "page", resumed)
    assert cli("export", "--thread", thread, "--dir", "cut").exit_code == 0
    assert tree(tmp_path / "cut") == tree(tmp_path / "whole")
    assert resumed.pages == whole.pages - 6  # the definitions, assistants and stores were kept
