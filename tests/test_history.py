"""Thread bundles: export, resume, lossless import into an engine, replay, conversations.

Two live engines on loopback stand for the source and the target backend.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asst_cli import api, paths
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


def test_round_trip_through_an_engine_is_lossless(
    cli: harness.Runner, engines: Engines, tmp_path: Path
) -> None:
    engines.start()
    assistant, thread = history(cli, tmp_path)
    first = cli("export", "--thread", thread, "--dir", "one")
    assert (first.exit_code, first.stdout) == (0, "")
    assert first.stderr == (
        "Exported 1 threads, 5 messages, 3 runs, 3 files; manifest.json lists 11 file(s).\n"
    )
    engines.start()
    imported = cli("import", "one")
    assert (imported.exit_code, imported.stdout) == (0, ""), imported.stderr
    assert cli("threads", "list", "-o", "id").stdout == f"{thread}\n"  # in asst's ledger
    again = cli("import", "one")
    assert again.stderr.startswith("Imported as it was: 1 assistant unchanged, ")
    assert cli("export", "--thread", thread, "--dir", "two").exit_code == 0
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    go_on = cli("run", "--thread", thread, "-a", assistant, "hello", "--wait", "-o", "text")
    assert (go_on.exit_code, go_on.stdout) == (0, "You said: hello\n")
    listed = cli("messages", "list", thread, "--order", "asc", "-q", "[].role", "-o", "json")
    roles = ["user", "assistant", "user", "assistant", "user", "user", "assistant"]
    assert listed.json() == roles


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
    assert left == [".progress.json", f".{thread}.jsonl.part", "assistant-helper.yaml",
                    "assistants.jsonl", "vector-store-kb.yaml", "vector_stores.jsonl"]  # fmt: skip
    part = (tmp_path / "cut/threads" / f".{thread}.jsonl.part").read_text().splitlines()
    assert [json.loads(line)["kind"] for line in part] == ["thread"] + ["message"] * 4
    resumed = PageFault(None)
    monkeypatch.setattr(api, "page", resumed)
    assert cli("export", "--thread", thread, "--dir", "cut").exit_code == 0
    assert tree(tmp_path / "cut") == tree(tmp_path / "whole")
    # Kept: the definitions, assistants and stores (6 pages), and two pages of messages.
    assert resumed.pages == whole.pages - 8


def map_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_replay_into_another_dialect_writes_the_id_map(
    cli: harness.Runner, engines: Engines, tmp_path: Path
) -> None:
    engines.start()
    _, thread = history(cli, tmp_path)
    assert cli("export", "--thread", thread, "--dir", "bundle").exit_code == 0
    source = [json.loads(line) for line in (tmp_path / "bundle/threads" / f"{thread}.jsonl")
              .read_text().splitlines()]  # fmt: skip
    engines.start("foundry")
    replayed = cli("import", "bundle")
    assert (replayed.exit_code, replayed.stdout) == (0, ""), replayed.stderr
    assert replayed.stderr == (
        "Replayed: 1 assistants, 3 files, 5 messages, 3 runs not recreated, 4 steps not "
        "recreated, 1 threads, 1 vector_store_files, 1 vector_stores; id map: "
        "bundle.idmap.jsonl.\n"
    )
    mapped = map_lines(tmp_path / "bundle.idmap.jsonl")
    runs = [m for m in mapped if m["kind"] in ("run", "step")]
    kept = [(x["kind"], x["object"]["id"]) for x in source if x["kind"] in ("run", "step")]
    reason = "the protocol has no request that recreates it"
    assert runs == [{"kind": k, "old": i, "new": None, "reason": reason} for k, i in kept]
    new_thread = next(m["new"] for m in mapped if m["kind"] == "thread")
    listed = cli("messages", "list", new_thread, "--order", "asc", "-o", "json")
    texts = [
        [p["text"]["value"] for p in m["content"] if p["type"] == "text"] for m in listed.json()
    ]
    old = [[p["text"]["value"] for p in x["object"]["content"] if p["type"] == "text"]
           for x in source if x["kind"] == "message"]  # fmt: skip
    assert texts == old
    cited = next(m for m in mapped if m["kind"] == "message" and "annotations" in m["lost"])
    assert cited["lost"] == ["annotations", "assistant_id", "completed_at", "created_at", "run_id",
                             "status"]  # fmt: skip
    again = cli("import", "bundle")
    assert again.stderr == "Replayed: nothing new; id map: bundle.idmap.jsonl.\n"
    assert map_lines(tmp_path / "bundle.idmap.jsonl") == mapped


def text_part(value: str, annotations: list[Any] | None = None) -> dict[str, Any]:
    return {"type": "text", "text": {"value": value, "annotations": annotations or []}}


def message(number: int, role: str, *parts: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"id": f"msg_{number}", "object": "thread.message", "created_at": 100 + number,
            "thread_id": "thread_1", "role": role, "content": list(parts), "assistant_id": None,
            "run_id": None, "attachments": [], "metadata": {}, **more}  # fmt: skip


def test_convert_writes_conversations_items_and_what_did_not_map(
    cli: harness.Runner, tmp_path: Path
) -> None:
    cite = {"type": "file_citation", "text": "[1]", "file_citation": {"file_id": "file-a"},
            "start_index": 3, "end_index": 6}  # fmt: skip
    image = {"type": "image_file", "image_file": {"file_id": "file-img"}}
    thread = {"id": "thread_1", "object": "thread", "created_at": 100, "metadata": {"ticket": "7"},
              "tool_resources": {}}  # fmt: skip
    messages = [
        message(1, "user", text_part("Look"), image, attachments=[{"file_id": "file-a"}]),
        message(2, "assistant", text_part("It [1]", [cite]), image, run_id="run_1"),
        *(message(n, "user", text_part(f"m{n}")) for n in range(3, 24)),
    ]
    lines = [{"kind": "thread", "object": thread}]
    lines += [{"kind": "message", "object": m} for m in messages]
    lines += [{"kind": "run", "object": {"id": "run_1", "status": "completed"}}]
    (tmp_path / "b/threads").mkdir(parents=True)
    (tmp_path / "b/threads/thread_1.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    (tmp_path / "b/manifest.json").write_text('{"format": "asst-bundle/1"}')
    result = cli("convert", "b", "--dir", "out")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "Converted 1 thread(s); 53 field(s) did not map.\n"
    bodies = json.loads((tmp_path / "out/thread_1.json").read_text())
    first = bodies["create"]["items"]
    assert bodies["create"]["metadata"] == {"ticket": "7"}
    assert first[:2] == [
        {"type": "message", "role": "user", "content": [
            {"type": "input_text", "text": "Look"},
            {"type": "input_image", "file_id": "file-img", "detail": "auto"},
        ]},
        {"type": "message", "role": "assistant", "content": [
            {"type": "output_text", "text": "It [1]", "annotations": []},
        ]},
    ]  # fmt: skip
    assert len(first) == 20
    assert bodies["add_items"] == [{"items": [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": f"m{n}"}]}
        for n in (21, 22, 23)
    ]}]  # fmt: skip
    unmapped = map_lines(tmp_path / "out/thread_1.unmapped.jsonl")
    assert unmapped[:3] == [
        {"source": "thread thread_1", "field": "created_at", "value": 100},
        {"source": "thread thread_1", "field": "id", "value": "thread_1"},
        {"source": "message msg_1", "field": "attachments", "value": [{"file_id": "file-a"}]},
    ]
    assert [u for u in unmapped if u["source"] == "message msg_2"] == [
        {"source": "message msg_2", "field": "created_at", "value": 102},
        {"source": "message msg_2", "field": "id", "value": "msg_2"},
        {"source": "message msg_2", "field": "run_id", "value": "run_1"},
        {"source": "message msg_2", "field": "content[0].text.annotations", "value": [cite]},
        {"source": "message msg_2", "field": "content[1]", "value": image},
    ]
    assert unmapped[-1] == {"source": "run run_1", "field": "*", "value": None}


@pytest.mark.usefixtures("unreachable")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "--thread", "t"], "a thread export needs --dir (pass --dir DIR (the bundle's directory))"),
        (["export", "--threads", "--dir", "b"], "the openai backend cannot list threads and asst created none there (name them with --thread ID or --threads-from FILE)"),
        (["export", "--thread", "t", "--since", "May", "--dir", "b"], "--since 'May' is not a date (pass an ISO date, e.g. 2026-01-31)"),
        (["export", "--threads-from", "nope.txt", "--dir", "b"],
         "--threads-from nope.txt: cannot read: No such file or directory (check the path)"),
        (["import", "b"], "b: not a bundle (no manifest.json) (pass the directory 'asst export --threads --dir DIR' wrote)"),
        (["convert", "b", "--dir", "out"], "b: not a bundle (no manifest.json) (pass the directory 'asst export --threads --dir DIR' wrote)"),
    ],
)  # fmt: skip
def test_bad_requests_are_refused_before_any_request(
    cli: harness.Runner, args: list[str], message: str
) -> None:
    result = cli(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: {message}\n"


@pytest.mark.usefixtures("unreachable")
def test_a_bundle_that_cannot_be_read_is_refused(cli: harness.Runner, tmp_path: Path) -> None:
    hint = "(pass the directory 'asst export --threads --dir DIR' wrote)"
    long = "b" * 300
    result = cli("import", long)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: {long}: cannot read manifest.json: File name too long {hint}\n"
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad/manifest.json").write_text("{")
    result = cli("import", "bad")
    assert (result.exit_code, result.stdout) == (2, "")
    assert (
        result.stderr == f"Error: bad: manifest.json is not a bundle's manifest (not JSON) {hint}\n"
    )


def test_foundry_threads_are_listed_and_since_filters_them(
    cli: harness.Runner, engines: Engines, tmp_path: Path
) -> None:
    engines.start("foundry")
    first, second = made(cli, "threads", "create"), made(cli, "threads", "create")
    exported = cli("export", "--threads", "--since", "2000-01-01", "--dir", "b")
    assert exported.stderr == (
        "Exported 2 threads, 0 messages, 0 runs, 0 files; manifest.json lists 4 file(s).\n"
    )
    assert sorted(p.name for p in (tmp_path / "b/threads").iterdir()) == sorted(
        [f"{first}.jsonl", f"{second}.jsonl"]
    )
    again = cli("export", "--threads", "--since", "2999-01-01", "--dir", "b")
    assert again.stderr.startswith("Error: b: holds a finished bundle")
    forced = cli("export", "--threads", "--since", "2999-01-01", "--dir", "b", "--force")
    assert (
        forced.stderr
        == "Exported 0 threads, 0 messages, 0 runs, 0 files; manifest.json lists 2 file(s).\n"
    )
    counts = json.loads((tmp_path / "b/manifest.json").read_text())["counts"]
    assert {kind: n for kind, n in counts.items() if n} == {"threads_skipped": 2}
    assert len(counts) == 13
    gone = cli("export", "--thread", "thread_gone", "--thread", first, "--dir", "c")
    assert gone.stderr == (
        "Exported 1 threads, 0 messages, 0 runs, 0 files; 1 thread(s) not found; "
        "manifest.json lists 3 file(s).\n"
    )
    assert (
        cli("export", "--thread", first, "--dir", ".").stderr
        == "Error: .: is not empty (export a bundle into a new directory)\n"
    )


def test_threads_asst_created_come_from_its_ledger(
    cli: harness.Runner, engines: Engines, tmp_path: Path
) -> None:
    engines.start()
    first = made(cli, "threads", "create")
    second = str(cli("run", "-a", made(cli, "assistants", "create", "--model", "m"), "hi",
                     "--wait", "-o", "json").json()["thread_id"])  # fmt: skip
    engines.start()  # another endpoint: its threads are not these
    made(cli, "threads", "create")
    engines.use(engines.servers[0])
    result = cli("export", "--threads", "--dir", "b")
    assert result.stderr.startswith("Exported 2 threads, 2 messages,")
    assert sorted(p.stem for p in (tmp_path / "b/threads").iterdir()) == sorted([first, second])


def test_an_interrupted_replay_resumed_makes_nothing_twice(
    cli: harness.Runner, engines: Engines, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engines.start()
    _, thread = history(cli, tmp_path)
    assert cli("export", "--thread", thread, "--dir", "bundle").exit_code == 0
    engines.start("foundry")
    real, posts = api.post, []

    def failing(path: str, body: Any = None) -> Any:
        posts.append(path)
        if len(posts) > 6:  # the store, its file, the assistant, the thread, two messages
            raise AsstError("could not reach the server", None, ExitCode.TEMPORARY)
        return real(path, body)

    monkeypatch.setattr(api, "post", failing)
    assert cli("import", "bundle").exit_code == 75
    monkeypatch.setattr(api, "post", real)
    assert cli("import", "bundle").stderr == (
        "Replayed: 3 messages, 3 runs not recreated, 4 steps not recreated; id map: "
        "bundle.idmap.jsonl.\n"
    )
    mapped = map_lines(tmp_path / "bundle.idmap.jsonl")
    olds = [(m["kind"], m["old"]) for m in mapped]
    assert len(olds) == len(set(olds)) == 3 + 1 + 1 + 1 + 1 + 5 + 3 + 4
    store = engines.servers[-1].engine.store
    with store.unit_of_work():
        threads = store.threads.list()
        assert len(threads) == 1
        assert len(store.messages.list(threads[0]["id"])) == 5


@pytest.mark.parametrize(("dialect", "asked"), [
    ("openai", [{"order": "asc", "include[]": paths.FILE_SEARCH_CONTENT}]),
    ("foundry", [{"order": "asc", "include[]": paths.FILE_SEARCH_CONTENT}]),
    ("azure", [{"order": "asc"}]),
])  # fmt: skip
def test_steps_are_asked_with_file_search_content_where_the_spec_has_it(
    cli: harness.Runner,
    engines: Engines,
    monkeypatch: pytest.MonkeyPatch,
    dialect: str,
    asked: list[Any],
) -> None:
    engines.start(dialect)
    assistant = made(cli, "assistants", "create", "--name", "a", "--model", "gpt-4o")
    thread = str(cli("run", "-a", assistant, "hi", "--wait", "-o", "json").json()["thread_id"])
    real, queries = api.iterate, []

    def iterate(path: str, params: Any = None) -> Any:
        if path.endswith("/steps"):
            queries.append(params)
        return real(path, params)

    monkeypatch.setattr(api, "iterate", iterate)
    assert cli("export", "--thread", thread, "--dir", "b").exit_code == 0
    assert queries == asked
