"""The threads asst creates are kept in a local ledger; `threads list` and `-c` read it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from asst_cli import ledger
from asst_cli.settings import Settings

from harness import Recorder, Runner

FAST = ("--interval", "0.05")
LEDGER_NOTE = (
    "Threads asst created at this endpoint, from its local ledger ({} has no thread list).\n"
)
NATIVE_NOTE = "Threads from the server's own list.\n"


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def assistant(cli: Runner) -> str:
    return ok(cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-o", "id")).strip()


def test_every_command_that_creates_a_thread_records_it(
    cli: Runner, cassette: Recorder, dialect: str, isolated_env: Path
) -> None:
    aid = assistant(cli)
    made = [
        ok(cli("threads", "create", "-o", "id")).strip(),
        json.loads(ok(cli("threads", "create-and-run", "-a", aid, "--message", "hi")))["thread_id"],
        json.loads(ok(cli("run", "-a", aid, "hello", "-o", "json")))["thread_id"],
        json.loads(ok(cli("run", "--wait", *FAST, "-a", aid, "hi", "-o", "json")))["thread_id"],
        ok(cli("run", "--stream", "-a", aid, "hi", "-o", "json", "-q", "thread_id")).strip('"\n'),
    ]
    assert len(set(made)) == 5
    recorded = [
        json.loads(line) for line in (isolated_env / "threads.jsonl").read_text().splitlines()
    ]
    assert [line["thread_id"] for line in recorded] == made
    assert {line["profile"] for line in recorded} == {"default"}
    assert (isolated_env / "threads.jsonl").stat().st_mode & 0o777 == 0o600
    listed = cli("threads", "list", "-o", "id")
    assert listed.exit_code == 0
    if dialect == "foundry":
        assert listed.stderr == NATIVE_NOTE
    else:
        assert listed.stderr == LEDGER_NOTE.format(dialect)
    assert listed.stdout == "".join(f"{t}\n" for t in reversed(made))


@pytest.mark.parametrize("dialect", ["openai", "azure"], indirect=True)
def test_ledger_list_pages_and_drops_deleted_threads(
    cli: Runner, cassette: Recorder, dialect: str
) -> None:
    made = [ok(cli("threads", "create", "-o", "id")).strip() for _ in range(4)]
    ok(cli("threads", "delete", made[1]))
    first = cli("threads", "list", "--limit", "2", "--order", "asc", "-o", "table")
    assert first.stdout.splitlines()[1:] == [
        f"{made[0]}  2026-01-01 00:00:00  {{}}",
        f"{made[2]}  2026-01-01 00:00:02  {{}}",
    ]
    assert first.stderr == LEDGER_NOTE.format(dialect) + (
        f"More threads exist: repeat with --after {made[2]} for the next page, "
        "or with --all for every page.\n"
    )
    assert ok(cli("threads", "list", "--before", made[2], "-o", "id")) == f"{made[3]}\n"
    assert ok(cli("threads", "list", "--after", made[2], "--all", "-o", "id")) == f"{made[0]}\n"
    unknown = cli("threads", "list", "--after", "thread_other")
    assert (unknown.exit_code, unknown.stdout) == (2, "")
    assert unknown.stderr == (
        "Error: --after thread_other: asst created no such thread at this endpoint "
        "(list them with 'asst threads list --all -o id')\n"
    )


def test_the_ledger_belongs_to_the_endpoint(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    here = Settings("openai", "http://a.example/v1", None, "k", None, None, 0, "default")
    there = Settings("openai", "http://b.example/v1", None, "k", None, None, 0, "work")
    ledger.notice(here, "/threads", {"id": "thread_a", "created_at": 5})
    ledger.notice(there, "/threads/runs", {"id": "run_b", "thread_id": "thread_b"})
    ledger.notice(here, "/threads/thread_a/runs", {"id": "run_c", "thread_id": "thread_a"})
    ledger.notice(here, "/assistants", {"id": "asst_d", "created_at": 6})
    assert ledger.entries(here) == [ledger.Entry("thread_a", 5, "default")]
    assert [entry.thread_id for entry in ledger.entries(there)] == ["thread_b"]


# Separate interpreters, as separate asst commands are (a fork of a threaded pytest worker is
# deprecated). Each says it is ready and waits for the go, so the four append at the same time.
APPEND_MANY = """
import pathlib, sys, time
from asst_cli import ledger
from asst_cli.settings import Settings
worker, gate = sys.argv[1], pathlib.Path(sys.argv[2])
where = Settings("openai", "http://a.example/v1", None, "k", None, None, 0, "default")
(gate.parent / f"ready-{worker}").touch()
while not gate.exists():
    time.sleep(0.001)
for index in range(200):
    thread = {"id": f"thread_{worker}_{index:03d}_" + "x" * 200, "created_at": index}
    ledger.notice(where, "/threads", thread)
"""


def test_processes_appending_at_once_lose_no_line(isolated_env: Path, tmp_path: Path) -> None:
    environment = {**os.environ, "ASST_CONFIG_DIR": str(isolated_env)}
    gate = tmp_path / "go"
    command = [sys.executable, "-c", APPEND_MANY]
    workers = [
        subprocess.Popen([*command, str(worker), str(gate)], env=environment) for worker in range(4)
    ]
    while len(list(tmp_path.glob("ready-*"))) < len(workers):
        time.sleep(0.005)
    gate.touch()
    assert [process.wait(timeout=60) for process in workers] == [0, 0, 0, 0]
    lines = (isolated_env / "threads.jsonl").read_text().splitlines()
    assert len(lines) == 800
    assert len({json.loads(line)["thread_id"] for line in lines}) == 800


def test_continue_remembers_the_assistant_and_the_endpoint(cli: Runner, cassette: Recorder) -> None:
    aid = assistant(cli)
    first = json.loads(ok(cli("run", "--wait", *FAST, "-a", aid, "first", "-o", "json")))
    ok(cli("--profile", "work", "config", "set", "max_retries", "1"))
    # Another profile naming the same backend and endpoint continues the same conversation.
    second = cli("--profile", "work", "run", "--wait", *FAST, "-c", "second", "-o", "text")
    assert (second.exit_code, second.stdout, second.stderr) == (0, "You said: second\n", "")
    runs = [
        json.loads(r.body)
        for r in cassette.requests
        if r.method == "POST" and r.path.endswith(f"/threads/{first['thread_id']}/runs")
    ]
    assert runs == [{"assistant_id": aid}]


def test_continue_at_another_endpoint_has_nothing_to_continue(
    cli: Runner, unreachable: None
) -> None:
    from asst_cli import configfile

    configfile.remember_run("openai http://127.0.0.1:8/v1", "thread_a", "asst_a")
    result = cli("run", "-c", "again")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: no earlier thread to continue at http://127.0.0.1:9/v1 (openai) "
        "(drop --continue, or pass --thread ID)\n"
    )
    configfile.remember_run("openai http://127.0.0.1:9/v1", "thread_a", "asst_a")
    sent = cli("run", "-c", "again")
    assert (sent.exit_code, sent.stderr) == (75, "Error: could not reach the server: [Errno 111] "
        "Connection refused (check the endpoint with 'asst auth status')\n")  # fmt: skip


def test_a_ledger_that_cannot_be_written_fails_nothing(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "threads.jsonl").mkdir()  # a directory where the file should be
    here = Settings("openai", "http://a.example/v1", None, "k", None, None, 0, "default")
    ledger.notice(here, "/threads", {"id": "thread_a", "created_at": 5})
    assert capsys.readouterr().err == (
        f"Warning: thread_a not recorded in {isolated_env / 'threads.jsonl'}: Is a directory\n"
    )


def test_remembering_a_run_keeps_the_state_files_other_keys(isolated_env: Path) -> None:
    from asst_cli import configfile

    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "state.yaml").write_text(
        "last_run: not a mapping\nunattached_uploads:\n  openai http://a.example/v1: [file-1]\n"
    )
    configfile.remember_run("openai http://a.example/v1", "thread_a", None)
    assert configfile.load_state() == {
        "last_run": {"openai http://a.example/v1": {"thread": "thread_a"}},
        "unattached_uploads": {"openai http://a.example/v1": ["file-1"]},
    }
