"""asst files, end to end against each dialect (replayed from cassettes), and safe downloads."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from asst_cli import api
from asst_cli.app import run
from asst_cli.errors import AsstError

from harness import FakeServer, Recorder, Runner

FILE_ID = re.compile(r"^file-[A-Za-z0-9]{24}$")
T0 = 1767225600  # the engine's deterministic clock starts at 2026-01-01T00:00:00Z
NOT_FOUND_HINT = "(check the id, or list what exists with the matching 'list' command)"
EXISTS_HINT = "(pass --force to replace it, or choose a name with -O)"
PAYLOAD = bytes(range(256)) * 40 + b"\r\n\x00end"  # binary, and more than one chunk of text


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.json()


def upload(cli: Runner, name: str, data: bytes = b"hello\n") -> dict[str, Any]:
    Path(name).write_bytes(data)
    [uploaded] = ok(cli("files", "upload", name, "-o", "json"))
    assert FILE_ID.match(uploaded["id"])
    return dict(uploaded)


def entries(folder: str) -> list[str]:
    """What a directory holds, besides the test's private config directory."""
    return sorted(p.name for p in Path(folder).iterdir() if p.name != "config")


def run_binary(*args: str) -> tuple[int, bytes, str]:
    """Like the cli fixture, but stdout is a real byte stream (for -O -)."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(list(args))
    out.flush()
    return int(code), raw.getvalue(), err.getvalue()


# -- uploads -----------------------------------------------------------------------------------


def test_several_uploads_in_one_command(cli: Runner, cassette: Recorder) -> None:
    sizes = {"a.txt": 1, "b.md": 20, "c.bin": 300}
    for name, size in sizes.items():
        Path(name).write_bytes(b"x" * size)
    uploaded = ok(cli("files", "upload", *sizes, "--concurrency", "3", "-o", "json"))
    # Printed in the order given, whichever finished first.
    assert [(f["filename"], f["bytes"], f["purpose"]) for f in uploaded] == [
        ("a.txt", 1, "assistants"),
        ("b.md", 20, "assistants"),
        ("c.bin", 300, "assistants"),
    ]
    ids = [f["id"] for f in uploaded]
    assert all(FILE_ID.match(i) for i in ids) and len(set(ids)) == 3
    assert sorted(cli("files", "list", "-o", "id").stdout.split()) == sorted(ids)
    assert [r.method for r in cassette.requests] == ["POST", "POST", "POST", "GET"]


def test_list_get_and_formats(cli: Runner, cassette: Recorder) -> None:
    a = upload(cli, "a.txt")["id"]
    b = upload(cli, "notes.md", b"# notes\n")["id"]
    assert cli("files", "list", "-o", "tsv").stdout == (
        f"{b}\tnotes.md\t8\tassistants\t2026-01-01T00:00:01Z\n"
        f"{a}\ta.txt\t6\tassistants\t2026-01-01T00:00:00Z\n"
    )
    assert cli("files", "list", "-o", "table").stdout == (
        f"ID{' ' * 29}FILENAME  BYTES  PURPOSE     CREATED\n"
        f"{b}  notes.md  8      assistants  2026-01-01 00:00:01\n"
        f"{a}  a.txt     6      assistants  2026-01-01 00:00:00\n"
    )
    assert ok(cli("files", "list", "--purpose", "vision", "-o", "json")) == []
    assert cli("files", "list", "--purpose", "vision", "-o", "table").stderr == "No files found.\n"
    assert cli("files", "get", a, "-o", "table").stdout == (
        f"ID        {a}\n"
        "FILENAME  a.txt\n"
        "BYTES     6\n"
        "PURPOSE   assistants\n"
        "CREATED   2026-01-01 00:00:00\n"
        "STATUS    processed\n"
    )
    assert "purpose=vision" in cassette.requests[4].uri


@pytest.mark.parametrize("dialect", ["openai", "azure"], indirect=True)
def test_pages_and_all(cli: Runner, cassette: Recorder) -> None:
    # Foundry's files list has no pagination parameters.
    ids = [upload(cli, f"f{i}.txt")["id"] for i in range(3)]
    first = cli("files", "list", "--limit", "2", "--order", "asc", "-o", "table")
    assert first.stderr == (
        f"More files exist: repeat with --after {ids[1]} for the next page, "
        "or with --all for every page.\n"
    )
    every = cli("files", "list", "--all", "--limit", "2", "--order", "asc", "-o", "id")
    assert every.stdout == "".join(f"{i}\n" for i in ids)
    bad = cli("files", "list", "--after", "file-unknown")
    assert (bad.exit_code, bad.stdout) == (1, "")
    assert bad.stderr == "Error: Invalid 'after': no object with id 'file-unknown' in this list\n"


@pytest.mark.parametrize("dialect", ["openai", "azure"], indirect=True)
def test_before_where_the_server_has_only_after(cli: Runner, cassette: Recorder) -> None:
    ids = [upload(cli, f"f{i}.txt")["id"] for i in range(4)]
    assert cli("files", "list", "--before", ids[1], "-o", "id").stdout == f"{ids[3]}\n{ids[2]}\n"
    first = cli("files", "list", "--before", ids[3], "--order", "asc", "--limit", "2", "-o", "id")
    assert first.stdout == f"{ids[1]}\n{ids[2]}\n"
    assert first.stderr == (
        f"More files exist: repeat with --before {ids[1]} for the next page, "
        "or with --all for every page.\n"
    )
    every = cli("files", "list", "--before", ids[3], "--order", "asc", "--all", "-o", "id")
    assert every.stdout == f"{ids[0]}\n{ids[1]}\n{ids[2]}\n"
    queries = [r.uri.split("?", 1)[1] for r in cassette.requests[4:]]
    assert [q.replace("api-version=2024-05-01-preview&", "") for q in queries] == [
        f"order=asc&after={ids[1]}",
        f"limit=2&order=desc&after={ids[3]}",
        f"order=desc&after={ids[3]}&limit=100",
    ]
    both = cli("files", "list", "--before", ids[3], "--after", ids[0])
    assert (both.exit_code, both.stderr) == (
        2,
        "Error: the files list takes --after or --before, not both (give one of them)\n",
    )


def test_delete_many_reports_each_failure(cli: Runner, cassette: Recorder) -> None:
    a = upload(cli, "a.txt")["id"]
    b = upload(cli, "b.txt")["id"]
    result = cli("files", "delete", a, "file-gone", b, "-o", "tsv")
    assert (result.exit_code, result.stdout) == (3, f"{a}\ttrue\n{b}\ttrue\n")
    assert result.stderr == (
        f"Error: No such File object: file-gone {NOT_FOUND_HINT}\n"
        "Error: 1 of 3 deletions failed (the errors above name each one)\n"
    )
    assert ok(cli("files", "list", "-o", "json")) == []


def test_get_missing_exits_3(cli: Runner, cassette: Recorder) -> None:
    result = cli("files", "get", "file-missing")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == f"Error: No such File object: file-missing {NOT_FOUND_HINT}\n"


def test_rejected_credential_exits_4(
    cli: Runner, cassette: Recorder, rejected_credential: None
) -> None:
    Path("a.txt").write_text("a")
    result = cli("files", "upload", "a.txt")
    assert (result.exit_code, result.stdout) == (4, "[]\n")
    assert result.stderr == (
        "Error: a.txt: upload failed: Incorrect API key provided: rejected "
        "(check the credential with 'asst auth status --check')\n"
        "Error: 1 of 1 uploads failed (the errors above name each one)\n"
    )


def test_one_failed_upload_does_not_stop_the_others(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, unreachable: None
) -> None:
    def fake_upload(path: Path, purpose: str, filename: str | None = None) -> dict[str, Any]:
        if path.name == "big.bin":
            raise AsstError("File is too large.", None, status=400)
        return {"id": f"file-{path.stem}", "filename": path.name}

    monkeypatch.setattr(api, "upload", fake_upload)
    for name in ("a.txt", "big.bin", "c.txt"):
        Path(name).write_text(name)
    result = cli("files", "upload", "a.txt", "big.bin", "c.txt", "-o", "id")
    assert (result.exit_code, result.stdout) == (1, "file-a\nfile-c\n")
    assert result.stderr == (
        "Error: big.bin: upload failed: File is too large\n"
        "Error: 1 of 3 uploads failed (uploaded anyway: file-a (a.txt), file-c (c.txt); "
        "reuse their ids, or re-run with --skip-existing to upload only the failed ones)\n"
    )


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (["upload", "a.txt", "missing.txt"], "Error: missing.txt: no such file (check the path)\n"),
        (
            ["upload", "a.txt", "folder"],
            "Error: folder: not a regular file (pass a file, not a directory or device)\n",
        ),
        (["download", "file-x", "-O", "a.txt"], f"Error: a.txt: already exists {EXISTS_HINT}\n"),
        (
            ["download", "file-x", "-O", "folder"],
            "Error: folder: is a directory (name a file with -O, or save into it with --dir)\n",
        ),
        (
            ["download", "file-x", "-O", "nowhere/a.txt"],
            "Error: -O nowhere/a.txt: nowhere is not a directory (create it first)\n",
        ),
        (
            ["download", "file-x", "--dir", "a.txt"],
            "Error: --dir a.txt: a.txt is not a directory (create it first)\n",
        ),
        (
            ["download", "file-x", "--dir", "a.txt/sub"],
            "Error: --dir a.txt/sub: a.txt is not a directory (create it first)\n",
        ),
        (
            ["download", "file-x", "-O", "b", "--dir", "folder"],
            "Error: -O and --dir both given (use one of them)\n",
        ),
        (
            ["download", " ", "-O", "-"],
            "Error: the file id is empty (pass the file id of an existing object)\n",
        ),
        (["get", ""], "Error: the file id is empty (pass the file id of an existing object)\n"),
    ],
)
def test_bad_local_input_exits_2_before_any_request(
    cli: Runner, unreachable: None, args: list[str], stderr: str
) -> None:
    Path("a.txt").write_text("keep")
    Path("folder").mkdir()
    result = cli("files", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)
    assert Path("a.txt").read_text() == "keep"


def test_unreadable_file_exits_2(cli: Runner, unreachable: None) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    Path("secret.txt").write_text("x")
    Path("secret.txt").chmod(0)
    result = cli("files", "upload", "secret.txt")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: secret.txt: not readable (check its permissions)\n",
    )


# -- downloads ---------------------------------------------------------------------------------


def test_download_into_a_directory_under_the_server_name(cli: Runner, cassette: Recorder) -> None:
    file_id = upload(cli, "report.bin", PAYLOAD)["id"]
    Path("out").mkdir()
    saved = ok(cli("files", "download", file_id, "--dir", "out", "-o", "json"))
    assert saved == {"id": file_id, "path": "out/report.bin", "bytes": len(PAYLOAD)}
    assert Path("out/report.bin").read_bytes() == PAYLOAD
    assert entries("out") == ["report.bin"]
    assert [r.path.rsplit("/", 2)[-1] for r in cassette.requests[1:]] == [file_id, "content"]


def test_download_into_a_missing_directory_makes_it(cli: Runner, cassette: Recorder) -> None:
    file_id = upload(cli, "report.bin", PAYLOAD)["id"]
    saved = ok(cli("files", "download", file_id, "--dir", "new/out", "-o", "json"))
    assert saved == {"id": file_id, "path": "new/out/report.bin", "bytes": len(PAYLOAD)}
    assert entries("new/out") == ["report.bin"]


def test_download_to_a_named_file_and_force(cli: Runner, cassette: Recorder) -> None:
    file_id = upload(cli, "report.bin", PAYLOAD)["id"]
    saved = cli("files", "download", file_id, "-O", "copy.bin", "-q", "path", "-o", "tsv")
    assert (saved.exit_code, saved.stdout, saved.stderr) == (0, "copy.bin\n", "")
    assert Path("copy.bin").read_bytes() == PAYLOAD
    Path("copy.bin").write_bytes(b"mine")
    again = cli("files", "download", file_id, "-O", "copy.bin")
    assert (again.exit_code, again.stdout) == (2, "")
    assert again.stderr == f"Error: copy.bin: already exists {EXISTS_HINT}\n"
    assert Path("copy.bin").read_bytes() == b"mine"
    forced = cli("files", "download", file_id, "-O", "copy.bin", "--force", "-o", "id")
    assert (forced.exit_code, forced.stdout) == (0, f"{file_id}\n")
    assert Path("copy.bin").read_bytes() == PAYLOAD
    # upload, then two downloads: the refused one sent nothing.
    assert [r.method for r in cassette.requests] == ["POST", "GET", "GET"]


def test_download_onto_an_existing_server_named_file_exits_2(
    cli: Runner, cassette: Recorder
) -> None:
    file_id = upload(cli, "report.bin", PAYLOAD)["id"]
    Path("report.bin").write_bytes(b"local edits")
    result = cli("files", "download", file_id)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: report.bin: already exists {EXISTS_HINT}\n"
    assert Path("report.bin").read_bytes() == b"local edits"
    assert entries(".") == ["report.bin"]


def test_symlink_target_is_never_followed(cli: Runner, cassette: Recorder) -> None:
    file_id = upload(cli, "report.bin", PAYLOAD)["id"]
    Path("out").mkdir()
    Path("victim.txt").write_text("precious")
    Path("out/report.bin").symlink_to(Path("victim.txt").resolve())
    refused = cli("files", "download", file_id, "--dir", "out")
    assert (refused.exit_code, refused.stderr) == (
        2,
        f"Error: out/report.bin: already exists {EXISTS_HINT}\n",
    )
    forced = cli("files", "download", file_id, "--dir", "out", "--force", "-o", "json")
    assert forced.exit_code == 0, forced.stderr
    assert not Path("out/report.bin").is_symlink()
    assert Path("out/report.bin").read_bytes() == PAYLOAD
    assert Path("victim.txt").read_text() == "precious"


def test_download_to_stdout(cassette: Recorder, cli: Runner) -> None:
    file_id = upload(cli, "report.bin", PAYLOAD)["id"]
    code, out, err = run_binary("files", "download", file_id, "-O", "-")
    assert (code, out, err) == (0, PAYLOAD, "")
    # Only the content is fetched: the name does not matter for stdout.
    assert [r.path.rsplit("/", 1)[-1] for r in cassette.requests[1:]] == ["content"]


def _break_after_first_chunk(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """The content stream fails after its first chunk (the real request is still made)."""
    real = api.stream_get

    @contextlib.contextmanager
    def broken_stream(path: str) -> Iterator[httpx2.Response]:
        with real(path) as response:
            chunks = response.iter_bytes(1000)

            def broken(chunk_size: int | None = None) -> Iterator[bytes]:
                yield next(chunks)
                raise error

            monkeypatch.setattr(response, "iter_bytes", broken)
            yield response

    monkeypatch.setattr(api, "stream_get", broken_stream)


@pytest.mark.parametrize(
    ("error", "code", "stderr"),
    [
        (KeyboardInterrupt(), 130, "Error: interrupted; {path} was not written\n"),
        (
            httpx2.ReadError("connection reset"),
            75,
            "Error: the download was cut off: connection reset (try again)\n",  # any {path}
        ),
    ],
    ids=["ctrl-c", "network"],
)
def test_interrupted_download_leaves_no_partial_file(
    cli: Runner,
    cassette: Recorder,
    monkeypatch: pytest.MonkeyPatch,
    error: BaseException,
    code: int,
    stderr: str,
) -> None:
    file_id = upload(cli, "report.bin", PAYLOAD)["id"]
    Path("out").mkdir()
    Path("out/kept.bin").write_bytes(b"old")
    _break_after_first_chunk(monkeypatch, error)
    fresh = cli("files", "download", file_id, "--dir", "out")
    assert (fresh.exit_code, fresh.stdout, fresh.stderr) == (
        code,
        "",
        stderr.format(path="out/report.bin"),
    )
    replaced = cli("files", "download", file_id, "-O", "out/kept.bin", "--force")
    assert (replaced.exit_code, replaced.stdout, replaced.stderr) == (
        code,
        "",
        stderr.format(path="out/kept.bin"),
    )
    assert entries("out") == ["kept.bin"]
    assert Path("out/kept.bin").read_bytes() == b"old"


# -- names chosen by the server ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("server_name", "saved_as"),
    [
        ("../../etc/passwd", "passwd"),
        ("/abs/x", "x"),
        ("a\nb", "a_b"),
        ("..\\..\\win.ini", "win.ini"),
        ("..", "file-abc123"),
        ("dir/", "file-abc123"),
        ("", "file-abc123"),
        (None, "file-abc123"),
        ("\x1b[31mred\u202etxt.exe", "_[31mred_txt.exe"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_server_file_names_cannot_escape(
    cli: Runner,
    monkeypatch: pytest.MonkeyPatch,
    unreachable: None,
    server_name: str | None,
    saved_as: str,
) -> None:
    fake = FakeServer(monkeypatch)
    fake.objects["/files/file-abc123"] = {"id": "file-abc123", "filename": server_name}
    fake.contents["/files/file-abc123/content"] = b"data"
    Path("out").mkdir()
    result = cli("files", "download", "file-abc123", "--dir", "out", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {"id": "file-abc123", "path": f"out/{saved_as}", "bytes": 4}
    assert entries("out") == [saved_as]
    assert fake.asked == ["GET /files/file-abc123", "GET /files/file-abc123/content"]
    assert entries(".") == ["out"]


def test_json_errors_when_json_is_asked(cli: Runner, unreachable: None) -> None:
    Path("a.txt").write_text("a")
    result = cli("files", "download", "file-x", "-O", "a.txt", "-o", "json")
    assert result.exit_code == 2
    assert json.loads(result.stderr) == {
        "error": {
            "message": "a.txt: already exists",
            "exit_code": 2,
            "hint": "pass --force to replace it, or choose a name with -O",
        }
    }
