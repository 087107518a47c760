"""Output choices: -o, ASST_OUTPUT and the config file, and what each format prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from harness import Recorder, Runner

FORMATS = "table, json, yaml, tsv, jsonl, id, text, none"
PROBLEM = f"unknown format 'xml'; use one of: {FORMATS}"


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    # Any request would fail with exit 75; exit 2 proves the check came first.
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unused-0000")
    monkeypatch.setenv("ASST_MAX_RETRIES", "0")


def test_a_bad_asst_output_exits_2_before_any_request(
    cli: Runner, unreachable: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASST_OUTPUT", "xml")
    result = cli("assistants", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"Error: ASST_OUTPUT: {PROBLEM}\n",
    )


def test_config_set_refuses_what_o_refuses(cli: Runner) -> None:
    result = cli("config", "set", "output", "xml")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"Error: output: {PROBLEM}\n",
    )


def test_a_bad_output_in_the_config_file_exits_2_before_any_request(
    cli: Runner, unreachable: None, isolated_env: object
) -> None:
    from pathlib import Path

    config = Path(str(isolated_env))
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.yaml").write_text("profiles:\n  default:\n    output: xml\n")
    (config / "config.yaml").chmod(0o600)
    result = cli("assistants", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"Error: output in profile 'default': {PROBLEM} (fix it with 'asst config set')\n",
    )


def test_the_profile_output_comes_after_o_and_asst_output(
    cli: Runner, cassette: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("config", "set", "output", "id").exit_code == 0
    created = cli("assistants", "create", "--model", "gpt-4o", "--name", "bot")
    assistant_id = created.stdout.strip()
    assert (created.exit_code, created.stderr, assistant_id.startswith("asst_")) == (0, "", True)
    as_yaml = cli("assistants", "get", assistant_id, "-q", "name", "-o", "yaml")
    assert (as_yaml.exit_code, as_yaml.stdout) == (0, "bot\n...\n")
    monkeypatch.setenv("ASST_OUTPUT", "json")
    as_json = cli("assistants", "get", assistant_id, "-q", "[id, name]")
    assert (as_json.exit_code, json.loads(as_json.stdout)) == (0, [assistant_id, "bot"])


@pytest.mark.parametrize("fmt", ["tsv", "text"])
def test_rows_and_strings_print_plain(cli: Runner, cassette: Recorder, fmt: str) -> None:
    for name in ("a", "b"):
        created = cli("assistants", "create", "--model", "gpt-4o", "--name", name, "-o", "id")
        assert (created.exit_code, created.stderr) == (0, "")
    rows = cli("assistants", "list", "--order", "asc", "-q", "[].[name, model]", "-o", fmt)
    assert (rows.exit_code, rows.stdout, rows.stderr) == (0, "a\tgpt-4o\nb\tgpt-4o\n", "")
    names = cli("assistants", "list", "--order", "asc", "-q", "[].name", "-o", fmt)
    assert (names.exit_code, names.stdout) == (0, "a\nb\n")
    first = cli("assistants", "list", "--order", "asc", "-q", "[0].name", "-o", fmt)
    assert (first.exit_code, first.stdout) == (0, "a\n")


FAST = ("--interval", "0.05")
TSV_RUN = "{id}\t{status}\t{assistant}\tgpt-4o\t{created}\n"


def iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_assistant(cli: Runner) -> str:
    result = cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-o", "id")
    assert (result.exit_code, result.stderr) == (0, "")
    return result.stdout.strip()


def test_waited_runs_print_like_runs_get(cli: Runner, cassette: Recorder) -> None:
    aid = new_assistant(cli)
    started = cli("run", "-a", aid, "please fail", "-o", "json")
    run = started.json()
    tid, rid = run["thread_id"], run["id"]
    for fmt in ("table", "tsv", "id"):
        waited = cli("runs", "wait", tid, rid, *FAST, "-o", fmt)
        shown = cli("runs", "get", tid, rid, "-o", fmt)
        assert (waited.exit_code, waited.stdout, shown.exit_code) == (5, shown.stdout, 0)
    tsv = cli("runs", "get", tid, rid, "-o", "tsv").stdout
    fields = {"id": rid, "status": "failed", "assistant": aid, "created": iso(run["created_at"])}
    assert tsv == TSV_RUN.format(**fields)


def test_run_wait_prints_the_run_for_id_and_tsv(cli: Runner, cassette: Recorder) -> None:
    aid = new_assistant(cli)
    tid = cli("threads", "create", "-o", "id").stdout.strip()
    by_id = cli("run", "-a", aid, "--thread", tid, "hello", "--wait", *FAST, "-o", "id")
    by_tsv = cli("run", "-a", aid, "--thread", tid, "again", "--wait", *FAST, "-o", "tsv")
    first, second = by_id.stdout.strip(), by_tsv.stdout.split("\t")[0]
    assert (by_id.exit_code, by_id.stderr, by_tsv.exit_code) == (0, "", 0)
    assert by_id.stdout == cli("runs", "get", tid, first, "-o", "id").stdout == f"{first}\n"
    assert by_tsv.stdout == cli("runs", "get", tid, second, "-o", "tsv").stdout


def test_threads_show_lists_messages_like_messages_list(cli: Runner, cassette: Recorder) -> None:
    aid = new_assistant(cli)
    run = cli("run", "-a", aid, "hello", "--wait", *FAST, "-o", "json").json()
    tid = run["thread_id"]
    for fmt in ("tsv", "id"):
        shown = cli("threads", "show", tid, "-o", fmt)
        listed = cli("messages", "list", tid, "--order", "asc", "-o", fmt)
        assert (shown.exit_code, shown.stdout, shown.stderr) == (0, listed.stdout, "")
    assert len(shown.stdout.splitlines()) == 2


def test_messages_get_table_shows_the_whole_text(cli: Runner, cassette: Recorder) -> None:
    words = "word " * 20
    text = f"A long message that does not fit in the list column at all: {words}".strip()
    thread = cli("threads", "create", "-o", "id").stdout.strip()
    message = cli("messages", "create", thread, text, "-o", "json").json()
    shown = cli("messages", "get", thread, message["id"], "-o", "table")
    created = datetime.fromtimestamp(message["created_at"], tz=timezone.utc)
    assert (shown.exit_code, shown.stderr) == (0, "")
    assert shown.stdout == (
        f"ID           {message['id']}\n"
        "ROLE         user\n"
        f"CREATED      {created:%Y-%m-%d %H:%M:%S}\n"
        f"TEXT         {text[:104]}\n"
        f"             {text[105:]}\n"
        "RUN\n"
        f"THREAD       {thread}\n"
        "STATUS       completed\n"
        "ATTACHMENTS\n"
        "METADATA     {}\n"
    )


def test_a_list_that_stops_at_one_page_says_so_in_every_format(
    cli: Runner, cassette: Recorder
) -> None:
    ids = [new_assistant(cli) for _ in range(3)]
    note = (
        f"More assistants exist: repeat with --after {ids[1]} for the next page, "
        "or with --all for every page.\n"
    )
    for fmt in ("json", "id", "tsv", "none"):
        page = cli("assistants", "list", "--limit", "2", "--order", "asc", "-o", fmt)
        assert (page.exit_code, page.stderr) == (0, note)
    shown = cli("assistants", "list", "--limit", "2", "--order", "asc", "-o", "id")
    assert shown.stdout == f"{ids[0]}\n{ids[1]}\n"
    every = cli("assistants", "list", "--all", "--limit", "2", "--order", "asc", "-o", "id")
    assert (every.stdout, every.stderr) == ("".join(f"{i}\n" for i in ids), "")


@pytest.mark.parametrize("mode", ["--wait", "--stream"])
def test_a_streamed_reply_reads_like_a_waited_one(
    cli: Runner, cassette: Recorder, mode: str
) -> None:
    made = cli(
        "assistants", "create", "--model", "gpt-4o", "--tool", "code_interpreter", "-o", "id"
    )
    aid = made.stdout.strip()
    result = cli(
        "run", mode, *FAST, "-o", "text", "-a", aid, "--download-dir", "out", "please make a file"
    )
    assert (result.exit_code, result.stderr) == (0, "")
    image_id, csv_id = (
        line.split("(")[1].split(")")[0] for line in result.stdout.splitlines()[4:6]
    )
    assert result.stdout == (
        "[image 1]\n"
        "\n"
        "Here is the data: Download data.csv[2]\n"
        "\n"
        f"[1] image chart.png ({image_id}), saved to out/chart.png\n"
        f"[2] data.csv ({csv_id}), saved to out/data.csv\n"
    )


@pytest.mark.parametrize("args", [["--help"], ["config", "list", "-o", "json"]])
def test_a_closed_pipe_ends_quietly_with_0(args: list[str]) -> None:
    # `asst ... | head -1`: the reader is gone before asst writes.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "asst_cli", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            check=False,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, b"")


@pytest.mark.parametrize(
    ("width", "row"),
    [
        pytest.param("20", "{aid}  a n…  gpt-…         2026-0…", id="20"),
        pytest.param("60", "{aid}  a n…  gpt-4o         2026-01…", id="60"),
    ],
)
def test_tables_never_split_an_id(
    cli: Runner, cassette: Recorder, monkeypatch: pytest.MonkeyPatch, width: str, row: str
) -> None:
    name = "a name far too long for a narrow table"
    made = cli("assistants", "create", "--model", "gpt-4o", "--name", name, "-o", "json").json()
    aid, created = made["id"], datetime.fromtimestamp(made["created_at"], tz=timezone.utc)
    monkeypatch.setenv("COLUMNS", width)
    listed = cli("assistants", "list", "-o", "table")
    header = "ID" + " " * 29 + "NAME  MODEL" + ("   " if width == "60" else "  ") + "TOOLS  CREATED"
    assert (listed.exit_code, listed.stdout) == (0, f"{header}\n{row.format(aid=aid)}\n")
    shown = cli("assistants", "get", aid, "-o", "table")
    wrapped = "a name far too long for a\n              narrow table" if width == "20" else name
    assert (shown.exit_code, shown.stdout) == (
        0,
        f"ID            {aid}\n"
        f"NAME          {wrapped}\n"
        "MODEL         gpt-4o\n"
        "TOOLS\n"
        f"CREATED       {created:%Y-%m-%d %H:%M:%S}\n"
        "DESCRIPTION\n"
        "INSTRUCTIONS\n"
        "METADATA      {}\n",
    )
