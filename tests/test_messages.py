"""asst messages, end to end against each dialect (replayed), and bad input (no request)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from harness import Recorder, Result, Runner

NOT_FOUND_HINT = "(check the id, or list what exists with the matching 'list' command)"


def ok(result: Result) -> Any:
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.json()


def posted(recorder: Recorder, suffix: str) -> list[Any]:
    """JSON bodies POSTed to paths ending in ``suffix`` (replaying: all the cassette holds)."""
    bodies = [r.body for r in recorder.requests if r.method == "POST" and r.path.endswith(suffix)]
    return [json.loads(body) for body in bodies if body and body.lstrip()[:1] in (b"{", "{")]


def human(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def thread(cli: Runner) -> str:
    result = cli("threads", "create", "-o", "id")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_create_from_text_stdin_and_file(cli: Runner, cassette: Recorder) -> None:
    tid = thread(cli)
    first = ok(cli("messages", "create", tid, "Hello there", "-m", "lang=en", "-o", "json"))
    assert (first["object"], first["role"], first["thread_id"]) == ("thread.message", "user", tid)
    assert first["content"] == [
        {"type": "text", "text": {"value": "Hello there", "annotations": []}}
    ]
    assert first["metadata"] == {"lang": "en"}
    piped = ok(
        cli(
            "messages",
            "create",
            tid,
            "-",
            "--role",
            "assistant",
            "-o",
            "json",
            stdin="from\nstdin\n",
        )
    )
    assert (piped["role"], piped["content"][0]["text"]["value"]) == ("assistant", "from\nstdin\n")
    Path("prompt.md").write_text("# Long prompt\n")
    from_file = ok(cli("messages", "create", tid, "--content-file", "prompt.md", "-o", "json"))
    assert from_file["content"][0]["text"]["value"] == "# Long prompt\n"
    assert posted(cassette, "/messages") == [
        {"role": "user", "content": "Hello there", "metadata": {"lang": "en"}},
        {"role": "assistant", "content": "from\nstdin\n"},
        {"role": "user", "content": "# Long prompt\n"},
    ]


def test_attach_uploads_local_files_and_passes_ids(cli: Runner, cassette: Recorder) -> None:
    tid = thread(cli)
    Path("data.csv").write_text("a,b\n1,2\n")
    first = ok(
        cli(
            "messages",
            "create",
            tid,
            "Plot it",
            "--attach",
            "data.csv:code_interpreter",
            "--attach",
            "data.csv",
            "-o",
            "json",
        )
    )
    file_id = first["attachments"][0]["file_id"]
    assert first["attachments"] == [
        {"file_id": file_id, "tools": [{"type": "code_interpreter"}, {"type": "file_search"}]}
    ]
    again = ok(
        cli("messages", "create", tid, "Again", "--attach", f"{file_id}:file_search", "-o", "json")
    )
    assert again["attachments"] == [{"file_id": file_id, "tools": [{"type": "file_search"}]}]
    shown = cli("messages", "get", tid, again["id"], "-o", "table")
    assert (shown.exit_code, shown.stderr) == (0, "")
    assert shown.stdout == (
        f"ID           {again['id']}\n"
        "ROLE         user\n"
        f"CREATED      {human(again['created_at'])}\n"
        "TEXT         Again\n"
        "RUN\n"
        f"THREAD       {tid}\n"
        "STATUS       completed\n"
        f"ATTACHMENTS  {file_id}\n"
        "METADATA     {}\n"
    )
    uploads = [r for r in cassette.requests if r.path.endswith("/files")]
    assert len(uploads) == 1
    assert b'filename="data.csv"' in uploads[0].body
    assert posted(cassette, "/messages") == [
        {
            "role": "user",
            "content": "Plot it",
            "attachments": [
                {
                    "file_id": file_id,
                    "tools": [{"type": "code_interpreter"}, {"type": "file_search"}],
                }
            ],
        },
        {
            "role": "user",
            "content": "Again",
            "attachments": [{"file_id": file_id, "tools": [{"type": "file_search"}]}],
        },
    ]


def test_list_by_run_in_formats(cli: Runner, cassette: Recorder) -> None:
    aid = cli("assistants", "create", "--model", "gpt-4o", "-o", "id").stdout.strip()
    tid = thread(cli)
    long = "word " * 20
    asked = ok(cli("messages", "create", tid, f"Tell me\n{long}", "-o", "json"))
    run = ok(cli("runs", "create", tid, "-a", aid, "-o", "json"))
    assert ok(cli("runs", "get", tid, run["id"], "-q", "status")) == "in_progress"
    assert ok(cli("runs", "get", tid, run["id"], "-q", "status")) == "completed"
    replies = ok(cli("messages", "list", tid, "--run", run["id"], "-o", "json"))
    assert [(m["role"], m["run_id"]) for m in replies] == [("assistant", run["id"])]
    reply = replies[0]
    table = cli("messages", "list", tid, "-o", "table")
    asked_text = ("Tell me " + long.strip())[:27] + "…"
    reply_text = ("You said: Tell me " + long.strip())[:27] + "…"
    width = len(reply["id"])
    assert (table.exit_code, table.stderr) == (0, "")
    assert table.stdout.splitlines() == [
        f"{'ID':{width}}  ROLE       CREATED              {'TEXT':28}  RUN",
        f"{reply['id']}  assistant  {human(reply['created_at'])}  {reply_text}  {run['id']}",
        f"{asked['id']}  user       {human(asked['created_at'])}  {asked_text}",
    ]
    tsv = cli("messages", "list", tid, "--order", "asc", "--limit", "1", "-o", "tsv")
    assert tsv.stdout == f"{asked['id']}\tuser\t{iso(asked['created_at'])}\t{asked_text}\t\n"
    page = cli("messages", "list", tid, "--order", "asc", "--limit", "1", "-o", "table")
    assert page.stderr == (
        f"More messages exist: repeat with --after {asked['id']} for the next page, "
        "or with --all for every page.\n"
    )
    every = cli("messages", "list", tid, "--order", "asc", "--limit", "1", "--all", "-o", "id")
    assert every.stdout == f"{asked['id']}\n{reply['id']}\n"
    lists = [r.uri for r in cassette.requests if r.method == "GET" and r.path.endswith("/messages")]
    assert f"run_id={run['id']}" in lists[0]


def test_update_and_delete(cli: Runner, cassette: Recorder) -> None:
    tid = thread(cli)
    one = ok(cli("messages", "create", tid, "one", "-o", "json"))
    two = ok(cli("messages", "create", tid, "two", "-o", "json"))
    updated = ok(cli("messages", "update", tid, one["id"], "-m", "reviewed=yes", "-o", "json"))
    assert (updated["id"], updated["metadata"]) == (one["id"], {"reviewed": "yes"})
    deleted = cli("messages", "delete", tid, one["id"], "msg_gone", two["id"], "-o", "json")
    assert deleted.exit_code == 3
    assert json.loads(deleted.stdout) == [
        {"id": one["id"], "object": "thread.message.deleted", "deleted": True},
        {"id": two["id"], "object": "thread.message.deleted", "deleted": True},
    ]
    assert (
        json.loads(deleted.stderr.splitlines()[0])["error"]["message"]
        == "No message found with id 'msg_gone'."
    )
    assert ok(cli("messages", "list", tid)) == []
    assert posted(cassette, f"/{one['id']}") == [{"metadata": {"reviewed": "yes"}}]


def test_get_in_a_missing_thread_exits_3(cli: Runner, cassette: Recorder) -> None:
    result = cli("messages", "get", "thread_missing", "msg_missing")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == f"Error: No thread found with id 'thread_missing' {NOT_FOUND_HINT}\n"


def test_rejected_credential_exits_4(
    cli: Runner, cassette: Recorder, rejected_credential: None
) -> None:
    result = cli("messages", "list", "thread_abc")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr.endswith("(check the credential with 'asst auth status --check')\n")


def test_unknown_file_id_exits_1_with_the_server_message(cli: Runner, cassette: Recorder) -> None:
    tid = thread(cli)
    result = cli("messages", "create", tid, "see file", "--attach", "file-missing")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: No file found with id 'file-missing'\n"
    assert posted(cassette, "/messages") == [
        {
            "role": "user",
            "content": "see file",
            "attachments": [{"file_id": "file-missing", "tools": [{"type": "file_search"}]}],
        }
    ]


# -- bad local input: exit 2 before any request ------------------------------------------------


@pytest.mark.parametrize(
    ("args", "stdin", "stderr"),
    [
        (
            ("create", "thread_1"),
            "",
            "Error: no message text given (pass TEXT, --content-file PATH, or - to read stdin)\n",
        ),
        (
            ("create", "thread_1", "hi", "--content-file", "p.md"),
            "",
            "Error: TEXT and --content-file both given (give the message text once)\n",
        ),
        (("create", "thread_1", "-"), "  \n", "Error: the message text is empty\n"),
        (
            ("create", "thread_1", "--content-file", "nowhere.md"),
            "",
            "Error: --content-file nowhere.md: no such file (check the path)\n",
        ),
        (
            ("create", "thread_1", "hi", "--role", "system"),
            "",
            "Error: Invalid value for '--role': Value error, 'system' is not one of 'user', 'assistant' (see 'asst messages create --help')\n",
        ),
        (
            ("create", "thread_1", "hi", "--attach", "missing.csv"),
            "",
            "Error: --attach missing.csv: no such file (check the path)\n",
        ),
        (
            ("create", "thread_1", "hi", "--attach", "p.md:browser"),
            "",
            "Error: --attach: unknown tool 'browser' in 'p.md:browser' (use PATH_OR_FILE_ID[:code_interpreter|file_search])\n",
        ),
        (
            ("create", "thread_1", "hi", "-m", "k"),
            "",
            "Error: --metadata expects KEY=VALUE, got 'k' (e.g. --metadata team=docs)\n",
        ),
        (
            ("create", "", "hi"),
            "",
            "Error: the thread id is empty (pass the thread id of an existing object)\n",
        ),
        (
            ("update", "thread_1", "msg_1"),
            "",
            "Error: nothing to update (pass --metadata KEY=VALUE)\n",
        ),
    ],
)
def test_bad_input_exits_2_before_any_request(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], stdin: str, stderr: str
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unused-0000")
    monkeypatch.setenv("ASST_MAX_RETRIES", "0")
    Path("p.md").write_text("prompt")
    result = cli("messages", *args, stdin=stdin)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)


def test_content_file_must_be_text(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unused-0000")
    Path("blob.bin").write_bytes(b"\xff\xfe\x00")
    result = cli("messages", "create", "thread_1", "--content-file", "blob.bin")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Error: --content-file blob.bin: cannot read as UTF-8 text (")
