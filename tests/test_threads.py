"""asst threads, end to end against each dialect (replayed), and thread definitions (no request)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import Recorder, Result, Runner

NOT_FOUND_HINT = "(check the id, or list what exists with the matching 'list' command)"


def ok(result: Result) -> Any:
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.json()


def posted(recorder: Recorder, suffix: str) -> list[Any]:
    """The JSON bodies POSTed to paths ending in ``suffix``, in order (when replaying: every
    request of the cassette, also those the test has not sent yet)."""
    bodies = [r.body for r in recorder.requests if r.method == "POST" and r.path.endswith(suffix)]
    return [json.loads(body) for body in bodies if body and body.lstrip()[:1] in (b"{", "{")]


def assistant(cli: Runner) -> str:
    result = cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-o", "id")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def human(timestamp: int) -> str:
    """The table form of a timestamp (tests run with TZ=UTC)."""
    from datetime import datetime, timezone

    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def test_create_from_flags(cli: Runner, cassette: Recorder) -> None:
    thread = ok(
        cli(
            "threads",
            "create",
            "--message",
            "first",
            "--message",
            "second",
            "-m",
            "team=docs",
            "--metadata",
            "tier=1",
            "-o",
            "json",
        )
    )
    assert posted(cassette, "/threads") == [
        {
            "messages": [
                {"role": "user", "content": "first"},
                {"role": "user", "content": "second"},
            ],
            "metadata": {"team": "docs", "tier": "1"},
        }
    ]
    assert (thread["object"], thread["metadata"]) == ("thread", {"team": "docs", "tier": "1"})
    texts = cli(
        "messages",
        "list",
        thread["id"],
        "--order",
        "asc",
        "-q",
        "[].content[0].text.value",
        "-o",
        "json",
    )
    assert ok(texts) == ["first", "second"]


def test_create_from_yaml_uploads_attachments_once(cli: Runner, cassette: Recorder) -> None:
    Path("defs").mkdir()
    Path("defs/notes.txt").write_text("the notes\n")
    Path("defs/thread.yaml").write_text(
        "kind: thread\n"
        "messages:\n"
        "  - Read the notes\n"
        "  - role: assistant\n"
        "    content: Which part?\n"
        "    metadata: {step: '2'}\n"
        "  - content: All of it\n"
        "    attachments:\n"
        "      - notes.txt\n"
        "      - file: notes.txt\n"
        "        tools: [code_interpreter, {type: file_search}]\n"
        "metadata: {source: yaml}\n"
    )
    thread = ok(
        cli("threads", "create", "-f", "defs/thread.yaml", "-m", "source=flag", "-o", "json")
    )
    uploads = [r for r in cassette.requests if r.path.endswith("/files")]
    assert len(uploads) == 1
    assert b'filename="notes.txt"' in uploads[0].body
    attached = cli("messages", "list", thread["id"], "-q", "[0].attachments[0].file_id")
    file_id = ok(attached)
    assert posted(cassette, "/threads")[0] == {
        "messages": [
            {"role": "user", "content": "Read the notes"},
            {"role": "assistant", "content": "Which part?", "metadata": {"step": "2"}},
            {
                "role": "user",
                "content": "All of it",
                "attachments": [
                    {"file_id": file_id, "tools": [{"type": "file_search"}]},
                    {
                        "file_id": file_id,
                        "tools": [{"type": "code_interpreter"}, {"type": "file_search"}],
                    },
                ],
            },
        ],
        "metadata": {"source": "flag"},
    }
    second = ok(cli("threads", "create", "--code-file", file_id, "-o", "json"))
    assert second["tool_resources"] == {"code_interpreter": {"file_ids": [file_id]}}
    assert thread["id"] != second["id"]


def test_get_update_and_delete(cli: Runner, cassette: Recorder) -> None:
    first = ok(cli("threads", "create", "-m", "state=new", "-o", "json"))
    second = ok(cli("threads", "create", "-o", "json"))
    Path("change.yaml").write_text("metadata:\n  state: open\n")
    updated = ok(
        cli("threads", "update", first["id"], "-f", "change.yaml", "-m", "owner=me", "-o", "json")
    )
    assert posted(cassette, f"/{first['id']}") == [{"metadata": {"state": "open", "owner": "me"}}]
    assert updated["metadata"] == {"state": "open", "owner": "me"}
    shown = cli("threads", "get", first["id"], "-o", "table")
    assert (shown.exit_code, shown.stderr) == (0, "")
    assert shown.stdout == (
        f"ID              {first['id']}\n"
        f"CREATED         {human(first['created_at'])}\n"
        'METADATA        {"state": "open", "owner": "me"}\n'
        "TOOL RESOURCES  {}\n"
    )
    deleted = cli("threads", "delete", first["id"], "thread_gone", second["id"], "-o", "tsv")
    assert deleted.exit_code == 3
    assert deleted.stdout == f"{first['id']}\ttrue\n{second['id']}\ttrue\n"
    assert deleted.stderr == (
        f"Error: No thread found with id 'thread_gone' {NOT_FOUND_HINT}\n"
        "Error: 1 of 3 deletions failed (the errors above name each one)\n"
    )
    assert cli("threads", "get", first["id"]).exit_code == 3


def test_create_and_run_sends_the_run_options(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli)
    flags = (
        "--instructions", "Be brief.", "--model", "gpt-4o-mini", "--tool-choice", "code_interpreter",
        "--temperature", "0.2", "--top-p", "0.9", "--max-prompt-tokens", "1000",
        "--max-completion-tokens", "500", "--truncation", "last_messages:5",
        "--response-format", "json_object", "-m", "ticket=42",
    )  # fmt: skip
    run = ok(
        cli(
            "threads",
            "create-and-run",
            "--assistant",
            aid,
            "--message",
            "hi",
            "--message",
            "there",
            *flags,
            "-o",
            "json",
        )
    )
    assert (run["object"], run["status"], run["assistant_id"]) == ("thread.run", "queued", aid)
    assert (run["model"], run["instructions"], run["metadata"]) == (
        "gpt-4o-mini",
        "Be brief.",
        {"ticket": "42"},
    )
    empty = ok(cli("threads", "create-and-run", "-a", aid, "-o", "json"))
    assert empty["thread_id"] != run["thread_id"]
    assert posted(cassette, "/threads/runs") == [
        {
            "assistant_id": aid,
            "thread": {
                "messages": [
                    {"role": "user", "content": "hi"},
                    {"role": "user", "content": "there"},
                ]
            },
            "instructions": "Be brief.",
            "model": "gpt-4o-mini",
            "tool_choice": {"type": "code_interpreter"},
            "temperature": 0.2,
            "top_p": 0.9,
            "max_prompt_tokens": 1000,
            "max_completion_tokens": 500,
            "truncation_strategy": {"type": "last_messages", "last_messages": 5},
            "response_format": {"type": "json_object"},
            "metadata": {"ticket": "42"},
        },
        {"assistant_id": aid},
    ]


def test_get_missing_exits_3(cli: Runner, cassette: Recorder) -> None:
    result = cli("threads", "get", "thread_missing")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == f"Error: No thread found with id 'thread_missing' {NOT_FOUND_HINT}\n"


def test_an_id_stays_one_path_segment(cli: Runner, cassette: Recorder) -> None:
    # "/", "?" and "#" in an id are escaped: the request reaches the thread's own path.
    result = cli("threads", "get", "thread_x/runs?limit=1#top")
    assert (result.exit_code, result.stdout) == (3, "")
    escaped = "thread_x%2Fruns%3Flimit%3D1%23top"
    assert result.stderr == f"Error: No thread found with id '{escaped}' {NOT_FOUND_HINT}\n"
    (request,) = cassette.requests
    assert request.path.endswith(f"/threads/{escaped}")


def test_rejected_credential_exits_4(
    cli: Runner, cassette: Recorder, rejected_credential: None
) -> None:
    result = cli("threads", "create", "--message", "hi")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr.endswith("(check the credential with 'asst auth status --check')\n")


def test_unknown_vector_store_exits_1_with_the_server_message(
    cli: Runner, cassette: Recorder
) -> None:
    result = cli("threads", "create", "--vector-store", "vs_missing")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: No vector store found with id 'vs_missing'\n"
    assert posted(cassette, "/threads") == [
        {"tool_resources": {"file_search": {"vector_store_ids": ["vs_missing"]}}}
    ]


# -- bad local input: exit 2 before any request ------------------------------------------------


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    # Any request would fail with exit 75; exit 2 proves validation happened first.
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unused-0000")
    monkeypatch.setenv("ASST_MAX_RETRIES", "0")


THREAD_KEYS = "kind, messages, tool_resources, metadata"


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize(
    ("text", "stderr"),
    [
        ("mesages: []\n", f"Error: t.yaml:1: mesages: unknown key (allowed keys: {THREAD_KEYS})\n"),
        ("kind: assistant\n", "Error: t.yaml:1: kind: expected kind 'thread', got 'assistant'\n"),
        ("messages: hello\n", "Error: t.yaml:1: messages: expected a list, got a string\n"),
        (
            "messages:\n  - role: system\n    content: x\n",
            "Error: t.yaml:2: messages.0.role: unknown role 'system' (use user or assistant)\n",
        ),
        ("messages:\n  - role: user\n", "Error: t.yaml:2: messages.0: a message needs content\n"),
        ("messages:\n  - '  '\n", "Error: t.yaml:2: messages.0: the message text is empty\n"),
        (
            "messages:\n  - content: x\n    attachments:\n      - missing.txt\n",
            "Error: t.yaml:4: messages.0.attachments.0: missing.txt: no such file (check the path)\n",
        ),
        (
            "messages:\n  - content: x\n    attachments:\n      - file: file-abc\n        tools: [browser]\n",
            "Error: t.yaml:5: messages.0.attachments.0.tools.0: unknown tool 'browser' "
            "(use code_interpreter or file_search)\n",
        ),
        (
            "messages:\n  - content: x\n    attachments:\n      - file: file-abc\n        tools: []\n",
            "Error: t.yaml:5: messages.0.attachments.0.tools: name at least one tool\n",
        ),
        (
            "messages:\n  - content: x\n    attachments:\n      - tools: [file_search]\n",
            "Error: t.yaml:4: messages.0.attachments.0: an attachment needs a file (a local path or a file id)\n",
        ),
        (
            "tool_resources:\n  file_search:\n    vector_store_ids: vs_1\n",
            "Error: t.yaml:3: tool_resources.file_search.vector_store_ids: expected a list, got a string\n",
        ),
        (
            "tool_resources:\n  browser: {}\n",
            "Error: t.yaml:2: tool_resources.browser: unknown key (allowed keys: code_interpreter, file_search)\n",
        ),
        (
            "metadata:\n" + "".join(f"  k{i}: v\n" for i in range(17)),
            "Error: t.yaml:1: metadata: at most 16 keys are allowed, got 17\n",
        ),
        (
            "metadata:\n  note: " + "x" * 513 + "\n",
            "Error: t.yaml:2: metadata.note: value of 'note' is longer than 512 characters\n",
        ),
        (
            "messages:\n" + "  - hi\n" * 33,
            "Error: t.yaml:1: messages: at most 32 messages are allowed, got 33\n",
        ),
    ],
)
def test_invalid_thread_definition(cli: Runner, text: str, stderr: str) -> None:
    Path("t.yaml").write_text(text)
    result = cli("threads", "create", "-f", "t.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ("create", "--message", ""),
            "Error: --message: the message text is empty\n",
        ),
        (
            ("create", "--metadata", "novalue"),
            "Error: --metadata expects KEY=VALUE, got 'novalue' (e.g. --metadata team=docs)\n",
        ),
        (
            ("create", "-f", "missing.yaml"),
            "Error: missing.yaml: no such file (check the path)\n",
        ),
        (
            ("update", "thread_1"),
            "Error: nothing to update (pass --metadata KEY=VALUE or -f FILE)\n",
        ),
        (
            ("update", "thread_1", "-f", "msgs.yaml"),
            "Error: msgs.yaml:1: messages: unknown key (allowed keys: kind, tool_resources, metadata)\n",
        ),
        (
            ("update", " ", "-m", "a=b"),
            "Error: the thread id is empty (pass the thread id of an existing object)\n",
        ),
        (
            ("get", ".."),
            "Error: '..' is not a thread id (pass the thread id of an existing object)\n",
        ),
        (
            ("update", ".", "-m", "a=b"),
            "Error: '.' is not a thread id (pass the thread id of an existing object)\n",
        ),
        (
            ("create-and-run", "--message", "hi"),
            "Error: Missing option '--assistant' / '-a' (see 'asst threads create-and-run --help')\n",
        ),
        (
            ("create-and-run", "-a", "asst_1", "--tool-choice", "sometimes"),
            "Error: --tool-choice: unknown choice 'sometimes' (use one of: auto, none, required, "
            "code_interpreter, file_search or function:NAME)\n",
        ),
        (
            ("create-and-run", "-a", "asst_1", "--truncation", "last_messages:0"),
            "Error: --truncation: expected auto or last_messages:N, got 'last_messages:0' "
            "(N is a whole number of messages, at least 1)\n",
        ),
        (
            ("create-and-run", "-a", "asst_1", "--max-completion-tokens", "10"),
            "Error: Invalid value for '--max-completion-tokens': Input should be greater than or "
            "equal to 256 (see 'asst threads create-and-run --help')\n",
        ),
        (
            ("create-and-run", "-a", "asst_1", "--message", " "),
            "Error: --message: the message text is empty\n",
        ),
        (
            ("show", "--steps"),
            "Error: no earlier thread to show at http://127.0.0.1:9/v1 (openai) "
            "(pass its ID: asst threads show ID)\n",
        ),
    ],
)
def test_invalid_flags(cli: Runner, args: tuple[str, ...], stderr: str) -> None:
    Path("msgs.yaml").write_text("messages: [hi]\n")
    result = cli("threads", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)
