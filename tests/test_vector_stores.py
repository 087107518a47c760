"""asst vector-stores (and its files and batches), end to end against each dialect."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from asst_cli.errors import Terminated

from harness import FakeServer, Recorder, Runner

VS_ID = re.compile(r"^vs_[A-Za-z0-9]{24}$")
FILE_ID = re.compile(r"^file-[A-Za-z0-9]{24}$")
BATCH_ID = re.compile(r"^vsfb_[A-Za-z0-9]{24}$")
DAY = 86_400
T0 = 1767225600  # the engine's deterministic clock starts at 2026-01-01T00:00:00Z
NOT_FOUND_HINT = "(check the id, or list what exists with the matching 'list' command)"
AUTO = {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.json()


def sent(recorder: Recorder, index: int) -> Any:
    body = recorder.requests[index].body
    return json.loads(body) if body else None


def upload(cli: Runner, name: str, text: str = "hello\n") -> str:
    Path(name).write_text(text)
    [uploaded] = ok(cli("files", "upload", name, "-o", "json"))
    return str(uploaded["id"])


def make(cli: Runner, *flags: str) -> dict[str, Any]:
    store: dict[str, Any] = ok(cli("vector-stores", "create", *flags, "-o", "json"))
    assert VS_ID.match(store["id"])
    return store


def counts(completed: int = 0, total: int = 0, **others: int) -> dict[str, int]:
    found = {"in_progress": 0, "completed": completed, "failed": 0, "cancelled": 0, "total": total}
    return {**found, **others}


def requests(recorder: Recorder) -> list[str]:
    """``METHOD /path`` of each request, without the dialect's prefix and query."""
    out = []
    for request in recorder.requests:
        path = re.sub(r"^/(v1|openai|api/projects/[^/]+)", "", request.path)
        out.append(f"{request.method} {path}")
    return out


# -- stores ------------------------------------------------------------------------------------


def test_create_with_local_files_and_ids_and_wait(cli: Runner, cassette: Recorder) -> None:
    known = upload(cli, "known.txt")
    Path("intro.md").write_text("# Intro\n")
    store = make(
        cli,
        "--name", "handbook",
        "--file", "intro.md",
        "--file", known,
        "--expires-after-days", "7",
        "-m", "team=docs",
        "--wait",
    )  # fmt: skip
    new = sent(cassette, 2)["file_ids"][0]
    assert FILE_ID.match(new) and new != known
    assert sent(cassette, 2) == {
        "name": "handbook",
        "expires_after": {"anchor": "last_active_at", "days": 7},
        "metadata": {"team": "docs"},
        "file_ids": [new, known],
    }
    assert requests(cassette)[:4] == [
        "POST /files",
        "POST /files",
        "POST /vector_stores",
        f"GET /vector_stores/{store['id']}",
    ]
    assert (store["status"], store["file_counts"], store["usage_bytes"]) == (
        "completed",
        counts(2, 2),
        14,
    )
    assert store["expires_at"] == store["last_active_at"] + 7 * DAY
    shown = cli("vector-stores", "get", store["id"], "-o", "table")
    assert shown.stdout == (
        f"ID           {store['id']}\n"
        "NAME         handbook\n"
        "STATUS       completed\n"
        "FILES        2/2\n"
        "USAGE        14\n"
        "CREATED      2026-01-01 00:00:02\n"
        "EXPIRES      2026-01-08 00:00:02\n"
        "LAST ACTIVE  2026-01-01 00:00:02\n"
        'METADATA     {"team": "docs"}\n'
    )


def test_create_from_a_definition_file(cli: Runner, cassette: Recorder) -> None:
    defs = Path("defs")
    (defs / "docs").mkdir(parents=True)
    (defs / "docs" / "faq.md").write_text("Q?\nA.\n")
    (defs / "store.yaml").write_text(
        "kind: vector_store\n"
        "name: from-file\n"
        "files: [docs/faq.md]\n"
        "expires_after: 30\n"
        "metadata: {team: ops}\n"
    )
    store = make(cli, "-f", "defs/store.yaml", "--name", "from-flag", "-m", "env=ci")
    [file_id] = sent(cassette, 1)["file_ids"]
    assert sent(cassette, 1) == {
        "name": "from-flag",
        "expires_after": {"anchor": "last_active_at", "days": 30},
        "metadata": {"team": "ops", "env": "ci"},
        "file_ids": [file_id],
    }
    assert b'filename="faq.md"' in cassette.requests[0].body
    assert (store["name"], store["file_counts"]) == ("from-flag", counts(1, 1))


def test_list_update_and_delete(cli: Runner, cassette: Recorder) -> None:
    a = make(cli, "--name", "alpha")["id"]
    b = make(cli, "--name", "beta", "-m", "keep=yes")["id"]
    assert cli("vector-stores", "list", "-o", "tsv").stdout == (
        f"{b}\tbeta\tcompleted\t0/0\t0\t2026-01-01T00:00:01Z\n"
        f"{a}\talpha\tcompleted\t0/0\t0\t2026-01-01T00:00:00Z\n"
    )
    assert cli("vector-stores", "list", "-o", "table").stdout == (
        f"ID{' ' * 27}NAME   STATUS     FILES  USAGE  CREATED\n"
        f"{b}  beta   completed  0/0    0      2026-01-01 00:00:01\n"
        f"{a}  alpha  completed  0/0    0      2026-01-01 00:00:00\n"
    )
    updated = ok(
        cli(
            "vector-stores",
            "update",
            b,
            "--name",
            "gamma",
            "--expires-after-days",
            "2",
            "-o",
            "json",
        )
    )
    assert sent(cassette, 4) == {
        "name": "gamma",
        "expires_after": {"anchor": "last_active_at", "days": 2},
    }
    assert (updated["name"], updated["metadata"]) == ("gamma", {"keep": "yes"})
    result = cli("vector-stores", "delete", a, "vs_gone", b, "-o", "tsv")
    assert (result.exit_code, result.stdout) == (3, f"{a}\ttrue\n{b}\ttrue\n")
    assert result.stderr == (
        f"Error: No vector store found with id 'vs_gone' {NOT_FOUND_HINT}\n"
        "Error: 1 of 3 deletions failed (the errors above name each one)\n"
    )
    assert ok(cli("vector-stores", "list", "-o", "json")) == []


def test_update_from_a_definition_file(cli: Runner, cassette: Recorder) -> None:
    store = make(cli, "--name", "old", "-m", "team=docs")["id"]
    Path("store.yaml").write_text("name: renamed\nmetadata: {tier: '2'}\n")
    updated = ok(cli("vector-stores", "update", store, "-f", "store.yaml", "-o", "json"))
    # Metadata merges into the live object's, as on every update.
    assert requests(cassette)[1:3] == [
        f"GET /vector_stores/{store}",
        f"POST /vector_stores/{store}",
    ]
    assert sent(cassette, 2) == {"name": "renamed", "metadata": {"team": "docs", "tier": "2"}}
    assert (updated["name"], updated["metadata"]) == ("renamed", {"team": "docs", "tier": "2"})
    removed = ok(cli("vector-stores", "update", store, "-m", "team=", "-o", "json"))
    assert removed["metadata"] == {"tier": "2"}


def test_get_missing_exits_3(cli: Runner, cassette: Recorder) -> None:
    result = cli("vector-stores", "get", "vs_missing")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == f"Error: No vector store found with id 'vs_missing' {NOT_FOUND_HINT}\n"


def test_rejected_credential_exits_4(
    cli: Runner, cassette: Recorder, rejected_credential: None
) -> None:
    result = cli("vector-stores", "list")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr == (
        "Error: Incorrect API key provided: rejected (check the credential with 'asst auth status --check')\n"
    )


def test_server_refusal_exits_1_with_its_message(cli: Runner, cassette: Recorder) -> None:
    result = cli("vector-stores", "create", "--file", "file-missing")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: No file found with id 'file-missing'\n"


# -- files of a store --------------------------------------------------------------------------


def test_files_add_list_get_delete(cli: Runner, cassette: Recorder) -> None:
    store = make(cli, "--name", "docs")["id"]
    Path("a.md").write_text("aaaa")
    Path("b.md").write_text("bb")
    added = ok(cli("vector-stores", "files", "add", store, "a.md", "b.md", "--wait", "-o", "json"))
    a, b = (f["id"] for f in added)
    assert [(f["status"], f["usage_bytes"], f["vector_store_id"]) for f in added] == [
        ("completed", 4, store),
        ("completed", 2, store),
    ]
    assert requests(cassette)[1:8] == [
        f"GET /vector_stores/{store}/files",  # an empty store: nothing to skip
        "POST /files",
        "POST /files",
        f"POST /vector_stores/{store}/files",
        f"POST /vector_stores/{store}/files",
        f"GET /vector_stores/{store}/files/{a}",
        f"GET /vector_stores/{store}/files/{b}",
    ]
    # Attached concurrently: in either order.
    attached = sorted([sent(cassette, 4)["file_id"], sent(cassette, 5)["file_id"]])
    assert attached == sorted([a, b])
    listed = cli("vector-stores", "files", "list", store, "--order", "asc", "-o", "tsv")
    assert listed.stdout == (
        f"{a}\tcompleted\t4\t2026-01-01T00:00:03Z\t\n{b}\tcompleted\t2\t2026-01-01T00:00:04Z\t\n"
    )
    assert (
        ok(cli("vector-stores", "files", "list", store, "--status", "failed", "-o", "json")) == []
    )
    assert "filter=failed" in cassette.requests[9].uri
    shown = cli("vector-stores", "files", "get", store, a, "-o", "table")
    assert shown.stdout == (
        f"ID            {a}\n"
        "STATUS        completed\n"
        "USAGE         4\n"
        "CREATED       2026-01-01 00:00:03\n"
        "LAST ERROR\n"
        f"VECTOR STORE  {store}\n"
        f"CHUNKING      {json.dumps(AUTO)}\n"
    )
    removed = cli("vector-stores", "files", "delete", store, a, "file-gone", "-o", "id")
    assert (removed.exit_code, removed.stdout) == (3, f"{a}\n")
    assert removed.stderr == (
        f"Error: No file found with id 'file-gone' in vector store '{store}' {NOT_FOUND_HINT}\n"
        "Error: 1 of 2 deletions failed (the errors above name each one)\n"
    )
    assert ok(cli("vector-stores", "get", store, "-o", "json"))["file_counts"] == counts(1, 1)


def test_files_add_to_a_missing_store_names_each_file(cli: Runner, cassette: Recorder) -> None:
    result = cli("vector-stores", "files", "add", "vs_missing", "file-a1", "file-b2", "-o", "id")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == (
        f"Error: file-a1: No vector store found with id 'vs_missing' {NOT_FOUND_HINT}\n"
        f"Error: file-b2: No vector store found with id 'vs_missing' {NOT_FOUND_HINT}\n"
        "Error: 2 of 2 files failed (the errors above name each one)\n"
    )


# -- batches -----------------------------------------------------------------------------------


def test_batch_create_get_files_and_cancel(cli: Runner, cassette: Recorder) -> None:
    store = make(cli, "--name", "docs")["id"]
    known = upload(cli, "known.txt")
    Path("new.md").write_text("new")
    batch = ok(cli("vector-stores", "batches", "create", store, "new.md", known, "-o", "json"))
    assert BATCH_ID.match(batch["id"])
    new = sent(cassette, 4)["file_ids"][0]
    assert sent(cassette, 4) == {"file_ids": [new, known]}
    assert (batch["status"], batch["file_counts"]) == ("in_progress", counts(0, 2, in_progress=2))
    assert cli("vector-stores", "batches", "get", store, batch["id"], "-o", "tsv").stdout == (
        f"{batch['id']}\tcompleted\t2/2\t2026-01-01T00:00:03Z\n"
    )
    files = cli(
        "vector-stores", "batches", "files", store, batch["id"], "--status", "completed", "-o", "id"
    )
    assert sorted(files.stdout.split()) == sorted([new, known])
    second = ok(cli("vector-stores", "batches", "create", store, known, "-o", "json"))
    cancelled = cli("vector-stores", "batches", "cancel", store, second["id"], "-o", "table")
    assert cancelled.stdout == (
        f"ID            {second['id']}\n"
        "STATUS        cancelled\n"
        "COUNTS        0/1, 1 cancelled\n"
        "CREATED       2026-01-01 00:00:06\n"
        f"VECTOR STORE  {store}\n"
    )
    again = cli("vector-stores", "batches", "cancel", store, second["id"])
    assert (again.exit_code, again.stderr) == (
        1,
        "Error: Cannot cancel a batch with status 'cancelled'\n",
    )
    assert (
        requests(cassette)[-1] == f"POST /vector_stores/{store}/file_batches/{second['id']}/cancel"
    )
    assert cassette.requests[-1].body in (None, b"")


def test_batch_create_wait_follows_the_batch(cli: Runner, cassette: Recorder) -> None:
    store = make(cli)["id"]
    for name in ("a.md", "b.md", "c.md"):
        Path(name).write_text(name)
    batch = ok(
        cli(
            "vector-stores",
            "batches",
            "create",
            store,
            "a.md",
            "b.md",
            "c.md",
            "-j",
            "2",
            "--wait",
            "-o",
            "json",
        )
    )
    assert (batch["status"], batch["file_counts"]) == ("completed", counts(3, 3))
    assert requests(cassette)[1:7] == [
        f"GET /vector_stores/{store}/files",
        "POST /files",
        "POST /files",
        "POST /files",
        f"POST /vector_stores/{store}/file_batches",
        f"GET /vector_stores/{store}/file_batches/{batch['id']}",
    ]
    assert len(set(sent(cassette, 5)["file_ids"])) == 3
    # As files add does: what the store has is not added twice.
    Path("d.md").write_text("d.md")
    again = cli("vector-stores", "batches", "create", store, "a.md", "d.md", "-o", "json")
    assert again.exit_code == 0
    assert again.stderr == f"Skipped 1 file(s) already in {store} (same name and size): a.md\n"
    batches = [i for i, r in enumerate(requests(cassette)) if r.endswith("/file_batches")]
    assert [len(sent(cassette, i)["file_ids"]) for i in batches] == [3, 1]
    same = cli("vector-stores", "batches", "create", store, "a.md", "b.md", "-o", "json")
    assert (same.exit_code, same.stdout) == (0, "")
    assert same.stderr == (
        f"Skipped 2 file(s) already in {store} (same name and size): a.md, b.md\n"
        f"Nothing to add: {store} has every file given.\n"
    )


def test_batch_of_a_missing_store_exits_3(cli: Runner, cassette: Recorder) -> None:
    result = cli("vector-stores", "batches", "get", "vs_missing", "vsfb_missing")
    assert (result.exit_code, result.stderr) == (
        3,
        f"Error: No vector store found with id 'vs_missing' {NOT_FOUND_HINT}\n",
    )


# -- chunking (not in Azure 2024-05-01-preview) ------------------------------------------------


@pytest.mark.parametrize("dialect", ["openai", "foundry"], indirect=True)
def test_chunking_strategies(cli: Runner, cassette: Recorder) -> None:
    known = upload(cli, "known.txt")
    store = make(cli, "--file", known, "--chunking", "static:1000:200")
    assert sent(cassette, 1)["chunking_strategy"] == {
        "type": "static",
        "static": {"max_chunk_size_tokens": 1000, "chunk_overlap_tokens": 200},
    }
    added = ok(
        cli(
            "vector-stores",
            "files",
            "add",
            store["id"],
            known,
            "--chunking",
            "static:100:50",
            "-o",
            "json",
        )
    )
    assert sent(cassette, 2) == {
        "file_id": known,
        "chunking_strategy": {
            "type": "static",
            "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 50},
        },
    }
    assert added[0]["chunking_strategy"]["static"] == {
        "max_chunk_size_tokens": 100,
        "chunk_overlap_tokens": 50,
    }
    batch = ok(
        cli(
            "vector-stores",
            "batches",
            "create",
            store["id"],
            known,
            "--chunking",
            "auto",
            "-o",
            "json",
        )
    )
    assert sent(cassette, 3) == {"file_ids": [known], "chunking_strategy": {"type": "auto"}}
    assert batch["status"] == "in_progress"


# -- bad local input: exit 2 before any request ------------------------------------------------


CHUNKING_FORMS = "expected auto, or static:MAX:OVERLAP (e.g. static:800:400)"


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["create", "--file", "a.md", "--chunking", "fixed"],
            f"Error: --chunking: {CHUNKING_FORMS}, got 'fixed'\n",
        ),
        (
            ["create", "--file", "a.md", "--chunking", "static:50:10"],
            "Error: --chunking: MAX must be between 100 and 4096 tokens, got 50\n",
        ),
        (
            ["create", "--file", "a.md", "--chunking", "static:800:401"],
            "Error: --chunking: OVERLAP must be at most half of MAX (400), got 401\n",
        ),
        (
            ["create", "--chunking", "auto"],
            "Error: chunking applies to the files a store is created with, and none were given "
            "(add --file PATH_OR_ID, or set chunking when adding files later)\n",
        ),
        (["create", "--file", "missing.md"], "Error: missing.md: no such file (check the path)\n"),
        (["create", "--name", "x" * 257], "Error: --name is longer than 256 characters\n"),
        (
            ["create", "-m", "team"],
            "Error: --metadata expects KEY=VALUE, got 'team' (e.g. --metadata team=docs)\n",
        ),
        (
            ["update", "vs_abc"],
            "Error: nothing to update (pass --name, --expires-after-days, -m or -f FILE)\n",
        ),
        (
            ["get", " "],
            "Error: the vector store id is empty (pass the vector store id of an existing object)\n",
        ),
        (
            ["files", "add", "vs_abc", "a.md", "folder"],
            "Error: folder: not a regular file (pass a file, not a directory or device)\n",
        ),
        (
            ["files", "add", "vs_abc", "a.md", "--chunking", "static:800"],
            f"Error: --chunking: {CHUNKING_FORMS}, got 'static:800'\n",
        ),
        (
            ["files", "add", "", "a.md"],
            "Error: the vector store id is empty (pass the vector store id of an existing object)\n",
        ),
        (
            ["batches", "create", "vs_abc", "a.md", "nope.txt"],
            "Error: nope.txt: no such file (check the path)\n",
        ),
        (
            ["batches", "get", "vs_abc", ""],
            "Error: the batch id is empty (pass the batch id of an existing object)\n",
        ),
    ],
)
def test_bad_input_exits_2_before_any_request(
    cli: Runner, unreachable: None, args: list[str], stderr: str
) -> None:
    Path("a.md").write_text("a")
    Path("folder").mkdir()
    result = cli("vector-stores", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)


def test_out_of_range_flags_are_usage_errors(cli: Runner, unreachable: None) -> None:
    result = cli("vector-stores", "create", "--expires-after-days", "0")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Invalid value for '--expires-after-days'")
    status = cli("vector-stores", "files", "list", "vs_abc", "--status", "broken")
    assert status.exit_code == 2
    assert (
        "'broken' is not one of 'in_progress', 'completed', 'failed', 'cancelled'" in status.stderr
    )


ALLOWED = "kind, name, files, expires_after, chunking, metadata"


@pytest.mark.parametrize(
    ("text", "stderr"),
    [
        (
            "name: x\nfile: [a.md]\n",
            f"Error: def.yaml:2: file: unknown key (allowed keys: {ALLOWED})\n",
        ),
        ("name: [x]\n", "Error: def.yaml:1: name: expected a string, got a list\n"),
        (
            "files:\n  - a.md\n  - docs/missing.md\n",
            "Error: def.yaml:3: files.1: docs/missing.md: no such file (check the path)\n",
        ),
        ("files: a.md\n", "Error: def.yaml:1: files: expected a list, got a string\n"),
        (
            "expires_after: 0\n",
            "Error: def.yaml:1: expires_after: must be between 1 and 365 days, got 0\n",
        ),
        (
            "expires_after: soon\n",
            "Error: def.yaml:1: expires_after: expected a whole number, got a string\n",
        ),
        (
            "files: [a.md]\nchunking: static:5000:10\n",
            "Error: def.yaml:2: chunking: MAX must be between 100 and 4096 tokens, got 5000\n",
        ),
        (
            "metadata:\n  team: [a]\n",
            "Error: def.yaml:2: metadata.team: value of 'team' must be a string, got a list\n",
        ),
        (
            "kind: assistant\n",
            "Error: def.yaml:1: kind: expected kind 'vector_store', got 'assistant'\n",
        ),
        ("name: a\nname: b\n", "Error: def.yaml:2: name: duplicate key (keep one of them)\n"),
        ("", "Error: def.yaml: the file is empty\n"),
    ],
)
def test_definition_errors_name_file_and_line(
    cli: Runner, unreachable: None, text: str, stderr: str
) -> None:
    Path("a.md").write_text("a")
    Path("def.yaml").write_text(text)
    result = cli("vector-stores", "create", "-f", "def.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)


def test_definition_paths_are_relative_to_the_file(cli: Runner, unreachable: None) -> None:
    Path("defs").mkdir()
    Path("a.md").write_text("here, not beside the definition")
    Path("defs/store.yaml").write_text("files: [a.md]\n")
    result = cli("vector-stores", "create", "-f", "defs/store.yaml")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: defs/store.yaml:1: files.0: a.md: no such file (check the path)\n",
    )


def test_update_refuses_files_in_its_definition(cli: Runner, unreachable: None) -> None:
    Path("a.md").write_text("a")
    Path("def.yaml").write_text("name: x\nfiles: [a.md]\n")
    result = cli("vector-stores", "update", "vs_abc", "-f", "def.yaml")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: def.yaml:2: files: a store's files cannot be changed by update "
        "(use 'asst vector-stores files add' or 'files delete')\n",
    )


# -- --wait when indexing fails (the engine indexes everything; a fake server fails some) -------


@pytest.fixture
def slept(clock: Any) -> list[float]:
    """The pauses between polls, taken instantly (the conftest clock) and noted in order."""
    pauses: list[float] = clock.slept
    return pauses


UNSUPPORTED = {"code": "unsupported_file", "message": "The file type is not supported."}


def batch(status: str, **file_counts: int) -> dict[str, Any]:
    return {"id": "vsfb_1", "object": "vector_store.files_batch", "status": status, "created_at": T0,
            "vector_store_id": "vs_1", "file_counts": counts(**file_counts)}  # fmt: skip


def test_wait_reports_files_that_failed_to_index(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, slept: list[float]
) -> None:
    polls = [
        (batch("in_progress", total=2, in_progress=2), "250"),
        (batch("in_progress", completed=1, total=2, in_progress=1), None),
        (batch("completed", completed=1, failed=1, total=2), None),
    ]
    fake = FakeServer(monkeypatch, polls=polls)
    fake.posted["file_batches"] = lambda body: batch("in_progress", total=2, in_progress=2)
    failed = [{"id": "file-b2", "status": "failed", "last_error": UNSUPPORTED}]
    fake.lists["/vector_stores/vs_1/file_batches/vsfb_1/files"] = failed
    result = cli(
        "vector-stores", "batches", "create", "vs_1", "file-a1", "file-b2", "--wait", "-o", "tsv"
    )
    assert (result.exit_code, result.stdout) == (
        1,
        "vsfb_1\tcompleted\t1/2, 1 failed\t2026-01-01T00:00:00Z\n",
    )
    assert result.stderr == (
        "Error: file-b2: The file type is not supported\n"
        "Error: 1 of 2 files failed to index "
        "(list them with 'asst vector-stores batches files vs_1 vsfb_1 --status failed')\n"
    )
    assert fake.asked == [
        "POST /vector_stores/vs_1/file_batches",
        *["GET /vector_stores/vs_1/file_batches/vsfb_1"] * 3,
        "LIST /vector_stores/vs_1/file_batches/vsfb_1/files {'filter': 'failed'}",
    ]
    # The server's hint first, then the back-off from half a second.
    assert slept == [0.25, 0.5]


def test_wait_backs_off_to_five_seconds(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, slept: list[float]
) -> None:
    store = {
        "id": "vs_1",
        "object": "vector_store",
        "status": "in_progress",
        "file_counts": counts(0, 1, in_progress=1),
    }
    polls = [(store, None)] * 7 + [
        ({**store, "status": "completed", "file_counts": counts(1, 1)}, None)
    ]
    fake = FakeServer(monkeypatch, polls=polls)
    fake.posted["vector_stores"] = lambda body: store
    result = cli("vector-stores", "create", "--file", "file-a1", "--wait", "-o", "id")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "vs_1\n", "")
    # The same cadence runs are polled with (polling.py): from 0.5 s, x1.5 each time, up to 5 s.
    assert slept == [0.5, 0.75, 1.125, 1.6875, 2.53125, 3.796875, 5.0]


def test_cancelled_batch_fails_the_wait(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeServer(monkeypatch, polls=[(batch("cancelled", cancelled=2, total=2), None)])
    fake.posted["file_batches"] = lambda body: batch("in_progress", total=2, in_progress=2)
    result = cli(
        "vector-stores", "batches", "create", "vs_1", "file-a1", "file-b2", "--wait", "-o", "id"
    )
    assert (result.exit_code, result.stdout) == (1, "vsfb_1\n")
    assert result.stderr == (
        "Error: vsfb_1 cancelled "
        "(list them with 'asst vector-stores batches files vs_1 vsfb_1 --status failed')\n"
    )


def test_files_add_wait_names_the_failed_file(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    polls = [
        (store_file("file-a1", "completed"), None),
        (store_file("file-b2", "failed", UNSUPPORTED), None),
    ]
    fake = FakeServer(monkeypatch, polls=polls)
    fake.posted["files"] = lambda body: store_file(body["file_id"], "in_progress")
    result = cli(
        "vector-stores", "files", "add", "vs_1", "file-a1", "file-b2", "--wait", "-o", "tsv"
    )
    assert result.exit_code == 1
    assert result.stdout == (
        "file-a1\tcompleted\t0\t2026-01-01T00:00:00Z\t\n"
        "file-b2\tfailed\t0\t2026-01-01T00:00:00Z\tThe file type is not supported.\n"
    )
    assert result.stderr == (
        "Error: file-b2: The file type is not supported\n"
        "Error: 1 of 2 files failed (the errors above name each one)\n"
    )


def store_file(file_id: str, status: str, error: Any = None) -> dict[str, Any]:
    return {"id": file_id, "object": "vector_store.file", "status": status, "usage_bytes": 0,
            "created_at": T0, "vector_store_id": "vs_1", "last_error": error}  # fmt: skip


def test_files_add_again_indexes_the_files_that_failed(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.md", "b.md"):
        Path(name).write_text("text")
    fake = FakeServer(monkeypatch)
    fake.lists["/vector_stores/vs_1/files"] = [
        store_file("file-a1", "failed", UNSUPPORTED),
        store_file("file-b2", "completed"),
    ]
    uploaded = [{"id": "file-a1", "filename": "a.md", "bytes": 4},
                {"id": "file-b2", "filename": "b.md", "bytes": 4}]  # fmt: skip
    fake.objects["/files"] = {"data": uploaded, "has_more": False}
    fake.posted["files"] = lambda body: store_file(body["file_id"], "in_progress")
    result = cli("vector-stores", "files", "add", "vs_1", "a.md", "b.md", "-o", "id")
    assert (result.exit_code, result.stdout) == (0, "file-a1\n")
    assert result.stderr == (
        "Skipped 1 file(s) already in vs_1 (same name and size): b.md\n"
        "Indexing 1 file(s) again that failed to index in vs_1: a.md\n"
    )
    assert fake.asked == [
        "LIST /vector_stores/vs_1/files None",
        "GET /files",
        "DELETE /vector_stores/vs_1/files/file-a1",
        "POST /vector_stores/vs_1/files",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("vector-stores", "create", "--file", "file-a1"),
        ("vector-stores", "files", "add", "vs_1", "file-a1"),
        ("vector-stores", "batches", "create", "vs_1", "file-a1"),
    ],
    ids=["create", "files-add", "batches-create"],
)
def test_wait_ends_at_the_deadline(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], slept: list[float]
) -> None:
    pending = {"id": "vs_1", "object": "vector_store", "status": "in_progress"}
    fake = FakeServer(monkeypatch, polls=[(pending, "1000")] * 20)
    for name in ("vector_stores", "files", "file_batches"):
        fake.posted[name] = lambda body: pending
    result = cli(*args, "--wait", "--timeout", "3", "-o", "id")
    assert (result.exit_code, result.stdout) == (124, "")
    assert result.stderr.startswith("Error: no end of indexing within 3 s; indexing goes on (")
    assert sum(slept) <= 3
    assert len(fake.asked) == 1 + len(slept)  # the create, then each poll


@pytest.mark.parametrize(
    ("stop", "code", "word"),
    [(KeyboardInterrupt, 130, "interrupted"), (Terminated, 143, "terminated")],
    ids=["ctrl-c", "sigterm"],
)
def test_ctrl_c_while_waiting_leaves_indexing_running(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, stop: type[BaseException], code: int, word: str
) -> None:
    fake = FakeServer(monkeypatch)
    fake.posted["vector_stores"] = lambda body: {"id": "vs_1", "status": "in_progress"}

    def interrupted(path: str, params: Any = None, within: float | None = None) -> Any:
        raise stop

    from asst_cli import api

    monkeypatch.setattr(api, "get_response", interrupted)
    result = cli("vector-stores", "create", "--file", "file-a1", "--wait")
    assert (result.exit_code, result.stdout) == (code, "")
    assert (
        result.stderr
        == f"Error: {word}; indexing goes on (check with 'asst vector-stores get vs_1')\n"
    )
